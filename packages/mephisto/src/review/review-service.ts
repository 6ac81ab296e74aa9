/**
 * The review service: approve, reject, soft-reject and bonus units (one or in bulk), block and unblock
 * workers, grant and revoke qualifications, and the reads behind the review app, the monitor and the
 * `mephisto workers` / `qual` commands. The HTTP API and the CLI both go through it.
 *
 * Every action is idempotent by its client key (see ReviewStore in store/store.ts): the decision, the
 * `worker_review` row and the action's record commit in one transaction; the provider is called after,
 * with the same key (provider-delivery.ts). A repeated key answers as the first request did and changes
 * nothing, also when the duplicates are concurrent.
 */
import { join } from 'node:path';
import type { ReadStream } from 'node:fs';
import pino, { type Logger } from 'pino';
import {
  AlreadyExistsError,
  MephistoError,
  NotFoundError,
  type ErrorCode,
  type Qualification,
  type Worker,
} from '../core/index.js';
import {
  attachmentDisposition,
  DOWNLOAD_HEADERS,
  downloadContentType,
  openStoredFile,
} from '../server/uploads/stored-file-reader.js';
import type {
  ReviewActionRecord,
  Store,
  UnitReviewActionKind,
  WorkerReviewActionKind,
} from '../store/store.js';
import type {
  BulkReviewRequest,
  BulkReviewResult,
  MonitorSnapshot,
  QualificationSummary,
  ReviewActionRequest,
  ReviewActionResult,
  TaskSummary,
  UnitDetail,
  UnitPage,
  WorkerDetail,
} from './review-api.js';
import { decideUnitReview } from './review-decisions.js';
import { ReviewFileNotFoundError, ReviewRefusedError, ReviewRequestError } from './review-errors.js';
import { buildMonitorSnapshot } from './monitor-snapshot.js';
import { needsDelivery, ProviderDelivery } from './provider-delivery.js';
import { requestFingerprint } from './request-fingerprint.js';
import * as queries from './review-queries.js';
import { providersFromRunConfigs, type ReviewProviders } from './review-providers.js';
import { providerOutcome, submittedFiles } from './review-views.js';

export interface ReviewServiceOptions {
  readonly store: Store;
  /** Where each run's provider comes from. @default built from each run's stored config */
  readonly providers?: ReviewProviders;
  /**
   * The data directory `mephisto run` keeps uploads under (`<dataDir>/runs/<run id>/uploads`).
   * @default none: file downloads find nothing
   */
  readonly dataDir?: string;
  readonly logger?: Logger;
  /** The largest bonus one action may pay, dollars. @default 1000 */
  readonly maxBonus?: number;
}

/** Units one bulk action may name. */
export const MAX_BULK_UNITS = 10_000;
/** Longest feedback, reason or description kept. */
export const MAX_TEXT = 5000;

/** What a worker or qualification action answers besides the detail the API returns. */
export interface WorkerActionOutcome {
  /** True when this request did the action (false: already so, or done by an earlier request with the key). */
  readonly applied: boolean;
  readonly record: ReviewActionRecord;
}

/** An opened upload of a unit, with the headers to send it with. */
export interface UnitFileDownload {
  readonly stream: ReadStream;
  readonly size: number;
  readonly headers: Readonly<Record<string, string>>;
}

type UnitAction =
  | { action: 'approve' | 'soft_reject'; feedback?: string | undefined }
  | { action: 'reject'; feedback: string }
  | { action: 'bonus'; amount: number; reason: string };

export class ReviewService {
  readonly store: Store;
  readonly #providers: ReviewProviders;
  readonly #delivery: ProviderDelivery;
  readonly #dataDir: string | undefined;
  readonly #maxBonus: number;
  readonly log: Logger;

  constructor(options: ReviewServiceOptions) {
    this.store = options.store;
    this.log = options.logger ?? pino({ level: 'silent' });
    this.#providers = options.providers ?? providersFromRunConfigs(options.store);
    this.#delivery = new ProviderDelivery(this.store, this.#providers, this.log);
    this.#dataDir = options.dataDir;
    this.#maxBonus = options.maxBonus ?? 1000;
  }

  // --- reads ----------------------------------------------------------------------------------------

  listTasks(): Promise<TaskSummary[]> {
    return queries.listTasks(this.store);
  }

