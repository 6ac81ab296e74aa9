/**
 * A worker's submission: the agent completes and its data is stored in the same transaction, so a
 * worker is only ever told "submitted" once the data is durable.
 */
import { NotFoundError, TransitionConflictError, type AgentStatus } from '../../core/index.js';
import type { AgentSubmission, AgentTransitionResult } from '../store.js';
import type { Selectable } from 'kysely';
import { agentChangeLost } from './agents.js';
import {
  AGENT_ARRAY_COLUMNS,
  UNIT_ARRAY_COLUMNS,
  agentOfArray,
  dateOut,
  idOut,
  jsonIn,
  jsonOut,
  toAgent,
  toUnit,
  unitOfArray,
} from './row-mapping.js';
import type { UnitsTable } from './schema.js';
import type { SqliteStatements } from './store-backend.js';
import { nowMs, requireIdParam, type StoreContext } from './store-context.js';

/** The statuses an agent may submit from (the agent transition table's sources of `completed`). */
const SUBMITTING_STATUSES: readonly AgentStatus[] = ['in task', 'partner disconnect'];

export async function submitAgent(
  ctx: StoreContext,
  id: string,
  data: unknown,
): Promise<AgentTransitionResult> {
  const text = jsonIn(data, 'submission data');
  const agentId = requireIdParam('agent', id);
  const statements = ctx.backend.sqlite;
  if (statements) return ctx.backend.transaction(() => submitOnSqlite(ctx, statements, id, agentId, text));
  return ctx.backend.transaction(async (trx) => {
    const agentRow = await trx
      .updateTable('agents')
      .set({ status: 'completed', data: text, submitted_at: nowMs(ctx) })
      .where('agent_id', '=', agentId)
      .where('status', 'in', SUBMITTING_STATUSES)
      .returningAll()
      .executeTakeFirst();
    if (!agentRow) {
      const found = await trx
        .selectFrom('agents')
        .select('status')
        .where('agent_id', '=', agentId)
        .executeTakeFirst();
      agentChangeLost(id, SUBMITTING_STATUSES, found, 'it cannot submit');
    }
    const agent = toAgent(agentRow);
    const unitRow = await trx
      .selectFrom('units')
      .selectAll()
      .where('unit_id', '=', agentRow.unit_id)
      .executeTakeFirstOrThrow();
    // A unit that moved on to another agent no longer follows this one (see transitionAgent).
    if (unitRow.agent_id === null || idOut(unitRow.agent_id) !== agent.id)
      return { agent, unit: toUnit(unitRow) };
    const updated = await trx
      .updateTable('units')
      .set({ status: 'completed' })
      .where('unit_id', '=', agentRow.unit_id)
      .where('status', '=', 'assigned')
      .where('agent_id', '=', agentId)
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      throw new TransitionConflictError(
        'unit',
        agent.unitId,
        ['assigned'],
        unitRow.status,
        `its agent ${id} submitted, which needs the unit "completed"`,
      );
    }
    return { agent, unit: toUnit(updated) };
  });
}

// --- SQLite: the same submit as prepared statements ---------------------------------------------------
//
// Run on the connection the group commit holds, inside its transaction. The unit's compare-and-set is
// tried first; only when it matches nothing is the unit read, to tell "the unit moved on to another
// agent" (not an error, as above) from a conflict. Same outcomes as the Kysely form, one read fewer.

// Rows come back as arrays (prepareRaw), the agent without `data`: the submission just written need
// not be copied back.
const SUBMIT_AGENT_SQL = `update agents set status = 'completed', data = ?, submitted_at = ?
where agent_id = ? and status in (${SUBMITTING_STATUSES.map((s) => `'${s}'`).join(', ')})
returning ${AGENT_ARRAY_COLUMNS}`;
/** The agent's unit_id in a row of AGENT_ARRAY_COLUMNS. */
const AGENT_UNIT_ID = 2;
const AGENT_STATUS_SQL = 'select status from agents where agent_id = ?';
const COMPLETE_UNIT_SQL = `update units set status = 'completed'
where unit_id = ? and status = 'assigned' and agent_id = ? returning ${UNIT_ARRAY_COLUMNS}`;
const UNIT_SQL = 'select * from units where unit_id = ?';

/** Synchronous: the group commit runs it without awaiting (see GroupCommit). */
function submitOnSqlite(
  ctx: StoreContext,
  statements: SqliteStatements,
  id: string,
  agentId: bigint,
  text: string | null,
): AgentTransitionResult {
  const agentRow = statements.prepareRaw(SUBMIT_AGENT_SQL).get(text, nowMs(ctx), agentId) as
    unknown[] | undefined;
  if (!agentRow) {
    const found = statements.prepare(AGENT_STATUS_SQL).get(agentId) as { status: string } | undefined;
    agentChangeLost(id, SUBMITTING_STATUSES, found, 'it cannot submit');
  }
  const agent = agentOfArray(agentRow);
  const unitId = agentRow[AGENT_UNIT_ID];
  const updated = statements.prepareRaw(COMPLETE_UNIT_SQL).get(unitId, agentId) as unknown[] | undefined;
  if (updated) return { agent, unit: unitOfArray(updated) };
  const unitRow = statements.prepare(UNIT_SQL).get(unitId) as Selectable<UnitsTable>;
  // A unit that moved on to another agent no longer follows this one (see transitionAgent).
  if (unitRow.agent_id === null || idOut(unitRow.agent_id) !== agent.id)
    return { agent, unit: toUnit(unitRow) };
  throw new TransitionConflictError(
    'unit',
    agent.unitId,
    ['assigned'],
    unitRow.status,
    `its agent ${id} submitted, which needs the unit "completed"`,
  );
}

export async function getAgentSubmission(ctx: StoreContext, id: string): Promise<AgentSubmission | null> {
  const row = await ctx.db
    .selectFrom('agents')
    .select(['data', 'submitted_at'])
    .where('agent_id', '=', requireIdParam('agent', id))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('agent', id);
  if (row.submitted_at === null) return null;
  return { agentId: id, data: jsonOut(row.data), submittedAt: dateOut(row.submitted_at) };
}
