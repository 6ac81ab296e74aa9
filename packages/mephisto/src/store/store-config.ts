import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MephistoError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';

/** Where a store keeps its data. */
export type StoreConfig =
  | {
      kind: 'sqlite';
      /** A file path, or `:memory:` for a private in-memory database. */
      path: string;
      /**
       * SQLite `synchronous` in WAL mode. `normal`: a committed change survives a crash of the process
       * (including kill -9) but the last commits may be lost if the operating system crashes. `full`
       * also survives an OS crash, at the price of an fsync per commit.
       * @default 'normal'
       */
      synchronous?: 'normal' | 'full';
      /** @default 5000 */
      busyTimeoutMs?: number;
      /**
       * SQLite's page cache, KiB. The default (64 MiB) keeps a large run's claim index in the process;
       * a command that reads the data once (an export) gains nothing from it and opens with a small
       * one, to stay within its memory bound. @default 65536
       */
      pageCacheKiB?: number;
      /**
       * After this many write operations (or once the log reaches 2 MiB), WAL checkpoints move from
       * SQLite's COMMIT to a worker thread with a connection of its own, so they no longer stall the
       * event loop (see wal-checkpointer.ts). 0 keeps SQLite's automatic checkpoints. @default 2000
       */
      checkpointInBackgroundAfterWrites?: number;
    }
  | {
      kind: 'postgres';
      /** `postgres://user[:password]@host:port/database` */
      url: string;
      /** Schema to keep every table in (created if missing); lets several stores share a database. @default 'public' */
      schema?: string;
      /** @default 10 */
      poolSize?: number;
    };

export interface OpenStoreOptions {
  clock?: Clock;
  ids?: IdGenerator;
  /** Apply pending migrations on open. @default true */
  migrate?: boolean;
}

/** The data directory: MEPHISTO_DATA_DIR, else ~/.mephisto-ts. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MEPHISTO_DATA_DIR;
  return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : join(homedir(), '.mephisto-ts');
}

/**
 * Turns a user's database designation into a StoreConfig. Accepted forms: `postgres://…` or
 * `postgresql://…` (PostgreSQL, `?schema=NAME` picks a schema), `sqlite:PATH`, `:memory:`, or a plain
 * file path. With no designation: MEPHISTO_DATABASE_URL if set, else `<data dir>/database.db`.
 */
export function resolveStoreConfig(designation?: string, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const raw = designation ?? env.MEPHISTO_DATABASE_URL;
  if (raw === undefined || raw.trim() === '') {
    return { kind: 'sqlite', path: join(defaultDataDir(env), 'database.db') };
  }
  const value = raw.trim();
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new MephistoError(
        'MEPHISTO_ERR_STORE_CONFIG',
        `not a valid PostgreSQL URL: "${redactUrl(value)}"`,
      );
    }
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return schema
      ? { kind: 'postgres', url: url.toString(), schema }
      : { kind: 'postgres', url: url.toString() };
  }
  if (value === ':memory:') return { kind: 'sqlite', path: ':memory:' };
  if (/^sqlite:/i.test(value)) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '')
      throw new MephistoError('MEPHISTO_ERR_STORE_CONFIG', 'sqlite: needs a path, e.g. sqlite:./data.db');
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new MephistoError(
      'MEPHISTO_ERR_STORE_CONFIG',
      `unsupported database URL "${redactUrl(value)}": use postgres://…, sqlite:PATH, :memory: or a file path`,
    );
  }
  return { kind: 'sqlite', path: resolve(value) };
}

/**
 * A URL safe to print: the password, if any, is replaced by `***`. Users paste raw passwords that
 * contain `/` or `@`, so the user info is taken to run up to the *last* `@`: that may hide more than
 * the password, but never less.
 */
export function redactUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is.exec(url);
  if (!match) return url;
  const [whole, scheme = '', userInfo = ''] = match;
  const colon = userInfo.indexOf(':');
  if (colon < 0) return url;
  return `${scheme}${userInfo.slice(0, colon)}:***@${url.slice(whole.length)}`;
}
