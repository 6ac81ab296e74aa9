/**
 * Streaming exports end to end on every store target: JSONL and CSV read back exactly (commas, quotes,
 * newlines, non-ASCII, emoji, markup), selections, by task and by run, backpressure, failing outputs,
 * and files written through FILE.partial.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MephistoError, type Worker } from '../../src/core/index.js';
import {
  EXPORT_COLUMNS,
  exportToFile,
  partialPath,
  resolveExportTarget,
  streamExport,
  type ExportFormat,
  type ExportRecord,
  type ExportSelection,
} from '../../src/export/index.js';
import type { Store } from '../../src/store/store.js';
import { rejectionOf } from '../store/fixtures.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { TRICKY_TEXTS, seedRun, seedWorkers, submitUnit, type SeededRun } from './export-fixtures.js';
import { parseCsv } from './rfc4180-parse.js';

/** Collects what an export writes, like the CLI's test sinks. */
function collector(): { out: { write(text: string): boolean }; text: () => string } {
  let text = '';
  return {
    out: {
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
    },
    text: () => text,
  };
}

async function exportText(
  store: Store,
  name: string,
  format: ExportFormat,
  selection: ExportSelection & { bom?: boolean } = {},
): Promise<{ text: string; rows: number }> {
  const sink = collector();
  const target = await resolveExportTarget(store, name);
  const { rows } = await streamExport({ store, target, format, out: sink.out, ...selection });
  return { text: sink.text(), rows };
}

function jsonl(text: string): ExportRecord[] {
  expect(text.endsWith('\n') || text === '').toBe(true);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportRecord);
}

/** CSV records as objects keyed by the header. */
function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual([...EXPORT_COLUMNS]);
  return rows.map((fields) => {
    expect(fields).toHaveLength(EXPORT_COLUMNS.length);
    return Object.fromEntries(EXPORT_COLUMNS.map((column, i) => [column, fields[i] ?? '']));
  });
}

