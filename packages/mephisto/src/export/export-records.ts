/**
 * The records of an export, read a page at a time (keyset on unit id) so memory holds one page
 * whatever the size of the runs: runs oldest first, units by id within a run.
 */
import type { UnitStatus } from '../core/index.js';
import type { Store, UnitExportPage } from '../store/store.js';
import { toExportRecord, type ExportRecord } from './export-record.js';
import type { ExportTarget } from './export-target.js';

/** Which units an export holds. */
export interface ExportSelection {
  /** Only units in these statuses. @default every status */
  readonly statuses?: readonly UnitStatus[] | undefined;
  /**
   * Also units that have no agent (never taken by a worker, or offered again after a worker left).
   * @default false: only units a worker has (or had, for reviewed and expired ones)
   */
  readonly includeUnassigned?: boolean | undefined;
  /** Units per store query. @default 1000 */
  readonly pageSize?: number | undefined;
}

/** Pages of records; checks `signal` before each query, so an abort stops within one page. */
export async function* exportRecordPages(
  store: Store,
  target: ExportTarget,
  selection: ExportSelection = {},
  signal?: AbortSignal,
): AsyncGenerator<ExportRecord[]> {
  const limit = selection.pageSize ?? 1000;
  for (const run of target.runs) {
    let cursor: string | null = null;
    do {
      signal?.throwIfAborted();
      const page: UnitExportPage = await store.readUnitExportPage({
        taskRunId: run.id,
        cursor,
        limit,
        includeUnassigned: selection.includeUnassigned === true,
        ...(selection.statuses !== undefined ? { statuses: selection.statuses } : {}),
      });
      if (page.rows.length > 0) yield page.rows.map((row) => toExportRecord(row, target.task.name));
      cursor = page.next;
    } while (cursor !== null);
  }
}

/** How many units the export will hold (for a progress bar): two counts per run at most. */
export async function countExportRecords(
  store: Store,
  target: ExportTarget,
  selection: ExportSelection = {},
): Promise<number> {
  let total = 0;
  for (const run of target.runs) {
    const filter = {
      taskRunId: run.id,
      ...(selection.statuses !== undefined ? { status: selection.statuses } : {}),
    };
    total += await store.countUnits(filter);
    if (selection.includeUnassigned !== true) total -= await store.countUnits({ ...filter, agentId: null });
  }
  return total;
}
