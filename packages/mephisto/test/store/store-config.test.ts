import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MephistoError } from '../../src/core/index.js';
import { defaultDataDir, redactUrl, resolveStoreConfig } from '../../src/store/store-config.js';

function configError(designation: string): MephistoError {
  try {
    resolveStoreConfig(designation, {});
  } catch (error) {
    expect(error).toBeInstanceOf(MephistoError);
    const err = error as MephistoError;
    expect(err.code).toBe('MEPHISTO_ERR_STORE_CONFIG');
    return err;
  }
  return expect.fail(`resolveStoreConfig(${JSON.stringify(designation)}) did not throw`);
}

describe('defaultDataDir', () => {
  it('is MEPHISTO_DATA_DIR (resolved) when set, else ~/.mephisto-ts', () => {
    expect(defaultDataDir({ MEPHISTO_DATA_DIR: '/srv/mephisto' })).toBe('/srv/mephisto');
    expect(defaultDataDir({ MEPHISTO_DATA_DIR: 'rel/dir' })).toBe(resolve('rel/dir'));
    expect(defaultDataDir({})).toBe(join(homedir(), '.mephisto-ts'));
    expect(defaultDataDir({ MEPHISTO_DATA_DIR: '   ' })).toBe(join(homedir(), '.mephisto-ts'));
  });
});

describe('resolveStoreConfig', () => {
  it('defaults to <data dir>/database.db', () => {
    expect(resolveStoreConfig(undefined, {})).toEqual({
      kind: 'sqlite',
      path: join(homedir(), '.mephisto-ts', 'database.db'),
    });
    expect(resolveStoreConfig(undefined, { MEPHISTO_DATA_DIR: '/data' })).toEqual({
      kind: 'sqlite',
      path: '/data/database.db',
    });
    expect(resolveStoreConfig('  ', { MEPHISTO_DATA_DIR: '/data' })).toEqual({
      kind: 'sqlite',
      path: '/data/database.db',
    });
  });

  it('uses MEPHISTO_DATABASE_URL when no designation is given, and a designation over it', () => {
    const env = {
      MEPHISTO_DATABASE_URL: 'postgres://u@db.example:5432/mephisto',
      MEPHISTO_DATA_DIR: '/data',
    };
    expect(resolveStoreConfig(undefined, env)).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db.example:5432/mephisto',
    });
    expect(resolveStoreConfig('/tmp/x.db', env)).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
    expect(resolveStoreConfig(undefined, { MEPHISTO_DATABASE_URL: '', MEPHISTO_DATA_DIR: '/data' })).toEqual({
      kind: 'sqlite',
      path: '/data/database.db',
    });
  });

  it('accepts postgres:// and postgresql:// URLs (any case), keeping credentials for the connection', () => {
    expect(resolveStoreConfig('postgres://u:pw@h:5432/db', {})).toEqual({
      kind: 'postgres',
      url: 'postgres://u:pw@h:5432/db',
    });
    expect(resolveStoreConfig('postgresql://u@h/db', {})).toEqual({
      kind: 'postgres',
      url: 'postgresql://u@h/db',
    });
    expect(resolveStoreConfig('POSTGRES://h/db', {})).toMatchObject({ kind: 'postgres' });
    expect(resolveStoreConfig('  postgres://h/db  ', {})).toEqual({
      kind: 'postgres',
      url: 'postgres://h/db',
    });
  });

  it('takes ?schema= out of the URL, keeping the other parameters', () => {
    expect(resolveStoreConfig('postgres://u@h:5432/db?schema=team_a', {})).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
      schema: 'team_a',
    });
    expect(resolveStoreConfig('postgresql://h/db?sslmode=require&schema=s1', {})).toEqual({
      kind: 'postgres',
      url: 'postgresql://h/db?sslmode=require',
      schema: 's1',
    });
    expect(resolveStoreConfig('postgres://h/db?schema=', {})).toEqual({
      kind: 'postgres',
      url: 'postgres://h/db',
    });
  });

  it('accepts :memory:, sqlite:PATH and plain paths', () => {
    expect(resolveStoreConfig(':memory:', {})).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(resolveStoreConfig('sqlite::memory:', {})).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(resolveStoreConfig('sqlite:./data/x.db', {})).toEqual({
      kind: 'sqlite',
      path: resolve('data/x.db'),
    });
    expect(resolveStoreConfig('SQLITE:/abs/x.db', {})).toEqual({ kind: 'sqlite', path: '/abs/x.db' });
    expect(resolveStoreConfig('sqlite:///abs/x.db', {})).toEqual({ kind: 'sqlite', path: '/abs/x.db' });
    expect(resolveStoreConfig('/abs/y.db', {})).toEqual({ kind: 'sqlite', path: '/abs/y.db' });
    expect(resolveStoreConfig('rel/y.db', {})).toEqual({ kind: 'sqlite', path: resolve('rel/y.db') });
  });

  it('refuses an empty sqlite: path', () => {
    expect(configError('sqlite:').message).toContain('sqlite:');
  });

  it('refuses other URL schemes, without printing the password', () => {
    for (const url of ['mysql://root:hunter2@h/db', 'http://u:hunter2@h/x', 'mongodb+srv://u:hunter2@c/db']) {
      const err = configError(url);
      expect(err.message).not.toContain('hunter2');
      expect(err.message).toContain('***');
    }
  });

  it('refuses a malformed PostgreSQL URL, without printing the password', () => {
    const err = configError('postgres://u:hunter2@[::1/db');
    expect(err.message).not.toContain('hunter2');
    expect(configError('postgres://u:hunter2@h:99999/db').message).not.toContain('hunter2');
  });

  it('never prints any part of a password, even one with raw / or @ in it', () => {
    // A password must be percent-encoded in a URL, but users paste raw ones; the error must not echo them.
    expect(configError('postgres://u:hunter/2@h/db').message).not.toContain('hunter');
    expect(redactUrl('postgres://u:hun@ter2@h/db')).not.toContain('ter2');
  });
});

describe('redactUrl', () => {
  it('replaces the password, and only the password', () => {
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgresql://user:p%40ss@host/db?schema=x')).toBe(
      'postgresql://user:***@host/db?schema=x',
    );
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactUrl('postgres://h:5432/db')).toBe('postgres://h:5432/db');
    expect(redactUrl('/var/lib/mephisto/database.db')).toBe('/var/lib/mephisto/database.db');
  });
});
