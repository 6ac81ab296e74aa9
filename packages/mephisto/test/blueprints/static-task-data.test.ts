import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InitializationData } from '../../src/blueprints/blueprint.js';
import type { BlueprintContext, SharedTaskState } from '../../src/blueprints/blueprint-context.js';
import {
  TaskDataInvalidError,
  TaskDataMissingError,
  TaskFileNotFoundError,
} from '../../src/blueprints/blueprint-errors.js';
import type { StaticDataArgs } from '../../src/blueprints/static-task/static-task-data.js';
import {
  selectStaticDataSource,
  staticInitializationData,
} from '../../src/blueprints/static-task/static-task-data.js';
import { resolveTaskPath } from '../../src/blueprints/task-path.js';
import { collect } from './fake-agent-session.js';
import { FIXTURE_ITEMS, FIXTURE_TASK_DIR, TempTaskDir } from './task-data-files.js';

const temp = new TempTaskDir();
afterAll(() => {
  temp.remove();
});

function dataArgs(fields: Partial<StaticDataArgs>): StaticDataArgs {
  return { units_per_assignment: 1, ...fields };
}

/** Selects the source (construction-time checks) and reads every item (iteration-time checks). */
async function load(
  fields: Partial<StaticDataArgs>,
  context: Partial<BlueprintContext> = {},
): Promise<InitializationData[]> {
  const args = dataArgs(fields);
  const source = selectStaticDataSource('static_task', args, { taskDir: temp.path, ...context });
  return collect(staticInitializationData(source, args.units_per_assignment));
}

async function sharedOf(
  fields: Partial<StaticDataArgs>,
  context?: Partial<BlueprintContext>,
): Promise<unknown[]> {
  return (await load(fields, context)).map((d) => d.shared);
}