for (const target of STORE_TARGETS) {
  describe.skipIf(!target.available)(`export [${target.name}]`, () => {
    const h = useStore(target);

    /** One unit per tricky text: tricky submission, input, worker name and review feedback. */
    async function trickyRun(): Promise<{ seeded: SeededRun; workers: Worker[] }> {
      const seeded = await seedRun(h.store, {
        taskName: 'tricky, "task" 🎉',
        units: TRICKY_TEXTS.length,
        input: (i) => ({ shared: { prompt: TRICKY_TEXTS[i] }, unit_data: [{ i }] }),
      });
      const workers: Worker[] = [];
      for (const [i, text] of TRICKY_TEXTS.entries()) {
        const worker = await h.store.createWorker({ name: `w${i} ${text}`, providerType: 'mock' });
        workers.push(worker);
        const unit = seeded.units[i];
        if (!unit) throw new Error('seed failed');
        const agent = await submitUnit(h.store, h.clock, unit, worker, {
          text,
          nested: { list: [text, i, null, true] },
        });
        await h.store.transitionAgent(agent.id, { from: 'completed', to: 'approved' });
        await h.store.createWorkerReview({
          workerId: worker.id,
          unitId: unit.id,
          status: 'approved',
          reviewNote: text,
          bonus: 0.1,
        });
      }
      return { seeded, workers };
    }

    it('JSONL reads back exactly: one object per line, nested data kept as JSON', async () => {
      const { seeded, workers } = await trickyRun();
      const { text, rows } = await exportText(h.store, seeded.run.id, 'jsonl');
      expect(rows).toBe(TRICKY_TEXTS.length);
      const records = jsonl(text);
      expect(records).toHaveLength(TRICKY_TEXTS.length);
      for (const [i, record] of records.entries()) {
        expect(Object.keys(record)).toEqual([...EXPORT_COLUMNS]);
        const tricky = TRICKY_TEXTS[i] ?? '';
        expect(record).toMatchObject({
          task_name: 'tricky, "task" 🎉',
          task_run_id: seeded.run.id,
          unit_id: seeded.units[i]?.id,
          unit_index: 0,
          status: 'accepted',
          worker_id: workers[i]?.id,
          worker_name: `w${i} ${tricky}`,
          agent_status: 'approved',
          duration_seconds: 60,
          pay: 0.5,
          bonus_total: 0.1,
          review_status: 'approved',
          review_feedback: tricky,
          data: { text: tricky, nested: { list: [tricky, i, null, true] } },
          input_data: { shared: { prompt: tricky }, unit_data: [{ i }] },
        });
        expect(Date.parse(record.submitted_at ?? '') - Date.parse(record.assigned_at ?? '')).toBe(60_000);
      }
    });

    it('CSV reads back exactly with an RFC 4180 parser; nested data is JSON text; BOM on request', async () => {
      const { seeded, workers } = await trickyRun();
      const { text } = await exportText(h.store, seeded.run.id, 'csv');
      expect(text.startsWith('task_name,task_run_id,unit_id,')).toBe(true);
      expect(text.endsWith('\r\n')).toBe(true);
      const records = csvObjects(text);
      expect(records).toHaveLength(TRICKY_TEXTS.length);
      for (const [i, record] of records.entries()) {
        const tricky = TRICKY_TEXTS[i] ?? '';
        expect(record.task_name).toBe('tricky, "task" 🎉');
        expect(record.unit_id).toBe(seeded.units[i]?.id);
        expect(record.worker_id).toBe(workers[i]?.id);
        expect(record.worker_name).toBe(`w${i} ${tricky}`);
        expect(record.review_feedback).toBe(tricky);
        expect(record.pay).toBe('0.5');
        expect(record.duration_seconds).toBe('60');
        expect(JSON.parse(record.data ?? '')).toEqual({
          text: tricky,
          nested: { list: [tricky, i, null, true] },
        });
        expect(JSON.parse(record.input_data ?? '')).toEqual({
          shared: { prompt: tricky },
          unit_data: [{ i }],
        });
      }
      const withBom = await exportText(h.store, seeded.run.id, 'csv', { bom: true });
      expect(withBom.text).toBe(`\uFEFF${text}`);
      const jsonlWithBom = await exportText(h.store, seeded.run.id, 'jsonl', { bom: true });
      expect(jsonlWithBom.text.startsWith('{')).toBe(true);
    });

    it('empty fields for what does not apply; CSV of an empty selection is the header alone', async () => {
      const { run, units } = await seedRun(h.store, { units: 2, input: () => null });
      const [worker] = await seedWorkers(h.store, 1);
      if (!worker || !units[0]) throw new Error('seed failed');
      await h.store.createAgent({ workerId: worker.id, unitId: units[0].id, status: 'in task' });
      const [record] = csvObjects((await exportText(h.store, run.id, 'csv')).text);
      expect(record).toMatchObject({
        status: 'assigned',
        submitted_at: '',
        duration_seconds: '',
        bonus_total: '0',
        review_status: '',
        data: '',
        input_data: '',
      });
      const [json] = jsonl((await exportText(h.store, run.id, 'jsonl')).text);
      expect(json).toMatchObject({
        submitted_at: null,
        duration_seconds: null,
        data: null,
        input_data: null,
      });
      const none = await exportText(h.store, run.id, 'csv', { statuses: ['rejected'] });
      expect(none.rows).toBe(0);
      expect(parseCsv(none.text)).toEqual([[...EXPORT_COLUMNS]]);
      expect((await exportText(h.store, run.id, 'jsonl', { statuses: ['rejected'] })).text).toBe('');
    });

    it('selects by status, and every unit with includeUnassigned, across pages', async () => {
      const { run, units } = await seedRun(h.store, { units: 7 });
      const workers = await seedWorkers(h.store, 2);
      for (const [i, unit] of units.slice(0, 5).entries()) {
        const agent = await submitUnit(h.store, h.clock, unit, workers[i % 2] as Worker, { i });
        if (i < 2) await h.store.transitionAgent(agent.id, { from: 'completed', to: 'approved' });
      }
      const statuses = async (selection: ExportSelection): Promise<string[]> =>
        jsonl((await exportText(h.store, run.id, 'jsonl', { ...selection, pageSize: 2 })).text).map(
          (r) => r.status,
        );
      expect(await statuses({})).toEqual(['accepted', 'accepted', 'completed', 'completed', 'completed']);
      expect(await statuses({ statuses: ['accepted'] })).toEqual(['accepted', 'accepted']);
      expect(await statuses({ includeUnassigned: true })).toHaveLength(7);
      expect(await statuses({ includeUnassigned: true, statuses: ['launched'] })).toEqual([
        'launched',
        'launched',
      ]);
    });

    it('by task name: every run of the task, oldest first; by run id: that run only', async () => {
      const first = await seedRun(h.store, { taskName: 'two-runs', units: 2 });
      const second = await seedRun(h.store, { task: first.task, units: 3 });
      const [worker] = await seedWorkers(h.store, 1);
      for (const unit of [...first.units, ...second.units]) {
        await submitUnit(h.store, h.clock, unit, worker as Worker, { unit: unit.id });
      }
      const byTask = jsonl((await exportText(h.store, 'two-runs', 'jsonl')).text);
      expect(byTask.map((r) => r.task_run_id)).toEqual([
        first.run.id,
        first.run.id,
        second.run.id,
        second.run.id,
        second.run.id,
      ]);
      expect(byTask.every((r) => r.task_name === 'two-runs')).toBe(true);
      const byRun = jsonl((await exportText(h.store, second.run.id, 'jsonl')).text);
      expect(byRun.map((r) => r.unit_id)).toEqual(second.units.map((u) => u.id));
    });

    it('resolves names: a run id first, else a task name (digits too); neither is a clear error', async () => {
      const { run, task } = await seedRun(h.store, { taskName: 'named', units: 0 });
      expect(await resolveExportTarget(h.store, run.id)).toMatchObject({ kind: 'run', task, runs: [run] });
      expect(await resolveExportTarget(h.store, 'named')).toMatchObject({ kind: 'task', task, runs: [run] });
      const digits = await seedRun(h.store, { taskName: '2024', units: 0 });
      expect(await resolveExportTarget(h.store, '2024')).toMatchObject({ kind: 'task', task: digits.task });
      for (const name of ['nope', '123456789']) {
        const error = await rejectionOf(resolveExportTarget(h.store, name));
        expect(error).toBeInstanceOf(MephistoError);
        expect((error as MephistoError).code).toBe('MEPHISTO_ERR_EXPORT_TARGET_NOT_FOUND');
        expect((error as MephistoError).message).toContain(`"${name}"`);
      }
    });
  });
}

