/**
 * `mephisto export`, in-process against a SQLite file seeded through the store: both formats to stdout
 * and to files, selections, the format from the file name, errors (unknown name, bad format or status,
 * unwritable path, no database), the progress bar on a terminal, and Ctrl-C.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliContext } from '../../src/cli/program.js';
import { ManualClock, type Worker } from '../../src/core/index.js';
import { EXPORT_COLUMNS, type ExportRecord } from '../../src/export/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { TRICKY_TEXTS, seedRun, seedWorkers, submitUnit } from '../export/export-fixtures.js';
import { parseCsv } from '../export/rfc4180-parse.js';
import { runMephisto, tempDir } from './run-cli.js';

let dir: string;
let cleanup: () => void;
let db: string;
/** Two runs of task "labels": the first with 3 submitted units (one accepted) and 1 untouched. */
let seeded: { firstRun: string; secondRun: string; unitIds: string[] };

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'export.db');
  const clock = new ManualClock();
  const store = await openStore({ kind: 'sqlite', path: db }, { clock });
  try {
    const first = await seedRun(store, {
      taskName: 'labels',
      units: 4,
      input: (i) => ({ text: TRICKY_TEXTS[i] }),
    });
    const second = await seedRun(store, { task: first.task, units: 1 });
    const [worker] = await seedWorkers(store, 1);
    const agents = [];
    for (const [i, unit] of first.units.slice(0, 3).entries()) {
      agents.push(await submitUnit(store, clock, unit, worker as Worker, { label: TRICKY_TEXTS[i] }));
    }
    await store.transitionAgent(agents[0]?.id ?? '', { from: 'completed', to: 'approved' });
    await submitUnit(store, clock, second.units[0] as (typeof second.units)[number], worker as Worker, {
      label: 'x',
    });
    seeded = { firstRun: first.run.id, secondRun: second.run.id, unitIds: first.units.map((u) => u.id) };
  } finally {
    await store.close();
  }
});
afterEach(() => {
  cleanup();
});

const env = (): NodeJS.ProcessEnv => ({ MEPHISTO_DATA_DIR: dir });
const mephisto = (...args: string[]) => runMephisto(['--db', db, ...args], { env: env() });

function jsonl(text: string): ExportRecord[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportRecord);
}

describe('mephisto export', () => {
  it('writes JSONL to stdout by task name: every run, units with an agent, nothing on stderr', async () => {
    const result = await mephisto('export', 'labels');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const records = jsonl(result.stdout);
    expect(records.map((r) => r.task_run_id)).toEqual([
      seeded.firstRun,
      seeded.firstRun,
      seeded.firstRun,
      seeded.secondRun,
    ]);
    expect(records[0]).toMatchObject({ status: 'accepted', data: { label: TRICKY_TEXTS[0] } });
    expect(records[1]?.input_data).toEqual({ text: TRICKY_TEXTS[1] });
  });

  it('writes CSV by run id, with --status (repeated or comma-separated) and --all-units', async () => {
    const csv = await mephisto(
      'export',
      seeded.firstRun,
      '--format',
      'csv',
      '--status',
      'completed,accepted',
    );
    expect(csv.code).toBe(0);
    const [header, ...rows] = parseCsv(csv.stdout);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(3);
    const accepted = await mephisto('export', seeded.firstRun, '--status', 'accepted');
    expect(jsonl(accepted.stdout).map((r) => r.unit_id)).toEqual([seeded.unitIds[0]]);
    const all = await mephisto(
      'export',
      seeded.firstRun,
      '--all-units',
      '--status',
      'launched',
      '--status',
      'completed',
    );
    expect(jsonl(all.stdout).map((r) => r.status)).toEqual(['completed', 'completed', 'launched']);
  });

  it('--out FILE: the format from the extension, a final line, no partial file; --bom for Excel', async () => {
    const out = join(dir, 'results.csv');
    const result = await mephisto('export', 'labels', '--out', out, '--bom');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Exported 4 units (csv) to ${out}\n`);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('\uFEFFtask_name,')).toBe(true);
    expect(parseCsv(text.slice(1))).toHaveLength(5);
    expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);

    const jsonOut = join(dir, 'results.jsonl');
    expect((await mephisto('export', seeded.secondRun, '-o', jsonOut)).stdout).toBe(
      `Exported 1 unit (jsonl) to ${jsonOut}\n`,
    );
    expect(jsonl(readFileSync(jsonOut, 'utf8'))).toHaveLength(1);
  });

  it('shows a progress bar on stderr when it is a terminal', async () => {
    let stdout = '';
    let stderr = '';
    const context: CliContext = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: Object.assign({ write: (text: string) => (stderr += text) }, { isTTY: true, columns: 80 }),
      env: env(),
    };
    const out = join(dir, 'bar.jsonl');
    expect(await runCli(['--db', db, 'export', 'labels', '-o', out], context)).toBe(0);
    expect(stderr).toContain('exporting [');
    expect(stdout).toBe(`Exported 4 units (jsonl) to ${out}\n`);
  });

  it('an unknown task or run, or no database at all: exit 1 with the error code, nothing created', async () => {
    for (const name of ['nope', '123456789']) {
      const result = await mephisto('export', name);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('error [MEPHISTO_ERR_EXPORT_TARGET_NOT_FOUND]');
      expect(result.stderr).toContain(`"${name}"`);
      expect(result.stderr).toContain('hint: List tasks and their runs with `mephisto runs`');
    }
    const missing = join(dir, 'none.db');
    const result = await runMephisto(['--db', missing, 'export', 'labels'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`there is no database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('an unwritable path: exit 1 with MEPHISTO_ERR_EXPORT_OUTPUT, and nothing written', async () => {
    const out = join(dir, 'missing', 'results.csv');
    const result = await mephisto('export', 'labels', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error [MEPHISTO_ERR_EXPORT_OUTPUT]');
    expect(result.stderr).toContain('its folder does not exist');
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('usage errors exit 2: a bad format or status, --bom without CSV, no name', async () => {
    for (const [args, message] of [
      [['export', 'labels', '--format', 'xml'], "argument 'xml' is invalid. Allowed choices are jsonl, csv."],
      [['export', 'labels', '--status', 'done'], '"done" is not a unit status'],
      [['export', 'labels', '--bom'], '--bom applies to CSV only'],
      [['export'], "missing required argument 'task_name|run_id'"],
    ] as const) {
      const result = await mephisto(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('error [MEPHISTO_ERR_USAGE]');
      expect(result.stderr).toContain(message);
    }
  });

  it('Ctrl-C stops the export: exit 130, the partial file removed, an existing file kept', async () => {
    const out = join(dir, 'kept.jsonl');
    const first = await mephisto('export', 'labels', '-o', out);
    expect(first.code).toBe(0);
    const before = readFileSync(out, 'utf8');
    const signals = new EventEmitter();
    let stderr = '';
    // The store raises SIGINT as the first page is read, as a user pressing Ctrl-C would.
    const openInterrupted: CliContext['openStore'] = async (config, options) => {
      const store = await openStore(config, options);
      return new Proxy(store, {
        get(target, property, receiver) {
          if (property === 'readUnitExportPage') {
            return (...args: Parameters<Store['readUnitExportPage']>) => {
              signals.emit('SIGINT');
              return target.readUnitExportPage(...args);
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    const code = await runCli(['--db', db, 'export', 'labels', '-o', out], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: env(),
      signals,
      openStore: openInterrupted,
    });
    expect(code).toBe(130);
    expect(stderr).toBe(
      `Export interrupted (SIGINT); ${out} was not written (a file already there is unchanged).\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});
