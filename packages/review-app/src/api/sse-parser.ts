/**
 * The Server-Sent Events wire format (the "event stream interpretation" of the HTML standard), for
 * reading a text/event-stream with `fetch`, which (unlike EventSource) can send an Authorization header.
 * Text goes in as decoded chunks split anywhere, even between a CR and its LF (decoded by a
 * TextDecoderStream, which also drops a byte order mark); events come out.
 *
 * - Lines end with CRLF, LF or CR. A blank line dispatches the event gathered since the last one
 *   (nothing if it had no `data`); an event cut off by the end of the stream is never dispatched.
 * - `field: value` (one space after the colon dropped), or `field` alone for an empty value.
 *   `event` names the event (default `message`); each `data` line adds a line to the data (joined with
 *   `\n`); `id` sets the last event id (kept for later events; ignored if it holds a NUL); `retry` with
 *   only ASCII digits sets the reconnection delay in ms. Other fields are ignored.
 * - A line starting with `:` is a comment: servers send them as heartbeats.
 */

export interface SseEvent {
  /** The `event` field, or `message`. */
  type: string;
  /** The `data` lines joined with `\n`. */
  data: string;
  /** The last `id` seen on this stream, this event's or an earlier one's; '' when none. */
  lastEventId: string;
}

export interface SseHandlers {
  onEvent: (event: SseEvent) => void;
  /** A `retry` field: the server's reconnection delay, in milliseconds. */
  onRetry?: (milliseconds: number) => void;
  /** A comment line (its text after the `:`), such as a heartbeat. */
  onComment?: (text: string) => void;
}

export class SseParser {
  /** The unfinished last line of the text so far. */
  private partial = '';
  /** The previous chunk ended with CR: an LF opening the next one belongs to it. */
  private afterCr = false;
  private type = '';
  private data: string[] = [];
  /** The `id` field as last set; it becomes the last event id at the next blank line. */
  private idBuffer: string;
  private committedId: string;

  constructor(
    private readonly handlers: SseHandlers,
    /** The last event id from an earlier connection, if any (as EventSource keeps it). */
    lastEventId = '',
  ) {
    this.idBuffer = lastEventId;
    this.committedId = lastEventId;
  }

  /**
   * The last event id, for `Last-Event-ID` when re-opening the stream: set at each blank line, even one
   * that dispatches nothing.
   */
  get lastEventId(): string {
    return this.committedId;
  }

  /** Feeds the next piece of the stream's text. */
  push(chunk: string): void {
    if (chunk === '') return;
    let from = this.afterCr && chunk.startsWith('\n') ? 1 : 0;
    this.afterCr = false;
    const lineEnd = /\r\n?|\n/g; // one per call: a handler may feed another parser meanwhile
    lineEnd.lastIndex = from;
    for (let match = lineEnd.exec(chunk); match !== null; match = lineEnd.exec(chunk)) {
      const line = this.partial + chunk.slice(from, match.index);
      this.partial = '';
      from = lineEnd.lastIndex;
      if (match[0] === '\r' && from === chunk.length) this.afterCr = true;
      this.line(line);
    }
    this.partial += chunk.slice(from);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.handlers.onComment?.(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    const { type, data } = this;
    this.type = '';
    this.data = [];
    this.committedId = this.idBuffer;
    if (data.length === 0) return;
    this.handlers.onEvent({
      type: type === '' ? 'message' : type,
      data: data.join('\n'),
      lastEventId: this.committedId,
    });
  }
}
