/**
 * Recognises the driver errors the store turns into MephistoErrors. better-sqlite3 reports extended
 * result codes (`SQLITE_CONSTRAINT_UNIQUE`, …); pg reports SQLSTATEs (`23505`, …) with the constraint
 * name. Nothing else in the store inspects a driver error.
 */
import { MephistoError } from '../../core/index.js';

export type ConstraintViolation =
  /** A primary key was taken: a generated id collided, retry with another. */
  | { kind: 'primary_key' }
  /** Another unique key (a name, a pair of ids) was taken. */
  | { kind: 'unique' }
  /** A foreign key names a missing row; the referenced table and key when the driver says. */
  | { kind: 'foreign_key'; table?: string; key?: string };

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
}

function asDriverError(error: unknown): DriverError | undefined {
  return typeof error === 'object' && error !== null ? error : undefined;
}

export function constraintViolation(error: unknown): ConstraintViolation | undefined {
  const e = asDriverError(error);
  if (!e || typeof e.code !== 'string') return undefined;
  switch (e.code) {
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return { kind: 'primary_key' };
    case 'SQLITE_CONSTRAINT_UNIQUE':
      return { kind: 'unique' };
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return { kind: 'foreign_key' };
    case '23505':
      // PostgreSQL names a column primary key `<table>_pkey`; the migrations keep that default.
      return typeof e.constraint === 'string' && e.constraint.endsWith('_pkey')
        ? { kind: 'primary_key' }
        : { kind: 'unique' };
    case '23503': {
      // detail: Key (task_id)=(123) is not present in table "tasks".
      const match =
        typeof e.detail === 'string' ? /=\((.*)\) is not present in table "([^"]+)"/.exec(e.detail) : null;
      return match?.[1] !== undefined && match[2] !== undefined
        ? { kind: 'foreign_key', table: match[2], key: match[1] }
        : { kind: 'foreign_key' };
    }
    default:
      return undefined;
  }
}

export function isPrimaryKeyCollision(error: unknown): boolean {
  return constraintViolation(error)?.kind === 'primary_key';
}

/** SQLite gave up waiting for another connection's lock (see sqlite/busy-wait.ts). */
export function isBusyDatabase(error: unknown): boolean {
  const code = asDriverError(error)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** SQLSTATE classes and Node error codes that mean the PostgreSQL server is unreachable or went away. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

/** True when `error` says the database connection failed, rather than that a statement was wrong. */
export function isConnectionFailure(error: unknown): boolean {
  const e = asDriverError(error);
  if (!e) return false;
  if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Cannot use a pool after calling end|timeout exceeded when trying to connect/i.test(
    message,
  );
}

/**
 * Leaves MephistoErrors alone and wraps a lost connection into MEPHISTO_ERR_STORE_CONNECTION, so callers
 * can tell "the database is down" from a bug. Other errors pass through unchanged.
 */
export function mapDriverError(error: unknown, location: string): unknown {
  if (error instanceof MephistoError) return error;
  if (isBusyDatabase(error)) {
    return new MephistoError(
      'MEPHISTO_ERR_STORE_CONNECTION',
      `the database ${location} stayed locked by another connection for longer than the busy timeout`,
      { cause: error },
    );
  }
  if (isConnectionFailure(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new MephistoError(
      'MEPHISTO_ERR_STORE_CONNECTION',
      `lost the connection to ${location}: ${reason}`,
      {
        cause: error,
      },
    );
  }
  return error;
}
