import { describe, expect, it } from 'vitest';
import type { CsvRecord } from '../../src/blueprints/static-task/csv-records.js';
import { csvRecords, CsvSyntaxError } from '../../src/blueprints/static-task/csv-records.js';
import { collect } from './fake-agent-session.js';

/** Parses `text` fed in chunks of `size` characters (1 = every possible split point). */
async function parse(text: string, size = text.length || 1): Promise<CsvRecord[]> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return collect(csvRecords(chunks));
}

async function fields(text: string, size?: number): Promise<string[][]> {
  return (await parse(text, size)).map((r) => r.fields);
}

async function syntaxError(text: string, size?: number): Promise<CsvSyntaxError> {
  const error: unknown = await parse(text, size).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CsvSyntaxError);
  return error as CsvSyntaxError;
}

describe('csvRecords', () => {
  it('splits fields at commas and records at LF, CRLF and lone CR', async () => {
    expect(await fields('a,b\n1,2\r\n3,4\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('reads quoted fields with commas, line breaks and doubled quotes', async () => {
    expect(await fields('"a,b","line 1\nline 2","say ""hi""",""\n')).toEqual([
      ['a,b', 'line 1\nline 2', 'say "hi"', ''],
    ]);
  });

  it('keeps a CRLF inside a quoted field as written', async () => {
    expect(await fields('"x\r\ny",z\r\n')).toEqual([['x\r\ny', 'z']]);
  });

  it('keeps empty fields, including trailing ones', async () => {
    expect(await fields(',a,\n,\n')).toEqual([
      ['', 'a', ''],
      ['', ''],
    ]);
  });

  it('skips empty lines but not a line holding an empty quoted field', async () => {
    expect(await fields('a\n\n\r\n""\n\nb\n\n')).toEqual([['a'], [''], ['b']]);
  });

  it('reads a last record without a line break', async () => {
    expect(await fields('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('keeps a quote inside an unquoted field, as Python does', async () => {
    expect(await fields('5" screen,b\n')).toEqual([['5" screen', 'b']]);
  });

  it('gives each record the line it starts on, counting lines inside quoted fields', async () => {
    const records = await parse('h1,h2\r\n\r\n"multi\r\nline",x\r\nlast,y\r\n');
    expect(records.map((r) => r.line)).toEqual([1, 3, 5]);
  });

  it('gives the same result whatever the chunk boundaries, even inside a CRLF or a ""', async () => {
    const text = 'a,"b ""q"" c"\r\n\r\n"x\r\ny",z\r\nlast,"end"';
    const whole = await parse(text);
    for (const size of [1, 2, 3, 5, 7]) expect(await parse(text, size)).toEqual(whole);
  });

  it('rejects text after a closing quote, naming the line', async () => {
    const error = await syntaxError('a,b\n"x"y,z\n');
    expect(error.line).toBe(2);
    expect(error.problem).toBe(
      'unexpected "y" after the closing quote of a field (inside a quoted field a quote is written as "")',
    );
  });

  it('rejects a quoted field that is never closed, naming the line it opens on', async () => {
    const error = await syntaxError('a,b\n1,"open\n2,3\n', 2);
    expect(error.line).toBe(2);
    expect(error.problem).toBe('a quoted field is never closed (missing ")');
  });

  it('yields records while reading, not after the last chunk', async () => {
    let pulled = 0;
    function* chunks(): Generator<string> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield `${i},row\n`;
      }
    }
    const iterator = csvRecords(chunks());
    const first = await iterator.next();
    expect(first.value).toEqual({ fields: ['0', 'row'], line: 1 });
    expect(pulled).toBe(1);
    await iterator.return(undefined);
  });
});
