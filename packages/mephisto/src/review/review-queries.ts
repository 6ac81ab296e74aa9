/**
 * What the review app reads: tasks with their runs, a run's units page by page, a unit in full, a
 * worker's history across tasks, qualifications. All from the store; submitted data is returned as
 * the worker sent it (JSON data, never interpreted).
 */
import { NotFoundError, UNIT_STATUSES, type Unit, type UnitStatus, type Worker } from '../core/index.js';
import { runSpends } from '../export/run-spend.js';
import type { Store } from '../store/store.js';
import type {
  QualificationSummary,
  RunSummary,
  TaskSummary,
  UnitDetail,
  UnitPage,
  UnitRow,
  UnitStatusName,
  WorkerDetail,
} from './review-api.js';
import { actionsByUnit, cents, fileRefs, toHistoryEntry, toSpendDetail, toUnitRow } from './review-views.js';
import { decodeUnitCursor, encodeUnitCursor } from './unit-cursor.js';

/** A worker's units listed in their detail. */
export const WORKER_UNITS_LIMIT = 500;

export interface UnitPageQuery {
  /** Only these statuses (`mixed` is an assignment status: no unit has it). */
  statuses?: readonly UnitStatusName[];
  workerId?: string;
  /** A unit id, or text in the worker's name. */
  q?: string;
  cursor?: string;
  /** @default 50 */
  limit?: number;
}

/** Counts without the zeros, as the API's `Partial<Record<UnitStatusName, number>>`. */
export function nonZero(counts: Record<UnitStatus, number>): Partial<Record<UnitStatusName, number>> {
  const out: Partial<Record<UnitStatusName, number>> = {};
  for (const status of UNIT_STATUSES) if (counts[status] > 0) out[status] = counts[status];
  return out;
}

export async function listTasks(store: Store): Promise<TaskSummary[]> {
  const [tasks, runs, stats] = await Promise.all([
    store.findTasks(),
    store.findTaskRuns(),
    store.review.reviewRunStats(),
  ]);
  const spends = await runSpends(store, runs);
  const statsByRun = new Map(stats.map((s) => [s.taskRunId, s]));
  const runsByTask = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const s = statsByRun.get(run.id);
    const spend = spends.get(run.id);
    const summary: RunSummary = {
      id: run.id,
      taskId: run.taskId,
      created: run.creationDate.toISOString(),
      ended: run.isCompleted || (s?.endedAt ?? null) !== null,
      unitsByStatus: s ? nonZero(s.unitsByStatus) : {},
      spend: spend?.total ?? 0,
      ...(spend === undefined ? {} : { spendDetail: toSpendDetail(spend) }),
    };
    const list = runsByTask.get(run.taskId) ?? [];
    list.push(summary);
    runsByTask.set(run.taskId, list);
  }
  return tasks.map((task) => ({
    id: task.id,
    name: task.name,
    taskType: task.taskType,
    runs: runsByTask.get(task.id) ?? [],
  }));
}

export async function listRunUnits(store: Store, runId: string, query: UnitPageQuery): Promise<UnitPage> {
  await store.getTaskRun(runId);
  const statuses =
    query.statuses === undefined
      ? undefined
      : UNIT_STATUSES.filter((s) => (query.statuses as readonly string[]).includes(s));
  const filter = {
    taskRunId: runId,
    ...(statuses === undefined ? {} : { statuses }),
    ...(query.workerId === undefined ? {} : { workerId: query.workerId }),
    ...(query.q === undefined || query.q.trim() === '' ? {} : { search: query.q }),
  };
  const limit = query.limit ?? 50;
  const after = query.cursor === undefined ? undefined : decodeUnitCursor(query.cursor);
  const [{ rows, more }, total] = await Promise.all([
    store.review.listReviewUnits({ ...filter, limit, ...(after === undefined ? {} : { after }) }),
    store.review.countReviewUnits(filter),
  ]);
  const actions = actionsByUnit(
    rows.length === 0
      ? []
      : await store.review.findReviewActions({ unitIds: rows.map((r) => r.unit.id), outcome: 'applied' }),
  );
  const last = rows.at(-1);
  return {
    units: rows.map((row) => toUnitRow(row, actions.get(row.unit.id))),
    nextCursor:
      more && last ? encodeUnitCursor({ creationDate: last.unit.creationDate, unitId: last.unit.id }) : null,
    total,
  };
}