  listRunUnits(runId: string, query: queries.UnitPageQuery = {}): Promise<UnitPage> {
    return queries.listRunUnits(this.store, runId, query);
  }

  getUnit(unitId: string): Promise<UnitDetail> {
    return queries.getUnitDetail(this.store, unitId);
  }

  getWorker(workerId: string): Promise<WorkerDetail> {
    return queries.getWorkerDetail(this.store, workerId);
  }

  /** A worker by name, or by id. */
  findWorker(nameOrId: string): Promise<Worker> {
    return queries.findWorker(this.store, nameOrId);
  }

  listQualifications(): Promise<QualificationSummary[]> {
    return queries.listQualifications(this.store);
  }

  /** Workers with their unit counts: all, or those who took a unit of the task named `taskName`. */
  async listWorkers(filter: { taskName?: string } = {}) {
    if (filter.taskName === undefined) return this.store.review.listWorkerSummaries();
    const [task] = await this.store.findTasks({ name: filter.taskName });
    if (!task)
      throw new NotFoundError('task', filter.taskName, `no task is named ${JSON.stringify(filter.taskName)}`);
    return this.store.review.listWorkerSummaries({ taskId: task.id });
  }

  monitorSnapshot(runId: string): Promise<MonitorSnapshot> {
    return buildMonitorSnapshot(this.store, this.store.clock, runId);
  }

