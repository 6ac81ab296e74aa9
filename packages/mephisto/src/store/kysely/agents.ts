/**
 * Status changes of units, agents and onboarding agents: every one a compare-and-set
 * (`UPDATE … WHERE id = ? AND status IN (expected…)`), so of concurrent attempts exactly one wins and
 * the others learn the status they raced against.
 *
 * Why the guarded UPDATE is enough: PostgreSQL (READ COMMITTED) re-evaluates an UPDATE's WHERE against
 * the latest committed row after waiting for a concurrent writer's lock, so a second writer sees the
 * first one's status and matches nothing; SQLite lets one connection write at a time (every write
 * transaction starts with BEGIN IMMEDIATE) and within a connection runs one operation at a time, so
 * each UPDATE sees every change committed before it. Multi-statement changes (createAgent,
 * transitionAgent) run in one transaction and use the same guard on every row they move.
 */
import type { Selectable } from 'kysely';
import {
  AGENT_STATUSES,
  AGENT_TRANSITIONS,
  InvalidArgumentError,
  InvalidTransitionError,
  NotFoundError,
  ONBOARDING_AGENT_STATUSES,
  ONBOARDING_AGENT_TRANSITIONS,
  TransitionConflictError,
  UNIT_STATUS_FOR_AGENT,
  UNIT_STATUSES,
  UNIT_TRANSITIONS,
  canTransition,
  sourcesOf,
  type Agent,
  type OnboardingAgent,
  type OnboardingAgentStatus,
  type Unit,
  type UnitStatus,
} from '../../core/index.js';
import type {
  AgentFilter,
  AgentTransition,
  AgentTransitionResult,
  NewAgent,
  NewOnboardingAgent,
  StatusMatch,
  UnitTransition,
} from '../store.js';
import { allOf, filterConditions, type FilterSpec } from './filters.js';
import type { UnitsTable } from './schema.js';
import { idOut, newIdParam, rowId, toAgent, toOnboardingAgent, toUnit } from './row-mapping.js';
import {
  nowMs,
  requireIdParam,
  requireRow,
  withFreshIds,
  type Queryable,
  type StoreContext,
} from './store-context.js';
import { requireStatus, statusList } from './validate.js';

// --- units ------------------------------------------------------------------------------------------

/** Units enter and leave these only together with their agent (createAgent / transitionAgent). */
export const AGENT_OWNED_UNIT_STATUSES: readonly UnitStatus[] = ['assigned', 'completed'];
/** Review outcomes follow the agent's review (transitionAgent to approved / rejected / soft_rejected). */
export const REVIEW_UNIT_STATUSES: readonly UnitStatus[] = ['accepted', 'rejected', 'soft_rejected'];

/** Entering an "on offer" status detaches the unit's agent and worker. */
export function detaches(status: UnitStatus): boolean {
  return status === 'created' || status === 'launched';
}