/** The unit's row as the lists show it, with its review; NotFound(unit) when missing. */
export async function unitRowOf(store: Store, unitId: string): Promise<UnitRow> {
  const [row] = await store.review.getReviewUnits([unitId]);
  if (!row) throw new NotFoundError('unit', unitId);
  const actions = await store.review.findReviewActions({ unitIds: [unitId], outcome: 'applied' });
  return toUnitRow(row, actionsByUnit(actions).get(unitId));
}

export async function getUnitDetail(store: Store, unitId: string): Promise<UnitDetail> {
  const [row] = await store.review.getReviewUnits([unitId]);
  if (!row) throw new NotFoundError('unit', unitId);
  const [assignment, submission, records] = await Promise.all([
    store.getAssignment(row.unit.assignmentId),
    submissionOf(store, row.unit),
    store.review.findReviewActions({ unitIds: [unitId], outcome: 'applied' }),
  ]);
  const actions = actionsByUnit(records).get(unitId) ?? [];
  return {
    ...toUnitRow(row, actions),
    inputData: assignment.data,
    submission,
    files: fileRefs(unitId, submission),
    history: actions.map(toHistoryEntry),
  };
}

/** What the unit's current agent submitted, or null. */
export async function submissionOf(store: Store, unit: Unit): Promise<unknown> {
  if (unit.agentId === null) return null;
  return (await store.getAgentSubmission(unit.agentId))?.data ?? null;
}

export async function getWorkerDetail(store: Store, workerId: string): Promise<WorkerDetail> {
  const worker = await store.getWorker(workerId);
  const [blocks, grants, qualifications, units, summaries] = await Promise.all([
    store.findWorkerBlocks({ workerId }),
    store.findGrantedQualifications({ workerId }),
    store.findQualifications(),
    store.review.findWorkerUnits(workerId, WORKER_UNITS_LIMIT + 1),
    store.review.listWorkerSummaries({ workerId }),
  ]);
  const names = new Map(qualifications.map((q) => [q.id, q.name]));
  const listed = units.slice(0, WORKER_UNITS_LIMIT);
  const actions = actionsByUnit(
    listed.length === 0
      ? []
      : await store.review.findReviewActions({ unitIds: listed.map((u) => u.unit.id), outcome: 'applied' }),
  );
  const summary = summaries[0];
  const counts = summary?.unitsByStatus;
  return {
    id: worker.id,
    name: worker.name,
    providerType: worker.providerType,
    blocked: blocks.length > 0,
    blockReason: blocks[0]?.reason ?? null,
    qualifications: grants.map((g) => ({
      name: names.get(g.qualificationId) ?? g.qualificationId,
      value: g.value,
    })),
    units: listed.map((row) => ({ ...toUnitRow(row, actions.get(row.unit.id)), taskName: row.taskName })),
    totals: {
      units: counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0,
      accepted: counts?.accepted ?? 0,
      rejected: counts?.rejected ?? 0,
      earned: cents(summary?.earned ?? 0),
    },
    ...(units.length > WORKER_UNITS_LIMIT ? { unitsTruncated: true } : {}),
  };
}

/** A worker by name, or by id when `nameOrId` is one and no worker has that name. */
export async function findWorker(store: Store, nameOrId: string): Promise<Worker> {
  const [byName] = await store.findWorkers({ name: nameOrId });
  if (byName) return byName;
  if (/^[1-9]\d{0,18}$/.test(nameOrId)) return store.getWorker(nameOrId);
  throw new NotFoundError('worker', nameOrId, `no worker is named ${JSON.stringify(nameOrId)}`);
}

export async function listQualifications(store: Store): Promise<QualificationSummary[]> {
  const [qualifications, grants] = await Promise.all([
    store.findQualifications(),
    store.findGrantedQualifications(),
  ]);
  const granted = new Map<string, number>();
  for (const grant of grants)
    granted.set(grant.qualificationId, (granted.get(grant.qualificationId) ?? 0) + 1);
  return qualifications.map((q) => ({
    name: q.name,
    description: q.description,
    granted: granted.get(q.id) ?? 0,
  }));
}
