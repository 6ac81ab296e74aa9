/**
 * Slow: an export of 100,000 units keeps memory bounded (it holds one page and one chunk, never the
 * run). Units are created in bulk through the store; their agents and submissions with one SQL
 * statement behind its back (export-fixtures.ts). Retained heap is sampled after a forced garbage
 * collection every few pages: holding the rows would retain well over 100 MB.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportToFile, resolveExportTarget, type ExportFormat } from '../../src/export/index.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { seedRun, seedWorkers, submitAllUnitsSql } from './export-fixtures.js';

const UNITS = 100_000;
/** Retained heap the export may add: a page of rows, a chunk and the store's statement caches. */
const MAX_HEAP_GROWTH = 24 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Lines (LF) in a file, counted without reading it whole. */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

for (const target of STORE_TARGETS.filter((t) => t.persistent)) {
  describe.skipIf(!target.available)(`large export [${target.name}] (slow)`, () => {
    const h = useStore(target);
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mephisto-export-large-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it(`exports ${UNITS.toLocaleString('en-US')} units with bounded memory`, async () => {
      const { run } = await seedRun(h.store, {
        units: UNITS,
        input: (i) => ({ shared: {}, unit_data: [{ i }] }),
      });
      const workers = await seedWorkers(h.store, 10);
      const data = { answer: 'yes', comment: 'a, "quoted"\nmulti-line comment ✓'.repeat(4) };
      await h.rawExec(
        submitAllUnitsSql(
          run.id,
          workers.map((w) => w.id),
          data,
        ),
      );
      const exportTarget = await resolveExportTarget(h.store, run.id);

      // Both formats on SQLite; PostgreSQL reads through the same pipeline, so one format is enough there.
      const formats: readonly ExportFormat[] = target.dialect === 'sqlite' ? ['jsonl', 'csv'] : ['jsonl'];
      for (const format of formats) {
        gc();
        const before = process.memoryUsage().heapUsed;
        let peak = before;
        let pages = 0;
        const path = join(dir, `out.${format}`);
        const { rows } = await exportToFile({
          store: h.store,
          target: exportTarget,
          format,
          path,
          onProgress: () => {
            if (++pages % 10 === 0) {
              gc();
              peak = Math.max(peak, process.memoryUsage().heapUsed);
            }
          },
        });
        expect(rows).toBe(UNITS);
        expect(pages).toBe(UNITS / 1000);
        expect(peak - before).toBeLessThan(MAX_HEAP_GROWTH);
        // One line per unit (newlines in the data are escaped in its JSON text), plus the CSV header.
        expect(await countLines(path)).toBe(format === 'jsonl' ? UNITS : 1 + UNITS);
      }
    }, 120_000);
  });
}
