/**
 * The routes of REVIEW_ROUTES (review-api.ts), each a thin shell: check the input (review-schemas.ts),
 * call the review service, answer with the API's type. Security checks ran before (review-security.ts)
 * and failures are answered by review-error-handler.ts.
 *
 * Submitted data is untrusted: it leaves here only as JSON data (application/json, nosniff), and
 * uploaded files only as attachments of files the unit's submission records.
 */
import type { FastifyInstance } from 'fastify';
import type {
  BulkReviewResult,
  MonitorSnapshot,
  QualificationSummary,
  ReviewActionResult,
  TaskSummary,
  UnitDetail,
  UnitPage,
  WorkerDetail,
} from '../review-api.js';
import { REVIEW_ROUTES } from '../review-api.js';
import type { ReviewService } from '../review-service.js';
import type { MonitorEvents } from './monitor-events.js';
import {
  bulkReviewSchema,
  fileParamsSchema,
  idempotentSchema,
  parseInput,
  qualificationCreateSchema,
  qualificationGrantSchema,
  qualificationParamsSchema,
  qualificationRevokeSchema,
  reviewActionSchema,
  runParamsSchema,
  unitPageQuerySchema,
  unitParamsSchema,
  workerBlockSchema,
  workerParamsSchema,
} from './review-schemas.js';

export function reviewRoutes(app: FastifyInstance, service: ReviewService, events: MonitorEvents): void {
  const R = REVIEW_ROUTES;

  app.get(R.tasks, (): Promise<TaskSummary[]> => service.listTasks());

  app.get(R.runUnits, (request): Promise<UnitPage> => {
    const { runId } = parseInput(runParamsSchema, request.params, 'path');
    const query = parseInput(unitPageQuerySchema, request.query, 'query');
    return service.listRunUnits(runId, {
      ...(query.status === undefined ? {} : { statuses: query.status }),
      ...(query.worker_id === undefined ? {} : { workerId: query.worker_id }),
      ...(query.q === undefined ? {} : { q: query.q }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
  });

  app.get(R.unit, (request): Promise<UnitDetail> => {
    const { unitId } = parseInput(unitParamsSchema, request.params, 'path');
    return service.getUnit(unitId);
  });

  app.post(R.unitAction, (request): Promise<ReviewActionResult> => {
    const { unitId } = parseInput(unitParamsSchema, request.params, 'path');
    return service.actOnUnit(unitId, parseInput(reviewActionSchema, request.body, 'body'));
  });

  app.post(R.bulkAction, (request): Promise<BulkReviewResult> =>
    service.bulkAct(parseInput(bulkReviewSchema, request.body, 'body')),
  );

  app.get(R.worker, (request): Promise<WorkerDetail> => {
    const { workerId } = parseInput(workerParamsSchema, request.params, 'path');
    return service.getWorker(workerId);
  });

  app.post(R.workerBlock, async (request): Promise<WorkerDetail> => {
    const { workerId } = parseInput(workerParamsSchema, request.params, 'path');
    await service.blockWorker(workerId, parseInput(workerBlockSchema, request.body, 'body'));
    return service.getWorker(workerId);
  });

  app.post(R.workerUnblock, async (request): Promise<WorkerDetail> => {
    const { workerId } = parseInput(workerParamsSchema, request.params, 'path');
    await service.unblockWorker(workerId, parseInput(idempotentSchema, request.body, 'body'));
    return service.getWorker(workerId);
  });

  app.get(R.qualifications, (): Promise<QualificationSummary[]> => service.listQualifications());

  app.post(R.qualifications, async (request, reply): Promise<QualificationSummary> => {
    const { summary, created } = await service.createQualification(
      parseInput(qualificationCreateSchema, request.body, 'body'),
    );
    void reply.status(created ? 201 : 200);
    return summary;
  });

  app.post(R.qualificationGrant, async (request): Promise<QualificationSummary> => {
    const { name } = parseInput(qualificationParamsSchema, request.params, 'path');
    return (
      await service.grantQualification(name, parseInput(qualificationGrantSchema, request.body, 'body'))
    ).summary;
  });

  app.post(R.qualificationRevoke, async (request): Promise<QualificationSummary> => {
    const { name } = parseInput(qualificationParamsSchema, request.params, 'path');
    return (
      await service.revokeQualification(name, parseInput(qualificationRevokeSchema, request.body, 'body'))
    ).summary;
  });

  app.get(R.monitor, (request): Promise<MonitorSnapshot> => {
    const { runId } = parseInput(runParamsSchema, request.params, 'path');
    return service.monitorSnapshot(runId);
  });

  app.get(R.monitorEvents, async (request, reply) => {
    const { runId } = parseInput(runParamsSchema, request.params, 'path');
    await service.store.getTaskRun(runId); // a missing run is a JSON 404, before the stream starts
    events.open(request, reply, runId);
    return reply;
  });

  app.get(R.file, async (request, reply) => {
    const { unitId, filename } = parseInput(fileParamsSchema, request.params, 'path');
    const file = await service.openUnitFile(unitId, filename);
    return reply.headers(file.headers).header('Content-Length', file.size).send(file.stream);
  });
}