  /**
   * Opens an uploaded file of the unit's submission for download: only a file the submission's upload
   * records name, from the run's uploads folder (never a path from the record: a JSON submit could
   * write any record it likes).
   */
  async openUnitFile(unitId: string, filename: string): Promise<UnitFileDownload> {
    const [row] = await this.store.review.getReviewUnits([unitId]);
    if (!row) throw new NotFoundError('unit', unitId);
    const submission = await queries.submissionOf(this.store, row.unit);
    const listed = submittedFiles(submission).some((file) => file.filename === filename);
    if (!listed || this.#dataDir === undefined) throw new ReviewFileNotFoundError(unitId, filename);
    const dir = join(this.#dataDir, 'runs', row.unit.taskRunId, 'uploads');
    try {
      const opened = await openStoredFile(dir, filename);
      return {
        stream: opened.stream,
        size: opened.size,
        headers: {
          ...DOWNLOAD_HEADERS,
          'Content-Type': downloadContentType(filename),
          'Content-Disposition': attachmentDisposition(filename),
        },
      };
    } catch (error) {
      if (error instanceof MephistoError && error.code === 'MEPHISTO_ERR_FILE_NOT_FOUND')
        throw new ReviewFileNotFoundError(unitId, filename);
      throw error;
    }
  }

  // --- unit actions ---------------------------------------------------------------------------------

  /**
   * One action on one unit. A refusal (not submitted, decided the other way, no such unit) throws;
   * "already so" answers `applied: false`.
   */
  async actOnUnit(unitId: string, request: ReviewActionRequest): Promise<ReviewActionResult> {
    const action = this.#checkAction(request);
    await this.#checkProviders([unitId]);
    const [answer] = await this.store.review.applyUnitReviews({
      ...this.#unitRequest(request.idempotency_key, action),
      requestHash: requestFingerprint('unit', { ...fingerprintOf(action), unit: unitId }),
      unitIds: [unitId],
    });
    if (!answer) throw new Error('review: the store gave no answer');
    const record = answer.record;
    if (record.outcome === 'refused') throw refusalError(record, unitId);
    const delivered = await this.#delivery.deliver(record);
    return {
      unit: await queries.unitRowOf(this.store, unitId),
      applied: !answer.replayed && record.outcome === 'applied',
      provider: providerOutcome(delivered),
    };
  }

  /** One action on many units; each unit is applied, skipped or failed on its own. */
  async bulkAct(request: BulkReviewRequest): Promise<BulkReviewResult> {
    const action = this.#checkAction(request);
    const unitIds = [...new Set(request.unit_ids)];
    if (unitIds.length === 0 || unitIds.length > MAX_BULK_UNITS)
      throw new ReviewRequestError(`unit_ids: name 1 to ${MAX_BULK_UNITS} units`, ['unit_ids']);
    await this.#checkProviders(unitIds);
    const answers = await this.store.review.applyUnitReviews({
      ...this.#unitRequest(request.idempotency_key, action),
      requestHash: requestFingerprint('bulk', {
        ...fingerprintOf(action),
        units: [...unitIds].sort(),
      }),
      unitIds,
    });
    const delivered = await this.#delivery.deliverAll(
      answers.map((a) => a.record).filter((record) => needsDelivery(record, true)),
    );
    const result: BulkReviewResult = { applied: 0, skipped: 0, failed: [] };
    for (const { record, replayed } of answers) {
      if (record.outcome === 'refused')
        result.failed.push({
          unitId: record.target.slice('unit:'.length),
          code: record.code ?? 'MEPHISTO_ERR_REVIEW_CONFLICT',
          message: record.message ?? '',
        });
      else if (record.outcome === 'applied' && !replayed) result.applied++;
      else result.skipped++;
    }
    const providerFailed = delivered
      .filter((r) => r.delivery === 'failed')
      .map((r) => ({ unitId: r.unitId ?? '', message: r.deliveryDetail ?? 'the provider failed' }));
    const manual = delivered.filter((r) => r.delivery === 'manual').length;
    if (providerFailed.length > 0) result.providerFailed = providerFailed;
    if (manual > 0) result.manual = manual;
    return result;
  }

  // --- worker actions -------------------------------------------------------------------------------

  async blockWorker(
    workerId: string,
    request: { reason: string; idempotency_key: string },
  ): Promise<WorkerActionOutcome> {
    const reason = requireText(request.reason, 'reason');
    return this.#workerAction(workerId, 'block', request.idempotency_key, { reason });
  }

  unblockWorker(workerId: string, request: { idempotency_key: string }): Promise<WorkerActionOutcome> {
    return this.#workerAction(workerId, 'unblock', request.idempotency_key, {});
  }

  /** Creates the qualification; an existing one of that name is returned (`created: false`) unless its description differs. */
  async createQualification(request: {
    name: string;
    description?: string | undefined;
  }): Promise<{ summary: QualificationSummary; created: boolean }> {
    const name = requireText(request.name, 'name', 200);
    const description =
      request.description === undefined
        ? undefined
        : requireText(request.description, 'description', 500, true);
    let created = true;
    let qualification: Qualification;
    try {
      qualification = await this.store.createQualification({ name, description: description ?? null });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      created = false;
      qualification = await this.#qualification(name);
      if (description !== undefined && (qualification.description ?? '') !== description)
        throw new AlreadyExistsError(
          'qualification',
          name,
          `qualification ${JSON.stringify(name)} already exists with another description`,
        );
    }
    return { summary: await this.#qualificationSummary(qualification), created };
  }

  async grantQualification(
    name: string,
    request: { worker_id: string; value?: number | undefined; idempotency_key: string },
  ): Promise<{ summary: QualificationSummary } & WorkerActionOutcome> {
    const qualification = await this.#qualification(name);
    const value = request.value ?? 1;
    const outcome = await this.#workerAction(request.worker_id, 'grant', request.idempotency_key, {
      qualificationId: qualification.id,
      value,
    });
    return { ...outcome, summary: await this.#qualificationSummary(qualification) };
  }

  async revokeQualification(
    name: string,
    request: { worker_id: string; idempotency_key: string },
  ): Promise<{ summary: QualificationSummary } & WorkerActionOutcome> {
    const qualification = await this.#qualification(name);
    const outcome = await this.#workerAction(request.worker_id, 'revoke', request.idempotency_key, {
      qualificationId: qualification.id,
    });
    return { ...outcome, summary: await this.#qualificationSummary(qualification) };
  }

  /** Calls the provider for actions a crash left pending; for a review server's start. */
  resumePendingDeliveries(): Promise<number> {
    return this.#delivery.resumePending();
  }

  // --- internals ------------------------------------------------------------------------------------

