/**
 * Rows for the export tests: runs of units built through the public Store API, and, for the large
 * export, agents and submissions written in bulk with SQL behind the store's back (the API creates
 * them one worker action at a time, which would dominate a 100,000-unit test).
 */
import type { Agent, ManualClock, Task, TaskRun, Unit, Worker } from '../../src/core/index.js';
import type { PaymentKind, PaymentStatus, Store } from '../../src/store/store.js';

/** Texts that break naive CSV and JSON writers, and that HTML review pages must not execute. */
export const TRICKY_TEXTS: readonly string[] = [
  'comma, inside',
  'quote " inside and "" doubled',
  'line\nbreak',
  'crlf\r\nbreak and lone\rcr',
  'naïve café — 日本語 — Ελληνικά',
  'emoji 🎉👩‍💻 and a surrogate pair 𝄞',
  '<script>alert("x")</script>',
  '',
  '  leading and trailing spaces  ',
  '=SUM(A1:A2)',
  '\u2028 line separator and tab\t',
];

export interface SeededRun {
  task: Task;
  run: TaskRun;
  /** In creation order (one assignment each), status `launched`. */
  units: Unit[];
}

let names = 0;

/** A run of `units` launched units, one per assignment, with `input(i)` as assignment data. */
export async function seedRun(
  store: Store,
  options: {
    task?: Task;
    taskName?: string;
    units: number;
    payAmount?: number;
    input?: (i: number) => unknown;
    /** @default 'mock' */
    providerType?: string;
    /** The run's stored `mephisto.provider` section (a budget, …); none by default. */
    providerArgs?: Record<string, unknown>;
  },
): Promise<SeededRun> {
  const n = ++names;
  const providerType = options.providerType ?? 'mock';
  const task =
    options.task ??
    (await store.createTask({ name: options.taskName ?? `export-task-${n}`, taskType: 'static_task' }));
  const requester = await store.createRequester({ name: `export-requester-${n}`, providerType });
  const run = await store.createTaskRun({
    taskId: task.id,
    requesterId: requester.id,
    initParams:
      options.providerArgs === undefined
        ? '{}'
        : JSON.stringify({
            mephisto: { provider: { ...options.providerArgs, _provider_type: providerType } },
          }),
    providerType,
    taskType: 'static_task',
  });
  const input = options.input ?? ((i: number) => ({ shared: {}, unit_data: [{ index: i }] }));
  const payAmount = options.payAmount ?? 0.5;
  const { units } = await store.createAssignmentsWithUnits(
    run.id,
    Array.from({ length: options.units }, (_, i) => ({ data: input(i), units: [{ payAmount }] })),
    { unitStatus: 'launched', returnAssignments: false },
  );
  return { task, run, units };
}

export async function seedWorkers(store: Store, count: number, prefix = 'export-worker'): Promise<Worker[]> {
  const n = ++names;
  const workers: Worker[] = [];
  for (let i = 0; i < count; i++) {
    workers.push(await store.createWorker({ name: `${prefix}-${n}-${i}`, providerType: 'mock' }));
  }
  return workers;
}

export interface SeededPayment {
  kind: PaymentKind;
  cents: number;
  /** `pending` stays as reserved; the others are settled so. */
  status: PaymentStatus;
  unitId?: string | null;
  workerId?: string | null;
}

/**
 * Payments-ledger entries of the run, as review actions write them: reserved (`pending`, no budget
 * check), then settled with their status.
 */
export async function seedPayments(
  store: Store,
  taskRunId: string,
  payments: readonly SeededPayment[],
  providerType = 'mock',
): Promise<void> {
  const n = ++names;
  const keyed = payments.map((p, i) => ({ ...p, key: `seeded-${taskRunId}-${n}-${i}` }));
  await store.reservePayments({
    taskRunId,
    providerType,
    budgetCents: null,
    entries: keyed.map((p) => ({
      kind: p.kind,
      amountCents: p.cents,
      idempotencyKey: p.key,
      unitId: p.unitId ?? null,
      workerId: p.workerId ?? null,
    })),
  });
  for (const status of ['paid', 'manual', 'failed'] as const) {
    const keys = keyed.filter((p) => p.status === status).map((p) => p.key);
    if (keys.length > 0) await store.settlePayments(keys, { status });
  }
}

/** The worker takes the unit, works `seconds` on the clock, and submits `data`. */
export async function submitUnit(
  store: Store,
  clock: ManualClock,
  unit: Unit,
  worker: Worker,
  data: unknown,
  seconds = 60,
): Promise<Agent> {
  const agent = await store.createAgent({ workerId: worker.id, unitId: unit.id, status: 'in task' });
  clock.advance(seconds * 1000);
  const { agent: submitted } = await store.submitAgent(agent.id, data);
  return submitted;
}

/**
 * SQL (valid on SQLite and PostgreSQL) that gives every unit of the run an agent of one of the workers
 * (round robin on the unit id), submitted `data` 90 seconds after it was assigned, and completes the
 * unit. The agent's id is its unit's id: ids need only be unique within a table.
 */
export function submitAllUnitsSql(runId: string, workerIds: readonly string[], data: unknown): string {
  const text = JSON.stringify(data).replace(/'/g, "''");
  const worker = `case ${workerIds.map((id, i) => `when u.unit_id % ${workerIds.length} = ${i} then ${id}`).join(' ')} end`;
  return `
insert into agents (agent_id, worker_id, unit_id, task_id, task_run_id, assignment_id, task_type,
  provider_type, status, creation_date, data, submitted_at)
select u.unit_id, ${worker}, u.unit_id, u.task_id, u.task_run_id, u.assignment_id, u.task_type,
  u.provider_type, 'completed', u.creation_date, '${text}', u.creation_date + 90000
from units u where u.task_run_id = ${runId};
update units set status = 'completed', agent_id = unit_id, worker_id = ${worker.replace(/u\./g, 'units.')}
where task_run_id = ${runId};`;
}