/** The error `promise` rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome: unknown = await promise.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error;
}

async function dataError(
  fields: Partial<StaticDataArgs>,
  context?: Partial<BlueprintContext>,
): Promise<Error> {
  return rejection(load(fields, context));
}

describe('static task data: formats', () => {
  const fixture = { taskDir: FIXTURE_TASK_DIR };

  it('reads data_csv: the header names the fields, every value is a string', async () => {
    expect(await sharedOf({ data_csv: 'data.csv' }, fixture)).toEqual(FIXTURE_ITEMS);
  });

  it('reads data_json: an array of objects', async () => {
    expect(await sharedOf({ data_json: 'data.json' }, fixture)).toEqual(FIXTURE_ITEMS);
  });

  it('reads data_jsonl: one object per line', async () => {
    expect(await sharedOf({ data_jsonl: 'data.jsonl' }, fixture)).toEqual(FIXTURE_ITEMS);
  });

  it('gives each item units_per_assignment distinct empty unit entries', async () => {
    const data = await load({ data_csv: 'data.csv', units_per_assignment: 3 }, fixture);
    expect(data).toHaveLength(2);
    for (const item of data) {
      expect(item.unitData).toEqual([{}, {}, {}]);
      expect(new Set(item.unitData).size).toBe(3);
    }
  });

  it('reads a CSV with a byte-order mark, CRLF line ends, empty lines and multi-line fields', async () => {
    temp.write('excel.csv', '\uFEFFid,comment\r\n1,"two\r\nlines"\r\n\r\n2,"a, b"\r\n\r\n');
    expect(await sharedOf({ data_csv: 'excel.csv' })).toEqual([
      { id: '1', comment: 'two\r\nlines' },
      { id: '2', comment: 'a, b' },
    ]);
  });

  it('keeps a CSV column named __proto__ as a plain field', async () => {
    temp.write('proto.csv', '__proto__,b\nx,y\n');
    const [item] = await sharedOf({ data_csv: 'proto.csv' });
    expect(Object.keys(item as object)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
  });

  it('reads a header-only CSV as no items', async () => {
    temp.write('header-only.csv', 'a,b\n');
    expect(await load({ data_csv: 'header-only.csv' })).toEqual([]);
  });

  it('reads a JSON file with a byte-order mark, and nested values as they are', async () => {
    temp.write('bom.json', '\uFEFF[{"n": 1, "tags": ["x"], "meta": {"k": null}}]');
    expect(await sharedOf({ data_json: 'bom.json' })).toEqual([{ n: 1, tags: ['x'], meta: { k: null } }]);
  });

  it('reads a JSONL file with a byte-order mark, CRLF line ends and blank lines', async () => {
    temp.write('crlf.jsonl', '\uFEFF{"a": 1}\r\n\r\n  \r\n{"a": 2}\r\n');
    expect(await sharedOf({ data_jsonl: 'crlf.jsonl' })).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reads a JSONL file whose last line has no line break', async () => {
    temp.write('no-eol.jsonl', '{"a": 1}\n{"a": 2}');
    expect(await sharedOf({ data_jsonl: 'no-eol.jsonl' })).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe('static task data: choosing the source', () => {
  const fixture = { taskDir: FIXTURE_TASK_DIR };

  it('takes data_csv over data_json over data_jsonl, as Mephisto does', () => {
    const args = dataArgs({ data_csv: 'data.csv', data_json: 'data.json', data_jsonl: 'data.jsonl' });
    const source = selectStaticDataSource('static_task', args, fixture);
    expect(source).toMatchObject({ kind: 'file', file: { argument: 'data_csv' } });
    const withoutCsv = selectStaticDataSource('static_task', { ...args, data_csv: undefined }, fixture);
    expect(withoutCsv).toMatchObject({ kind: 'file', file: { argument: 'data_json' } });
  });

  it('treats an argument set to the empty string as unset', () => {
    const args = dataArgs({ data_csv: '', data_jsonl: 'data.jsonl' });
    expect(selectStaticDataSource('static_task', args, fixture)).toMatchObject({
      file: { argument: 'data_jsonl', path: join(FIXTURE_TASK_DIR, 'data.jsonl'), given: 'data.jsonl' },
    });
  });

  it('uses a data file even when the run script supplies data', async () => {
    const sharedState: SharedTaskState = { staticTaskData: [{ from: 'script' }] };
    expect(await sharedOf({ data_json: 'data.json' }, { ...fixture, sharedState })).toEqual(FIXTURE_ITEMS);
  });

  it('resolves relative paths against the task directory, not the working directory', () => {
    const source = selectStaticDataSource('static_task', dataArgs({ data_csv: './data.csv' }), fixture);
    expect(source).toMatchObject({ file: { path: join(FIXTURE_TASK_DIR, 'data.csv') } });
  });

  it('accepts absolute paths', async () => {
    const path = join(FIXTURE_TASK_DIR, 'data.json');
    expect(await sharedOf({ data_json: path }, { taskDir: '/nonexistent' })).toEqual(FIXTURE_ITEMS);
  });

  it('expands ~ to the home directory, as Mephisto does', () => {
    expect(resolveTaskPath('/tasks/x', '~/data.csv')).toBe(join(homedir(), 'data.csv'));
    expect(resolveTaskPath('/tasks/x', '~')).toBe(homedir());
    expect(resolveTaskPath('/tasks/x', 'a/../b.csv')).toBe('/tasks/x/b.csv');
  });
});

describe('static task data: run-script data', () => {
  it('reads an array', async () => {
    const sharedState = { staticTaskData: [{ a: 1 }, { a: 2 }] };
    const data = await load({ units_per_assignment: 2 }, { sharedState });
    expect(data).toEqual([
      { shared: { a: 1 }, unitData: [{}, {}] },
      { shared: { a: 2 }, unitData: [{}, {}] },
    ]);
  });

  it('keeps a sync source sync, and re-iterable when it is an array', () => {
    const sharedState = { staticTaskData: [{ a: 1 }] };
    const source = selectStaticDataSource('static_task', dataArgs({}), { taskDir: temp.path, sharedState });
    const data = staticInitializationData(source, 1);
    expect(Symbol.iterator in data).toBe(true);
    expect([...(data as Iterable<InitializationData>)]).toHaveLength(1);
    expect([...(data as Iterable<InitializationData>)]).toHaveLength(1);
  });

  it('reads a generator lazily, so an endless one is fine', () => {
    let produced = 0;
    function* endless(): Generator<{ n: number }> {
      for (;;) yield { n: produced++ };
    }
    const source = selectStaticDataSource('static_task', dataArgs({}), {
      taskDir: temp.path,
      sharedState: { staticTaskData: endless() },
    });
    const iterator = (staticInitializationData(source, 1) as Iterable<InitializationData>)[Symbol.iterator]();
    expect(sharedOfResult(iterator.next())).toEqual({ n: 0 });
    expect(sharedOfResult(iterator.next())).toEqual({ n: 1 });
    expect(produced).toBe(2);
  });

  it('reads an async iterator', async () => {
    async function* items(): AsyncGenerator<{ n: number }> {
      await Promise.resolve();
      yield { n: 1 };
      yield { n: 2 };
    }
    expect(await sharedOf({}, { sharedState: { staticTaskData: items() } })).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('rejects an item that is not an object, naming its index', async () => {
    const staticTaskData = [{ a: 1 }, 7] as unknown as SharedTaskState['staticTaskData'];
    const error = await dataError({}, { sharedState: { staticTaskData } });
    expect(error).toBeInstanceOf(TaskDataInvalidError);
    expect(error.message).toBe('staticTaskData (run script): item 1 is a number, expected an object');
  });
});

describe('static task data: errors', () => {
  it('names the argument and the resolved path of a missing file', () => {
    const error = (() => {
      try {
        selectStaticDataSource('static_task', dataArgs({ data_csv: 'nope.csv' }), { taskDir: temp.path });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TaskFileNotFoundError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_TASK_FILE_NOT_FOUND',
      message: `data_csv: file ${join(temp.path, 'nope.csv')} does not exist (given as "nope.csv")`,
    });
  });

  it('does not repeat an absolute path that was given as is', async () => {
    const path = join(temp.path, 'absent.jsonl');
    const error = await dataError({ data_jsonl: path });
    expect(error.message).toBe(`data_jsonl: file ${path} does not exist`);
  });

  it('refuses a folder', async () => {
    mkdirSync(join(temp.path, 'folder.json'), { recursive: true });
    const error = await dataError({ data_json: 'folder.json' });
    expect(error).toBeInstanceOf(TaskFileNotFoundError);
    expect(error.message).toBe(
      `data_json: ${join(temp.path, 'folder.json')} is a folder, not a file (given as "folder.json")`,
    );
  });

  it('reports a file that disappeared after the blueprint was built when it is read', async () => {
    const path = temp.write('vanishing.csv', 'a\n1\n');
    const source = selectStaticDataSource('static_task', dataArgs({ data_csv: 'vanishing.csv' }), {
      taskDir: temp.path,
    });
    rmSync(path);
    const error = await rejection(collect(staticInitializationData(source, 1)));
    expect(error).toBeInstanceOf(TaskFileNotFoundError);
    expect(error.message).toBe(`data_csv: file ${path} does not exist (given as "vanishing.csv")`);
  });

  it('CSV: an empty file has no header', async () => {
    const path = temp.write('empty.csv', '\uFEFF\r\n\r\n');
    const error = await dataError({ data_csv: 'empty.csv' });
    expect(error).toBeInstanceOf(TaskDataInvalidError);
    expect(error).toMatchObject({ code: 'MEPHISTO_ERR_TASK_DATA_INVALID' });
    expect(error.message).toBe(`${path}: the file is empty; expected a header row naming the fields`);
  });

  it('CSV: a row with more fields than the header names file:line', async () => {
    const path = temp.write('long-row.csv', 'a,b\n1,2\n\n"x\ny",2,3\n');
    const error = await dataError({ data_csv: 'long-row.csv' });
    expect(error.message).toBe(`${path}:4: row has 3 fields but the header has 2`);
    expect(error).toMatchObject({ source: path, line: 4, problem: 'row has 3 fields but the header has 2' });
  });

  it('CSV: a row with fewer fields than the header names file:line', async () => {
    const path = temp.write('short-row.csv', 'a,b\r\n1,2\r\n3\r\n');
    expect((await dataError({ data_csv: 'short-row.csv' })).message).toBe(
      `${path}:3: row has 1 field but the header has 2`,
    );
  });

  it('CSV: a header naming a column twice', async () => {
    const path = temp.write('dup.csv', 'a,b,a\n1,2,3\n');
    expect((await dataError({ data_csv: 'dup.csv' })).message).toBe(
      `${path}:1: the header names column "a" twice (columns 1 and 3)`,
    );
  });

  it('CSV: a quoted field that is never closed', async () => {
    const path = temp.write('open-quote.csv', 'a,b\n1,"2\n3,4\n');
    expect((await dataError({ data_csv: 'open-quote.csv' })).message).toBe(
      `${path}:2: a quoted field is never closed (missing ")`,
    );
  });

  it('CSV: text after a closing quote', async () => {
    const path = temp.write('after-quote.csv', 'a,b\n1,2\n"3"x,4\n');
    expect((await dataError({ data_csv: 'after-quote.csv' })).message).toBe(
      `${path}:3: unexpected "x" after the closing quote of a field (inside a quoted field a quote is written as "")`,
    );
  });

  it('JSON: not valid JSON, with the line when JSON.parse gives a position', async () => {
    const path = temp.write('syntax.json', '[\n  {"a": 1},\n  {"b": 2\n]\n');
    const error = await dataError({ data_json: 'syntax.json' });
    expect(error).toBeInstanceOf(TaskDataInvalidError);
    expect(error.message).toMatch(new RegExp(`^${escape(path)}:4: not valid JSON: `));
  });

  it('JSON: not valid JSON, without a line when JSON.parse gives none', async () => {
    const path = temp.write('truncated.json', '');
    expect((await dataError({ data_json: 'truncated.json' })).message).toBe(
      `${path}: not valid JSON: Unexpected end of JSON input`,
    );
  });

  it('JSON: the top level is not an array', async () => {
    const path = temp.write('object.json', '{"items": []}');
    expect((await dataError({ data_json: 'object.json' })).message).toBe(
      `${path}: expected a JSON array of objects, got an object`,
    );
  });

  it('JSON: an item that is not an object, by index, before any item is yielded', async () => {
    const path = temp.write('mixed.json', '[{"a": 1}, "two", {"a": 3}]');
    const args = dataArgs({ data_json: 'mixed.json' });
    const source = selectStaticDataSource('static_task', args, { taskDir: temp.path });
    const iterator = (staticInitializationData(source, 1) as AsyncIterable<InitializationData>)[
      Symbol.asyncIterator
    ]();
    const error = await rejection(iterator.next());
    expect(error.message).toBe(`${path}: item 1 of the array is a string, expected an object`);
  });

  it.each([
    ['null', 'null'],
    ['[1]', 'an array'],
    ['true', 'a boolean'],
  ])('JSON: an item %s is reported as %s', async (item, described) => {
    const path = temp.write('item.json', `[${item}]`);
    expect((await dataError({ data_json: 'item.json' })).message).toBe(
      `${path}: item 0 of the array is ${described}, expected an object`,
    );
  });

  it('JSONL: a line that is not valid JSON', async () => {
    const path = temp.write('bad.jsonl', '{"a": 1}\n\n{"a": \n{"a": 3}\n');
    const error = await dataError({ data_jsonl: 'bad.jsonl' });
    expect(error).toMatchObject({ code: 'MEPHISTO_ERR_TASK_DATA_INVALID', line: 3 });
    expect(error.message).toMatch(new RegExp(`^${escape(path)}:3: not valid JSON: `));
  });

  it.each([
    ['[1, 2]', 'an array'],
    ['"text"', 'a string'],
    ['null', 'null'],
    ['42', 'a number'],
  ])('JSONL: a line holding %s is reported as %s', async (line, described) => {
    const path = temp.write('values.jsonl', `{"a": 1}\r\n${line}\r\n`);
    expect((await dataError({ data_jsonl: 'values.jsonl' })).message).toBe(
      `${path}:2: expected a JSON object, got ${described}`,
    );
  });

  it('no data at all', () => {
    expect(() => selectStaticDataSource('static_task', dataArgs({}), { taskDir: temp.path })).toThrow(
      new TaskDataMissingError(
        'the static_task blueprint has no data: set mephisto.blueprint.data_csv, data_json or data_jsonl, ' +
          'or pass staticTaskData from the run script',
      ),
    );
  });

  it('an empty list from the run script', () => {
    const context = { taskDir: temp.path, sharedState: { staticTaskData: [] } };
    let error: unknown;
    try {
      selectStaticDataSource('static_react_task', dataArgs({}), context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TaskDataMissingError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_TASK_DATA_MISSING',
      message:
        "the run script's staticTaskData is an empty list; the static_react_task blueprint needs at least one item",
    });
  });
});

describe('static task data: lazy, streaming reads', () => {
  it('reads the file when iterated, not when the source is chosen, and again on each iteration', async () => {
    temp.write('changing.jsonl', '{"v": 1}\n');
    const source = selectStaticDataSource('static_task', dataArgs({ data_jsonl: 'changing.jsonl' }), {
      taskDir: temp.path,
    });
    const data = staticInitializationData(source, 1);
    temp.write('changing.jsonl', '{"v": 2}\n{"v": 3}\n');
    expect((await collect(data)).map((d) => d.shared)).toEqual([{ v: 2 }, { v: 3 }]);
    temp.write('changing.jsonl', '{"v": 4}\n');
    expect((await collect(data)).map((d) => d.shared)).toEqual([{ v: 4 }]);
  });

  it('streams a 100,000-row JSONL file', async () => {
    const rows = 100_000;
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) lines.push(JSON.stringify({ id: i, text: `sentence number ${i}` }));
    temp.write('big.jsonl', lines.join('\n') + '\n');
    const source = selectStaticDataSource('static_task', dataArgs({ data_jsonl: 'big.jsonl' }), {
      taskDir: temp.path,
    });
    let count = 0;
    let last: unknown;
    for await (const item of staticInitializationData(source, 1)) {
      if (count === 0) expect(item.shared).toEqual({ id: 0, text: 'sentence number 0' });
      last = item.shared;
      count++;
    }
    expect(count).toBe(rows);
    expect(last).toEqual({ id: rows - 1, text: `sentence number ${rows - 1}` });
  });

  it('streams a 100,000-row CSV file', async () => {
    const rows = 100_000;
    const lines = ['id,text'];
    for (let i = 0; i < rows; i++) lines.push(`${i},"sentence, number ${i}"`);
    temp.write('big.csv', lines.join('\r\n'));
    const source = selectStaticDataSource('static_task', dataArgs({ data_csv: 'big.csv' }), {
      taskDir: temp.path,
    });
    let count = 0;
    const wrong: unknown[] = []; // checked by hand: 100,000 expect() calls would dominate the test's time
    for await (const { shared } of staticInitializationData(source, 1)) {
      if (shared.id !== String(count) || shared.text !== `sentence, number ${count}`) wrong.push(shared);
      count++;
    }
    expect(wrong).toEqual([]);
    expect(count).toBe(rows);
  });

  // A named pipe proves the reader yields rows while the file is still being written: a reader that
  // waited for the whole file would never see the first row, because the writer waits for it.
  it.skipIf(process.platform === 'win32').each([
    ['data_jsonl', '{"n": 1}\n', '{"n": 2}\n', { n: 1 }],
    ['data_csv', 'n\n1\n', '2\n', { n: '1' }],
  ] as const)(
    'yields the first %s row before the rest of the file exists',
    async (argument, head, tail, first) => {
      const fifo = join(temp.path, `stream-${argument}`);
      execFileSync('mkfifo', [fifo]);
      const source = selectStaticDataSource('static_task', dataArgs({ [argument]: fifo }), {
        taskDir: temp.path,
      });
      const iterator = (staticInitializationData(source, 1) as AsyncIterable<InitializationData>)[
        Symbol.asyncIterator
      ]();
      const writer = createWriteStream(fifo);
      writer.write(head);
      const firstItem = await iterator.next();
      expect(sharedOfResult(firstItem)).toEqual(first);
      writer.end(tail);
      const rest: unknown[] = [];
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        rest.push(next.value.shared);
      }
      expect(rest).toHaveLength(1);
    },
  );
});

/** The `shared` data of an iterator step, or undefined at the end. */
function sharedOfResult(result: IteratorResult<InitializationData, unknown>): unknown {
  return result.done === true ? undefined : result.value.shared;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