export async function transitionUnit(ctx: StoreContext, id: string, change: UnitTransition): Promise<Unit> {
  const from = statusList(change.from, UNIT_STATUSES, 'unit transition "from"');
  const to = requireStatus(change.to, UNIT_STATUSES, 'unit transition "to"');
  // The table first: a change no API may make is a programming error whatever the route.
  for (const f of from) {
    if (!canTransition(UNIT_TRANSITIONS, f, to)) throw new InvalidTransitionError('unit', f, to);
  }
  if (AGENT_OWNED_UNIT_STATUSES.includes(to) || REVIEW_UNIT_STATUSES.includes(to)) {
    throw new InvalidArgumentError(
      `transitionUnit cannot move a unit into "${to}": a unit is assigned by createAgent and follows its agent ` +
        `through transitionAgent (submission, review)`,
    );
  }
  const owned = from.find((s) => AGENT_OWNED_UNIT_STATUSES.includes(s));
  if (owned !== undefined) {
    throw new InvalidArgumentError(
      `transitionUnit cannot move a unit out of "${owned}": it follows its agent, use transitionAgent`,
    );
  }
  const unitId = requireIdParam('unit', id);
  // Detaching is only written when the unit can have an agent to detach: a unit `created` or
  // `launched` has none (it enters those only by being created or detached), and naming agent_id and
  // worker_id makes SQLite rewrite the worker indexes and check both foreign keys for the same null.
  const detach = detaches(to) && from.some((f) => !detaches(f));
  const statements = ctx.backend.sqlite;
  const row = await ctx.backend.autocommit((db) =>
    statements
      ? // The same compare-and-set as a prepared statement: building it through Kysely cost more than
        // running it.
        (statements.prepare(unitTransitionSql(detach, from.length)).get(to, unitId, ...from) as
          Selectable<UnitsTable> | undefined)
      : db
          .updateTable('units')
          .set(detach ? { status: to, agent_id: null, worker_id: null } : { status: to })
          .where('unit_id', '=', unitId)
          .where('status', 'in', from)
          .returningAll()
          .executeTakeFirst(),
  );
  if (row) return toUnit(row);
  throw await unitConflict(ctx.db, id, unitId, from);
}

const UNIT_TRANSITION_SQL = new Map<string, string>();

/** `update units … where unit_id = ? and status in (…) returning *`, one text per shape. */
function unitTransitionSql(detach: boolean, expected: number): string {
  const key = `${detach ? 'd' : ''}${expected}`;
  let text = UNIT_TRANSITION_SQL.get(key);
  if (text === undefined) {
    const set = detach ? 'status = ?, agent_id = null, worker_id = null' : 'status = ?';
    const statuses = Array.from({ length: expected }, () => '?').join(', ');
    text = `update units set ${set} where unit_id = ? and status in (${statuses}) returning *`;
    UNIT_TRANSITION_SQL.set(key, text);
  }
  return text;
}

/** The error for a unit compare-and-set that matched nothing: it is missing, or in another status. */
async function unitConflict(
  db: Queryable,
  id: string,
  unitId: bigint,
  expected: readonly string[],
  detail?: string,
): Promise<Error> {
  const found = await db
    .selectFrom('units')
    .select('status')
    .where('unit_id', '=', unitId)
    .executeTakeFirst();
  if (!found) return new NotFoundError('unit', id);
  return new TransitionConflictError('unit', id, expected, found.status, detail);
}

// --- agents -----------------------------------------------------------------------------------------

const INITIAL_AGENT_STATUSES = ['none', 'accepted', 'waiting', 'in task'] as const;

export async function createAgent(ctx: StoreContext, agent: NewAgent): Promise<Agent> {
  const status = requireStatus(agent.status ?? 'none', INITIAL_AGENT_STATUSES, 'initial agent status');
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const unitId = requireIdParam('unit', agent.unitId);
      const unit = await trx.selectFrom('units').selectAll().where('unit_id', '=', unitId).executeTakeFirst();
      if (!unit) throw new NotFoundError('unit', agent.unitId);
      const workerId = await requireRow(trx, 'workers', agent.workerId);
      // Fails fast in the common case; the guarded UPDATE below is what decides a race.
      if (unit.status !== 'launched') {
        throw new TransitionConflictError(
          'unit',
          agent.unitId,
          ['launched'],
          unit.status,
          'it cannot take an agent',
        );
      }
      const row = await trx
        .insertInto('agents')
        .values({
          agent_id: newIdParam(ctx.ids),
          worker_id: workerId,
          unit_id: unitId,
          task_id: rowId(unit.task_id),
          task_run_id: rowId(unit.task_run_id),
          assignment_id: rowId(unit.assignment_id),
          task_type: unit.task_type,
          provider_type: unit.provider_type,
          status,
          creation_date: nowMs(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const taken = await trx
        .updateTable('units')
        .set({ status: 'assigned', agent_id: rowId(row.agent_id), worker_id: workerId })
        .where('unit_id', '=', unitId)
        .where('status', '=', 'launched')
        .returning('unit_id')
        .executeTakeFirst();
      // Throwing rolls the transaction back, agent row included.
      if (!taken)
        throw await unitConflict(trx, agent.unitId, unitId, ['launched'], 'it cannot take an agent');
      return toAgent(row);
    }),
  );
}

