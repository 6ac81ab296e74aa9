/**
 * The export benchmark's measured process: exports one run as `mephisto export RUN --out FILE` does
 * (the store opened for a single pass), sampling its own resident set size, and sends the figures to
 * the parent. A process of its own, so its memory is the export's and not what seeding the database
 * left in the parent's heap and allocator.
 */
import { exportToFile } from '../../packages/mephisto/src/export/export-file.js';
import type { ExportFormat } from '../../packages/mephisto/src/export/export-format.js';
import { resolveExportTarget } from '../../packages/mephisto/src/export/export-target.js';
import { SINGLE_PASS_PAGE_CACHE_KIB } from '../../packages/mephisto/src/cli/commands/store-for-reading.js';
import { openStore } from '../../packages/mephisto/src/store/open-store.js';

export interface ExportChildRequest {
  readonly dbPath: string;
  readonly runId: string;
  readonly format: ExportFormat;
  readonly outPath: string;
}

export interface ExportChildResult {
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly startRssBytes: number;
  readonly rows: number;
}

async function exportOnce(request: ExportChildRequest): Promise<ExportChildResult> {
  const startRssBytes = process.memoryUsage.rss();
  let peakRssBytes = startRssBytes;
  const sample = (): void => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 10);
  const started = performance.now();
  try {
    const store = await openStore({
      kind: 'sqlite',
      path: request.dbPath,
      pageCacheKiB: SINGLE_PASS_PAGE_CACHE_KIB,
    });
    try {
      const target = await resolveExportTarget(store, request.runId);
      const { rows } = await exportToFile({
        store,
        target,
        format: request.format,
        path: request.outPath,
        onProgress: sample,
      });
      sample();
      return { seconds: (performance.now() - started) / 1000, peakRssBytes, startRssBytes, rows };
    } finally {
      await store.close();
    }
  } finally {
    clearInterval(sampler);
  }
}

process.once('message', (request: ExportChildRequest) => {
  exportOnce(request).then(
    (result) =>
      process.send?.({ ok: true, result }, () => {
        process.disconnect();
      }),
    (error: unknown) =>
      process.send?.({ ok: false, error: (error as Error).stack ?? String(error) }, () => {
        process.disconnect();
      }),
  );
});
