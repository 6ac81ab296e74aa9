/** What every store operation works with, and the helpers they share. */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Clock, EntityKind, IdGenerator } from '../../core/index.js';
import { NotFoundError } from '../../core/index.js';
import { constraintViolation, isPrimaryKeyCollision } from './db-errors.js';
import { idParam } from './row-mapping.js';
import { PRIMARY_KEY, type Database, type TableName } from './schema.js';
import type { StoreBackend, StoreDialect } from './store-backend.js';

export interface StoreContext {
  readonly backend: StoreBackend;
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** A query runner: the store's database or an open transaction on it. */
export type Queryable = Kysely<Database>;

/** The entity each table holds, for naming the missing row of a foreign key. */
export const ENTITY_OF_TABLE: { readonly [T in TableName]: EntityKind } = {
  projects: 'project',
  tasks: 'task',
  requesters: 'requester',
  task_runs: 'task_run',
  assignments: 'assignment',
  units: 'unit',
  workers: 'worker',
  agents: 'agent',
  onboarding_agents: 'onboarding_agent',
  qualifications: 'qualification',
  granted_qualifications: 'granted_qualification',
  worker_review: 'worker_review',
  // A block's only references are its worker and requester; the block itself is not an entity.
  worker_blocks: 'worker',
};

/** Attempts per create: a collision of two random 22-bit sequences in one millisecond is already rare. */
const ID_ATTEMPTS = 3;

/**
 * Runs `create` (which must draw its ids inside) again when, and only when, a generated primary key
 * collided with an existing row. Any other error, including another unique key, is rethrown at once.
 */
export async function withFreshIds<T>(create: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      if (attempt >= ID_ATTEMPTS || !isPrimaryKeyCollision(error)) throw error;
    }
  }
}

/** The clock's time as whole milliseconds (the column is an integer). */
export function nowMs(ctx: StoreContext): number {
  return Math.floor(ctx.clock.now());
}

/** The id as a parameter, or NotFound(entity) when it is malformed and so cannot exist. */
export function requireIdParam(entity: EntityKind, id: string): bigint {
  const value = idParam(id);
  if (value === undefined) throw new NotFoundError(entity, id);
  return value;
}

/** Throws NotFound(entity of `table`) unless a row with primary key `id` exists. */
export async function requireRow(db: Queryable, table: TableName, id: string): Promise<bigint> {
  const entity = ENTITY_OF_TABLE[table];
  const key = requireIdParam(entity, id);
  const { rows } = await sql<{ one: unknown }>`select 1 as one from ${sql.table(table)} where ${sql.ref(
    PRIMARY_KEY[table],
  )} = ${key}`.execute(db);
  if (rows.length === 0) throw new NotFoundError(entity, id);
  return key;
}

/**
 * Turns a constraint violation raised by a write into the error the port promises: a unique key →
 * `onUnique()`; a foreign key → NotFound for the referenced table (or `fallbackEntity` when the driver
 * does not say which). Anything else is returned unchanged.
 */
export function translateWriteError(
  error: unknown,
  onUnique: (() => Error) | undefined,
  fallbackEntity: EntityKind,
  fallbackKey: string,
): unknown {
  const violation = constraintViolation(error);
  if (!violation) return error;
  if (violation.kind === 'unique' && onUnique) return onUnique();
  if (violation.kind === 'foreign_key') {
    // The store checks references itself before writing; this is the backstop for a row deleted
    // meanwhile by another connection. SQLite does not say which reference failed.
    const table = violation.table;
    if (table !== undefined && table in ENTITY_OF_TABLE) {
      return new NotFoundError(ENTITY_OF_TABLE[table as TableName], violation.key ?? '?', undefined, {
        cause: error,
      });
    }
    return new NotFoundError(fallbackEntity, fallbackKey, undefined, { cause: error });
  }
  return error;
}

/**
 * Runs a fixed SQL text (written with `?` placeholders; numbered `$n` for PostgreSQL) through `db`,
 * skipping Kysely's query building and compiling, which cost more than the lookup itself on the
 * engine's per-request reads. Goes through `db` like any query, so it waits for the connection and
 * joins the transaction `db` stands for.
 */
export async function runFixed<R>(
  db: Queryable,
  dialect: StoreDialect,
  text: string,
  params: readonly unknown[],
): Promise<R[]> {
  const { rows } = await db.executeQuery<R>(CompiledQuery.raw(forDialect(dialect, text), [...params]));
  return rows;
}

/**
 * A read outside any transaction, as a fixed SQL text (see {@link runFixed}): on SQLite a prepared
 * statement run directly on the connection as soon as it is free (StoreBackend.sqliteRead), elsewhere
 * {@link runFixed} on the store's database.
 */
export function readFixed<R>(ctx: StoreContext, text: string, params: readonly unknown[]): Promise<R[]> {
  const read = ctx.backend.sqliteRead;
  if (read) return read((statements) => statements.prepare(text).all(...params) as R[]);
  return runFixed<R>(ctx.db, ctx.dialect, text, params);
}

const POSTGRES_TEXT = new Map<string, string>();

function forDialect(dialect: StoreDialect, text: string): string {
  if (dialect === 'sqlite') return text;
  let converted = POSTGRES_TEXT.get(text);
  if (converted === undefined) {
    let n = 0;
    converted = text.replace(/\?/g, () => `$${++n}`);
    POSTGRES_TEXT.set(text, converted);
  }
  return converted;
}
