/**
 * ReviewStore on Kysely: routes each call to the module that implements it (review-actions,
 * review-units, review-stats, review-activity) through the KyselyStore's envelope (`call`: refused
 * once closed, a lost connection reported as MEPHISTO_ERR_STORE_CONNECTION).
 */
import type { Agent, Unit, Worker } from '../../core/index.js';
import type {
  NewRunActivity,
  ReviewActionAnswer,
  ReviewActionKind,
  ReviewActionRecord,
  ReviewDelivery,
  ReviewOutcome,
  ReviewStore,
  ReviewUnitQuery,
  ReviewUnitRow,
  RunActivity,
  RunActivityKind,
  RunMonitorProbe,
  RunReviewStats,
  UnitReviewRequest,
  WorkerReviewRequest,
  WorkerSummary,
} from '../store.js';
import * as actions from './review-actions.js';
import * as activity from './review-activity.js';
import * as stats from './review-stats.js';
import * as units from './review-units.js';
import type { StoreContext } from './store-context.js';

/** Runs one store operation with the store's context, inside the store's envelope. */
export type StoreCall = <T>(operation: (ctx: StoreContext) => Promise<T>) => Promise<T>;

export class KyselyReviewStore implements ReviewStore {
  constructor(private readonly call: StoreCall) {}

  applyUnitReviews(request: UnitReviewRequest): Promise<ReviewActionAnswer[]> {
    return this.call((ctx) => actions.applyUnitReviews(ctx, request));
  }
  applyWorkerReview(request: WorkerReviewRequest): Promise<ReviewActionAnswer> {
    return this.call((ctx) => actions.applyWorkerReview(ctx, request));
  }
  setReviewDelivery(
    actionId: string,
    delivery: ReviewDelivery,
    detail: string | null,
  ): Promise<ReviewActionRecord> {
    return this.call((ctx) => actions.setReviewDelivery(ctx, actionId, delivery, detail));
  }
  setReviewDeliveries(
    updates: readonly { actionId: string; delivery: ReviewDelivery; detail: string | null }[],
  ): Promise<void> {
    return this.call((ctx) => actions.setReviewDeliveries(ctx, updates));
  }
  getReviewedWork(
    unitIds: readonly string[],
  ): Promise<{ unit: Unit; agent: Agent | null; worker: Worker | null }[]> {
    return this.call((ctx) => units.getReviewedWork(ctx, unitIds));
  }
  findReviewActions(filter: {
    unitIds?: readonly string[];
    workerId?: string;
    taskRunId?: string;
    idempotencyKey?: string;
    action?: ReviewActionKind;
    outcome?: ReviewOutcome;
    delivery?: ReviewDelivery;
    limit?: number;
  }): Promise<ReviewActionRecord[]> {
    return this.call((ctx) => actions.findReviewActions(ctx, filter));
  }

  listReviewUnits(query: ReviewUnitQuery): Promise<{ rows: ReviewUnitRow[]; more: boolean }> {
    return this.call((ctx) => units.listReviewUnits(ctx, query));
  }
  countReviewUnits(query: Omit<ReviewUnitQuery, 'after' | 'limit'>): Promise<number> {
    return this.call((ctx) => units.countReviewUnits(ctx, query));
  }
  getReviewUnits(unitIds: readonly string[]): Promise<ReviewUnitRow[]> {
    return this.call((ctx) => units.getReviewUnits(ctx, unitIds));
  }
  findWorkerUnits(workerId: string, limit: number): Promise<(ReviewUnitRow & { taskName: string })[]> {
    return this.call((ctx) => units.findWorkerUnits(ctx, workerId, limit));
  }
  reviewRunStats(taskRunIds?: readonly string[]): Promise<RunReviewStats[]> {
    return this.call((ctx) => stats.reviewRunStats(ctx, taskRunIds));
  }
  listWorkerSummaries(filter?: { taskId?: string; workerId?: string }): Promise<WorkerSummary[]> {
    return this.call((ctx) => stats.listWorkerSummaries(ctx, filter));
  }

  probeRun(taskRunId: string): Promise<RunMonitorProbe> {
    return this.call((ctx) => stats.probeRun(ctx, taskRunId));
  }
  submissionsPerMinute(taskRunId: string, sinceMs: number): Promise<{ minute: number; count: number }[]> {
    return this.call((ctx) => stats.submissionsPerMinute(ctx, taskRunId, sinceMs));
  }
  countActiveWorkers(taskRunId: string): Promise<number> {
    return this.call((ctx) => stats.countActiveWorkers(ctx, taskRunId));
  }
  recordRunActivity(entries: readonly NewRunActivity[], options?: { keep?: number }): Promise<void> {
    return this.call((ctx) => activity.recordRunActivity(ctx, entries, options));
  }
  findRunActivity(taskRunId: string, kind: RunActivityKind, limit: number): Promise<RunActivity[]> {
    return this.call((ctx) => activity.findRunActivity(ctx, taskRunId, kind, limit));
  }
}