  #checkAction(request: UnitAction): UnitAction {
    switch (request.action) {
      case 'approve':
      case 'soft_reject':
        return {
          action: request.action,
          feedback:
            request.feedback === undefined
              ? undefined
              : requireText(request.feedback, 'feedback', MAX_TEXT, true),
        };
      case 'reject':
        return { action: 'reject', feedback: requireText(request.feedback, 'feedback') };
      case 'bonus': {
        const amount = request.amount;
        if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || amount > this.#maxBonus)
          throw new ReviewRequestError(`amount: a bonus is more than $0 and at most $${this.#maxBonus}`, [
            'amount',
          ]);
        if (Math.abs(Math.round(amount * 100) - amount * 100) > 1e-6)
          throw new ReviewRequestError('amount: a bonus is in whole cents (at most 2 decimals)', ['amount']);
        return {
          action: 'bonus',
          amount: Math.round(amount * 100) / 100,
          reason: requireText(request.reason, 'reason'),
        };
      }
      default:
        throw new ReviewRequestError(
          `action: unknown action ${JSON.stringify((request as { action?: unknown }).action)}`,
          ['action'],
        );
    }
  }

  #unitRequest(idempotencyKey: string, action: UnitAction) {
    const kind: UnitReviewActionKind = action.action;
    return {
      idempotencyKey,
      action: kind,
      feedback: action.action === 'bonus' ? action.reason : (action.feedback ?? null),
      amount: action.action === 'bonus' ? action.amount : null,
      decide: (unit: Parameters<typeof decideUnitReview>[1]) => decideUnitReview(kind, unit),
    };
  }

  /** Builds the providers of the units' runs first, so an unusable provider changes nothing. */
  async #checkProviders(unitIds: readonly string[]): Promise<void> {
    const rows = await this.store.review.getReviewUnits(unitIds);
    const runIds = [...new Set(rows.map((r) => r.unit.taskRunId))];
    for (const runId of runIds) await this.#delivery.providerForRun(runId);
  }

  async #workerAction(
    workerId: string,
    action: WorkerReviewActionKind,
    idempotencyKey: string,
    params: { reason?: string; qualificationId?: string; value?: number },
  ): Promise<WorkerActionOutcome> {
    const worker = await this.store.getWorker(workerId);
    if (action === 'block' || action === 'unblock') await this.#providers.forWorker(worker);
    const answer = await this.store.review.applyWorkerReview({
      idempotencyKey,
      requestHash: requestFingerprint('worker', {
        action,
        worker: workerId,
        reason: params.reason,
        qualification: params.qualificationId,
        value: params.value,
      }),
      action,
      workerId,
      ...params,
    });
    let record = await this.#delivery.deliver(answer.record);
    if (record.outcome === 'skipped' && (action === 'block' || action === 'unblock')) {
      // Already so in the store: if the provider never got the action that made it so (it failed, or
      // a crash left it pending), repeating the action delivers that one, under its own key.
      const [made] = (
        await this.store.review.findReviewActions({ workerId, action, outcome: 'applied' })
      ).slice(-1);
      if (made && needsDelivery(made, true)) record = await this.#delivery.deliver(made);
    }
    return { applied: !answer.replayed && answer.record.outcome === 'applied', record };
  }

  async #qualification(name: string): Promise<Qualification> {
    const [qualification] = await this.store.findQualifications({ name });
    if (!qualification)
      throw new NotFoundError('qualification', name, `no qualification is named ${JSON.stringify(name)}`);
    return qualification;
  }

  async #qualificationSummary(qualification: Qualification): Promise<QualificationSummary> {
    const grants = await this.store.findGrantedQualifications({ qualificationId: qualification.id });
    return { name: qualification.name, description: qualification.description, granted: grants.length };
  }
}

/** The parts of an action its fingerprint covers (besides its targets). */
function fingerprintOf(action: UnitAction) {
  return {
    action: action.action,
    feedback: action.action === 'bonus' ? action.reason : (action.feedback ?? null),
    amount: action.action === 'bonus' ? action.amount : null,
  };
}

function refusalError(record: ReviewActionRecord, unitId: string): Error {
  if (record.code === 'MEPHISTO_ERR_UNIT_NOT_FOUND') return new NotFoundError('unit', unitId);
  return new ReviewRefusedError(
    (record.code ?? 'MEPHISTO_ERR_REVIEW_CONFLICT') as ErrorCode,
    record.message ?? 'the action was refused',
    unitId,
  );
}

/** A required (or, with `allowEmpty`, optional) text field, trimmed of nothing, within `max` characters. */
function requireText(value: unknown, field: string, max = MAX_TEXT, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === ''))
    throw new ReviewRequestError(`${field}: must be a non-empty string`, [field]);
  if (value.length > max) throw new ReviewRequestError(`${field}: at most ${max} characters`, [field]);
  return value;
}
