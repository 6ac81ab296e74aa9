/** Operations on many units at once: the launcher's bulk launch and expiry, and progress counts. */
import type { Selectable } from 'kysely';
import {
  InvalidArgumentError,
  InvalidTransitionError,
  UNIT_STATUSES,
  UNIT_TRANSITIONS,
  canTransition,
  type Unit,
  type UnitStatus,
} from '../../core/index.js';
import type { UnitFilter, UnitTransition } from '../store.js';
import { AGENT_OWNED_UNIT_STATUSES, REVIEW_UNIT_STATUSES, detaches } from './agents.js';
import { allOf, filterConditions } from './filters.js';
import { idOut, idParam, toUnit } from './row-mapping.js';
import { UNIT_FILTER } from './runs.js';
import type { DbInt, UnitsTable } from './schema.js';
import { runFixed, type StoreContext } from './store-context.js';
import { requireStatus, statusList } from './validate.js';

/** Ids per UPDATE: well under SQLite's bound-parameter limit, and short statements for PostgreSQL. */
const IDS_PER_STATEMENT = 500;

/** The checks of transitionUnit (agents.ts), which the bulk form applies to every unit alike. */
function checkedChange(change: UnitTransition): { from: readonly UnitStatus[]; to: UnitStatus } {
  const from = statusList(change.from, UNIT_STATUSES, 'unit transition "from"');
  const to = requireStatus(change.to, UNIT_STATUSES, 'unit transition "to"');
  for (const f of from) {
    if (!canTransition(UNIT_TRANSITIONS, f, to)) throw new InvalidTransitionError('unit', f, to);
  }
  if (AGENT_OWNED_UNIT_STATUSES.includes(to) || REVIEW_UNIT_STATUSES.includes(to)) {
    throw new InvalidArgumentError(
      `transitionUnits cannot move units into "${to}": units are assigned by an agent and follow it`,
    );
  }
  const owned = from.find((s) => AGENT_OWNED_UNIT_STATUSES.includes(s));
  if (owned !== undefined) {
    throw new InvalidArgumentError(
      `transitionUnits cannot move units out of "${owned}": they follow their agent, use transitionAgent`,
    );
  }
  return { from, to };
}

export async function transitionUnits(
  ctx: StoreContext,
  ids: readonly string[],
  change: UnitTransition,
): Promise<Unit[]> {
  const list: unknown = ids;
  if (!Array.isArray(list)) throw new InvalidArgumentError('ids must be an array of unit ids');
  const { from, to } = checkedChange(change);
  // A malformed id names no unit, so it is skipped like a missing one.
  const params = [...new Set(ids.map((id) => idParam(id)).filter((id) => id !== undefined))];
  if (params.length === 0) return [];
  // Detaching only when a unit could have an agent (see transitionUnit).
  const detach = detaches(to) && from.some((f) => !detaches(f));
  const set = detach ? 'status = ?, agent_id = null, worker_id = null' : 'status = ?';
  const fromList = placeholders(from.length);
  const moved = await ctx.backend.transaction(async (trx) => {
    const rows: Unit[] = [];
    for (let i = 0; i < params.length; i += IDS_PER_STATEMENT) {
      const chunk = params.slice(i, i + IDS_PER_STATEMENT);
      // SQL text written directly: building a 500-id IN list through Kysely costs more than the
      // UPDATE itself, and a run's launch moves every unit through here.
      const updated = await runFixed<Selectable<UnitsTable>>(
        trx,
        ctx.dialect,
        `update units set ${set} where unit_id in (${placeholders(chunk.length)}) and status in (${fromList}) returning *`,
        [to, ...chunk, ...from],
      );
      for (const row of updated) rows.push(toUnit(row));
    }
    return rows;
  });
  const byId = new Map(moved.map((u) => [u.id, u]));
  const ordered: Unit[] = [];
  for (const id of ids) {
    const unit = byId.get(id);
    if (unit) {
      ordered.push(unit);
      byId.delete(id);
    }
  }
  return ordered;
}

/**
 * The launcher's `created → launched` for units whose objects it already holds (engine-internal; not a
 * Store method): the same change as `transitionUnits(ids, { from: 'created', to: 'launched' })`, but it
 * returns only the ids that moved, and the moved units are the caller's objects with the launch applied
 * (status `launched`, no agent or worker), in the caller's order, duplicates dropped. Reading every
 * column back cost about as much as the UPDATE itself on a 100,000-unit launch.
 *
 * Unlike `transitionUnits` the UPDATE sets only `status`: a `created` unit never has an agent or worker
 * (it enters `created` only by being created, or by a transition that detaches them), and an UPDATE
 * that names `agent_id` and `worker_id` makes SQLite rewrite the two unit indexes on `worker_id` and
 * check both foreign keys for every row, even to write the null already there.
 */
export async function launchCreatedUnits(ctx: StoreContext, units: readonly Unit[]): Promise<Unit[]> {
  const params: bigint[] = [];
  const seen = new Set<string>();
  for (const unit of units) {
    const param = idParam(unit.id);
    if (param === undefined || seen.has(unit.id)) continue;
    seen.add(unit.id);
    params.push(param);
  }
  if (params.length === 0) return [];
  let missed: Set<string> | undefined;
  await ctx.backend.transaction(async (trx) => {
    missed = undefined; // the work may run again (busy database, a batch redone): start afresh
    for (let i = 0; i < params.length; i += IDS_PER_STATEMENT) {
      const chunk = params.slice(i, i + IDS_PER_STATEMENT);
      const updated = await runFixed<{ unit_id: DbInt }>(
        trx,
        ctx.dialect,
        `update units set status = 'launched' where unit_id in (${placeholders(chunk.length)}) and status = 'created' returning unit_id`,
        chunk,
      );
      if (updated.length === chunk.length) continue;
      // Some were not in `created` (expired meanwhile, or missing): note which of the chunk did not move.
      const moved = new Set(updated.map((row) => idOut(row.unit_id)));
      missed ??= new Set();
      for (const param of chunk) {
        const id = param.toString();
        if (!moved.has(id)) missed.add(id);
      }
    }
  });
  const launched: Unit[] = [];
  const done = new Set<string>();
  for (const unit of units) {
    if (done.has(unit.id) || !seen.has(unit.id) || missed?.has(unit.id) === true) continue;
    done.add(unit.id);
    launched.push({ ...unit, status: 'launched', agentId: null, workerId: null });
  }
  return launched;
}

function placeholders(n: number): string {
  return n === 1 ? '?' : Array.from({ length: n }, () => '?').join(', ');
}

export async function countUnitsByStatus(
  ctx: StoreContext,
  filter?: UnitFilter,
): Promise<Record<UnitStatus, number>> {
  const counts = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Record<UnitStatus, number>;
  const where = filterConditions(ctx.dialect, UNIT_FILTER, filter);
  if (where === null) return counts;
  const rows = await ctx.db
    .selectFrom('units')
    .select((eb) => ['status', eb.fn.countAll().as('n')])
    .$if(where.length > 0, (qb) => qb.where(allOf(where)))
    .groupBy('status')
    .execute();
  for (const row of rows) {
    if ((UNIT_STATUSES as readonly string[]).includes(row.status))
      counts[row.status as UnitStatus] = Number(row.n);
  }
  return counts;
}