export async function getAgent(ctx: StoreContext, id: string): Promise<Agent> {
  const row = await ctx.db
    .selectFrom('agents')
    .selectAll()
    .where('agent_id', '=', requireIdParam('agent', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('agent', id);
  return toAgent(row);
}

const AGENT_FILTER: FilterSpec<AgentFilter> = {
  status: ['status', 'status'],
  unitId: ['unit_id', 'id'],
  workerId: ['worker_id', 'id'],
  taskId: ['task_id', 'id'],
  taskRunId: ['task_run_id', 'id'],
  assignmentId: ['assignment_id', 'id'],
  taskType: ['task_type', 'text'],
  providerType: ['provider_type', 'text'],
};

export async function findAgents(ctx: StoreContext, filter?: AgentFilter): Promise<Agent[]> {
  const where = filterConditions(ctx.dialect, AGENT_FILTER, filter);
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('agents')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('agent_id')
    .execute();
  return rows.map(toAgent);
}

export async function transitionAgent(
  ctx: StoreContext,
  id: string,
  change: AgentTransition,
): Promise<AgentTransitionResult> {
  const from = statusList(change.from, AGENT_STATUSES, 'agent transition "from"');
  const to = requireStatus(change.to, AGENT_STATUSES, 'agent transition "to"');
  for (const f of from) {
    if (!canTransition(AGENT_TRANSITIONS, f, to)) throw new InvalidTransitionError('agent', f, to);
  }
  const agentId = requireIdParam('agent', id);
  return ctx.backend.transaction(async (trx) => {
    const agentRow = await trx
      .updateTable('agents')
      .set({ status: to })
      .where('agent_id', '=', agentId)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    if (!agentRow) {
      const found = await trx
        .selectFrom('agents')
        .select('status')
        .where('agent_id', '=', agentId)
        .executeTakeFirst();
      agentChangeLost(id, from, found);
    }
    const agent = toAgent(agentRow);
    const unitId = rowId(agentRow.unit_id);
    const unitRow = await trx
      .selectFrom('units')
      .selectAll()
      .where('unit_id', '=', unitId)
      .executeTakeFirstOrThrow();
    // A unit that has moved on to another agent (or back on offer) no longer follows this one.
    if (unitRow.agent_id === null || idOut(unitRow.agent_id) !== agent.id)
      return { agent, unit: toUnit(unitRow) };

    const target = UNIT_STATUS_FOR_AGENT[to];
    const current = unitRow.status as UnitStatus;
    if (current === target) return { agent, unit: toUnit(unitRow) };
    const detail = `its agent ${id} went "${to}", which needs the unit "${target}"`;
    if (!canTransition(UNIT_TRANSITIONS, current, target)) {
      throw new TransitionConflictError(
        'unit',
        agent.unitId,
        sourcesOf(UNIT_TRANSITIONS, target),
        current,
        detail,
      );
    }
    const updated = await trx
      .updateTable('units')
      .set(detaches(target) ? { status: target, agent_id: null, worker_id: null } : { status: target })
      .where('unit_id', '=', unitId)
      .where('status', '=', current)
      .where('agent_id', '=', agentId)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw await unitConflict(trx, agent.unitId, unitId, [current], detail);
    return { agent, unit: toUnit(updated) };
  });
}

// --- onboarding agents ------------------------------------------------------------------------------

export async function createOnboardingAgent(
  ctx: StoreContext,
  agent: NewOnboardingAgent,
): Promise<OnboardingAgent> {
  return withFreshIds(() =>
    ctx.backend.transaction(async (trx) => {
      const workerId = await requireRow(trx, 'workers', agent.workerId);
      const run = await trx
        .selectFrom('task_runs')
        .select(['task_run_id', 'task_id', 'task_type'])
        .where('task_run_id', '=', requireIdParam('task_run', agent.taskRunId))
        .executeTakeFirst();
      if (!run) throw new NotFoundError('task_run', agent.taskRunId);
      const row = await trx
        .insertInto('onboarding_agents')
        .values({
          onboarding_agent_id: newIdParam(ctx.ids),
          worker_id: workerId,
          task_id: rowId(run.task_id),
          task_run_id: rowId(run.task_run_id),
          task_type: run.task_type,
          status: 'none',
          creation_date: nowMs(ctx),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOnboardingAgent(row);
    }),
  );
}

export async function getOnboardingAgent(ctx: StoreContext, id: string): Promise<OnboardingAgent> {
  const row = await ctx.db
    .selectFrom('onboarding_agents')
    .selectAll()
    .where('onboarding_agent_id', '=', requireIdParam('onboarding_agent', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('onboarding_agent', id);
  return toOnboardingAgent(row);
}

export interface OnboardingAgentFilter {
  status?: StatusMatch<OnboardingAgentStatus>;
  workerId?: string;
  taskId?: string;
  taskRunId?: string;
  taskType?: string;
}

const ONBOARDING_AGENT_FILTER: FilterSpec<OnboardingAgentFilter> = {
  status: ['status', 'status'],
  workerId: ['worker_id', 'id'],
  taskId: ['task_id', 'id'],
  taskRunId: ['task_run_id', 'id'],
  taskType: ['task_type', 'text'],
};

export async function findOnboardingAgents(
  ctx: StoreContext,
  filter?: OnboardingAgentFilter,
): Promise<OnboardingAgent[]> {
  const where = filterConditions(ctx.dialect, ONBOARDING_AGENT_FILTER, filter);
  if (where === null) return [];
  const rows = await ctx.db
    .selectFrom('onboarding_agents')
    .selectAll()
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .orderBy('creation_date')
    .orderBy('onboarding_agent_id')
    .execute();
  return rows.map(toOnboardingAgent);
}

export async function transitionOnboardingAgent(
  ctx: StoreContext,
  id: string,
  change: { from: StatusMatch<OnboardingAgentStatus>; to: OnboardingAgentStatus },
): Promise<OnboardingAgent> {
  const from = statusList(change.from, ONBOARDING_AGENT_STATUSES, 'onboarding agent transition "from"');
  const to = requireStatus(change.to, ONBOARDING_AGENT_STATUSES, 'onboarding agent transition "to"');
  for (const f of from) {
    if (!canTransition(ONBOARDING_AGENT_TRANSITIONS, f, to))
      throw new InvalidTransitionError('onboarding_agent', f, to);
  }
  const agentId = requireIdParam('onboarding_agent', id);
  const row = await ctx.backend.autocommit((db) =>
    db
      .updateTable('onboarding_agents')
      .set({ status: to })
      .where('onboarding_agent_id', '=', agentId)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst(),
  );
  if (row) return toOnboardingAgent(row);
  const found = await ctx.db
    .selectFrom('onboarding_agents')
    .select('status')
    .where('onboarding_agent_id', '=', agentId)
    .executeTakeFirst();
  if (!found) throw new NotFoundError('onboarding_agent', id);
  throw new TransitionConflictError('onboarding_agent', id, from, found.status);
}

/**
 * Why a compare-and-set on an agent changed nothing, given what a re-read found: the agent does not
 * exist, or it is in another status than `expected`.
 */
export function agentChangeLost(
  id: string,
  expected: readonly string[],
  found: { status: string } | undefined,
  detail?: string,
): never {
  if (!found) throw new NotFoundError('agent', id);
  throw new TransitionConflictError('agent', id, expected, found.status, detail);
}