describe('export output', () => {
  const h = useStore(STORE_TARGETS[0] as (typeof STORE_TARGETS)[number]);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mephisto-export-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function submittedRun(units: number, text = 'x'.repeat(200)): Promise<SeededRun> {
    const seeded = await seedRun(h.store, { units });
    const [worker] = await seedWorkers(h.store, 1);
    for (const unit of seeded.units) await submitUnit(h.store, h.clock, unit, worker as Worker, { text });
    return seeded;
  }

  it('waits for drain: a slow stream never holds more than about one chunk', async () => {
    const { run } = await submittedRun(300, 'y'.repeat(1000));
    let received = '';
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      decodeStrings: false,
      write(chunk: string, _encoding, done) {
        received += chunk;
        setTimeout(done, 1);
      },
    });
    const write = slow.write.bind(slow);
    slow.write = ((chunk: string) => {
      const ok = write(chunk);
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      return ok;
    }) as typeof slow.write;
    const target = await resolveExportTarget(h.store, run.id);
    const { rows } = await streamExport({ store: h.store, target, format: 'jsonl', out: slow });
    expect(rows).toBe(300);
    expect(jsonl(received)).toHaveLength(300);
    // Without waiting for drain the whole export (~350 KB) would pile up in the stream's buffer.
    expect(maxBuffered).toBeLessThan(2 * 64 * 1024);
  });

  it('a failing output fails the export with its error (a closed pipe does not crash)', async () => {
    const { run } = await submittedRun(200, 'z'.repeat(1000));
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' });
    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(epipe);
      },
    });
    const target = await resolveExportTarget(h.store, run.id);
    const error = await rejectionOf(streamExport({ store: h.store, target, format: 'csv', out: broken }));
    expect(error).toBe(epipe);
  });

  it('writes FILE through FILE.partial, replacing an existing file only when complete', async () => {
    const { run } = await submittedRun(5);
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old');
    const target = await resolveExportTarget(h.store, run.id);
    const result = await exportToFile({ store: h.store, target, format: 'csv', path });
    expect(result).toEqual({ rows: 5, path });
    expect(parseCsv(readFileSync(path, 'utf8'))).toHaveLength(6);
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('an aborted export leaves no partial file and the previous file untouched', async () => {
    const { run } = await submittedRun(5);
    const path = join(dir, 'out.jsonl');
    writeFileSync(path, 'previous');
    const controller = new AbortController();
    const target = await resolveExportTarget(h.store, run.id);
    const error = await rejectionOf(
      exportToFile({
        store: h.store,
        target,
        format: 'jsonl',
        path,
        pageSize: 1,
        signal: controller.signal,
        onProgress: (written) => {
          if (written === 2) controller.abort(new Error('interrupted'));
        },
      }),
    );
    expect((error as Error).message).toBe('interrupted');
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(existsSync(partialPath(path))).toBe(false);
  });

  it('an unwritable path is MEPHISTO_ERR_EXPORT_OUTPUT, before anything is read', async () => {
    const { run } = await submittedRun(1);
    const target = await resolveExportTarget(h.store, run.id);
    writeFileSync(join(dir, 'file'), '');
    for (const [path, reason] of [
      [join(dir, 'missing', 'out.csv'), 'its folder does not exist'],
      [join(dir, 'file', 'out.csv'), 'a part of the path is not a folder'],
      [dir, 'it is a folder'],
    ] as const) {
      const error = await rejectionOf(exportToFile({ store: h.store, target, format: 'csv', path }));
      expect(error).toBeInstanceOf(MephistoError);
      expect((error as MephistoError).code).toBe('MEPHISTO_ERR_EXPORT_OUTPUT');
      expect((error as MephistoError).message).toContain(reason);
    }
    expect(readdirSync(dir)).toEqual(['file']);
  });
});
