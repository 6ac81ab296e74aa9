import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../src/api/sse-parser.js';

interface Parsed {
  events: SseEvent[];
  retries: number[];
  comments: string[];
}

/** Feeds `chunks` to a fresh parser, one push each. */
function parse(chunks: readonly string[], lastEventId?: string): Parsed {
  const parsed: Parsed = { events: [], retries: [], comments: [] };
  const parser = new SseParser(
    {
      onEvent: (event) => parsed.events.push(event),
      onRetry: (milliseconds) => parsed.retries.push(milliseconds),
      onComment: (text) => parsed.comments.push(text),
    },
    lastEventId,
  );
  for (const chunk of chunks) parser.push(chunk);
  return parsed;
}

/** Every way of cutting `text` in two, plus one character per chunk. */
function splits(text: string): string[][] {
  const ways = [[text], Array.from({ length: text.length }, (_, at) => text.slice(at, at + 1))];
  for (let at = 1; at < text.length; at++) ways.push([text.slice(0, at), text.slice(at)]);
  return ways;
}

const SNAPSHOT = JSON.stringify({ runId: '7', note: 'a: b\\nc' });

describe('SseParser', () => {
  it('dispatches an event at the blank line, with its type, data and id', () => {
    expect(parse([`event: snapshot\ndata: ${SNAPSHOT}\nid: 4\n\n`]).events).toEqual([
      { type: 'snapshot', data: SNAPSHOT, lastEventId: '4' },
    ]);
  });

  it('gives the same events however the text is split into chunks', () => {
    const text = `retry: 3000\n\n: heartbeat\n\nevent: snapshot\r\ndata: ${SNAPSHOT}\r\n\r\ndata: x\rdata: y\r\r`;
    const expected = parse([text]);
    expect(expected.events).toEqual([
      { type: 'snapshot', data: SNAPSHOT, lastEventId: '' },
      { type: 'message', data: 'x\ny', lastEventId: '' },
    ]);
    expect(expected.retries).toEqual([3000]);
    expect(expected.comments).toEqual([' heartbeat']);
    for (const chunks of splits(text)) expect(parse(chunks)).toEqual(expected);
  });

  it('joins data lines with \\n, keeping empty lines and spaces after the first', () => {
    const { events } = parse(['data: first\ndata\ndata:  indented\ndata:no-space\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'first\n\n indented\nno-space', lastEventId: '' }]);
  });

  it('reads CRLF, LF and CR line ends, and a CRLF split between chunks as one line end', () => {
    const lf = parse(['event: a\ndata: 1\n\n']).events;
    expect(parse(['event: a\r\ndata: 1\r\n\r\n']).events).toEqual(lf);
    expect(parse(['event: a\rdata: 1\r\r']).events).toEqual(lf);
    // CR at a chunk's end then LF: one line end, not an empty line dispatching early.
    expect(parse(['event: a\r', '\ndata: 1\r', '\n\r', '\n']).events).toEqual(lf);
    expect(parse(['data: 1\r', '', '\n', '\n']).events).toEqual([
      { type: 'message', data: '1', lastEventId: '' },
    ]);
  });

  it('treats lines starting with a colon as comments, not events', () => {
    const { events, comments } = parse([': heartbeat\n\n:\n\n: data: no\n\n']);
    expect(events).toEqual([]);
    expect(comments).toEqual([' heartbeat', '', ' data: no']);
  });

  it('dispatches nothing for an event without data, and resets the type after each event', () => {
    const { events } = parse(['event: snapshot\n\ndata: plain\n\nevent: x\nid: 1\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'plain', lastEventId: '' }]);
  });

  it('never dispatches an event the stream ends inside', () => {
    expect(parse(['event: snapshot\ndata: {"runId":']).events).toEqual([]);
    expect(parse(['data: complete\n']).events).toEqual([]);
  });

  it('keeps the last event id for later events, ignoring ids with NUL, starting from the given one', () => {
    const { events } = parse(
      ['data: a\n\nid: 5\ndata: b\n\ndata: c\n\nid: x\0y\ndata: d\n\nid\ndata: e\n\n'],
      '2',
    );
    expect(events.map((event) => [event.data, event.lastEventId])).toEqual([
      ['a', '2'],
      ['b', '5'],
      ['c', '5'],
      ['d', '5'],
      ['e', ''],
    ]);
  });

  it('sets the last event id at each blank line, even one that dispatches nothing', () => {
    const parser = new SseParser({ onEvent: () => undefined }, '3');
    expect(parser.lastEventId).toBe('3');
    parser.push('id: 8\n');
    expect(parser.lastEventId).toBe('3');
    parser.push('\n');
    expect(parser.lastEventId).toBe('8');
  });

  it('takes only all-digit retry values, and ignores unknown fields', () => {
    const { retries, events } = parse([
      'retry: 250\nretry: 1.5\nretry: -1\nretry: x\nretry:10\nfoo: bar\ndata: ok\n\n',
    ]);
    expect(retries).toEqual([250, 10]);
    expect(events).toEqual([{ type: 'message', data: 'ok', lastEventId: '' }]);
  });

  it('reads a field name with no colon as an empty value, and keeps colons inside values', () => {
    const { events } = parse(['event\ndata: a:b: c\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'a:b: c', lastEventId: '' }]);
  });
});
