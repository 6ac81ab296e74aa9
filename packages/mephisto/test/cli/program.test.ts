/**
 * The `mephisto` program, run in-process against temporary SQLite files (and PostgreSQL when the test
 * run has one): what it prints and the exit code for each kind of outcome.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { MephistoError } from '../../src/core/errors.js';
import type { DbStatus } from '../../src/cli/commands/db.js';
import { runMephisto, tempDir } from './run-cli.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => {
  cleanup();
});

/** An environment whose default database lives in this test's directory. */
const env = (): NodeJS.ProcessEnv => ({ MEPHISTO_DATA_DIR: dir });

async function statusJson(args: readonly string[], environment = env()): Promise<DbStatus> {
  const result = await runMephisto(['db', 'status', '--json', ...args], { env: environment });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as DbStatus;
}

describe('mephisto --help and --version', () => {
  it('--help lists the commands and the global options', async () => {
    const result = await runMephisto(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: mephisto \[options\] \[command\]/);
    expect(result.stdout).toMatch(/^\s+db\s+inspect the database/m);
    expect(result.stdout).toContain('--db <path|url>');
    expect(result.stdout).toContain('--debug');
    expect(result.stdout).toContain('MEPHISTO_DATABASE_URL');
  });

  it('db --help lists the db commands', async () => {
    const result = await runMephisto(['db', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+migrate\s+apply pending migrations/m);
    expect(result.stdout).toMatch(/^\s+status \[options\]\s+show where the database is/m);
  });

  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runMephisto([flag]);
      expect(result).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
    }
  });
});

describe('mephisto db migrate', () => {
  it('applies the migrations once, then reports the database up to date', async () => {
    const path = join(dir, 'a.db');
    const first = await runMephisto(['--db', path, 'db', 'migrate']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^Applied \\d+ migrations? to ${escape(path)} \\(sqlite\\):\\n`));

    const { applied, pending, schemaVersion } = await statusJson(['--db', path]);
    expect(pending).toEqual([]);
    expect(applied.length).toBeGreaterThan(0);
    for (const name of applied) expect(first.stdout).toContain(`  ${name}\n`);
    expect(first.stdout).toContain(`Schema version: ${schemaVersion ?? '?'}\n`);

    const second = await runMephisto(['--db', path, 'db', 'migrate']);
    expect(second).toEqual({
      code: 0,
      stdout: `Database ${path} (sqlite) is already up to date (schema version ${schemaVersion ?? '?'}).\n`,
      stderr: '',
    });
  });
});

describe('mephisto db status', () => {
  it('shows location, dialect, schema version, pending migrations and an aligned table of row counts', async () => {
    const path = join(dir, 'b.db');
    expect((await runMephisto(['--db', path, 'db', 'migrate'])).code).toBe(0);
    const status = await statusJson(['--db', path]);

    const result = await runMephisto(['--db', path, 'db', 'status']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [fields, table] = result.stdout.split('\n\n');
    expect(fields).toBe(
      [
        `Database:            ${path}`,
        'Dialect:             sqlite',
        `Schema version:      ${status.schemaVersion ?? '?'}`,
        'Pending migrations:  none',
      ].join('\n'),
    );
    const lines = (table ?? '').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Table\s+Rows$/);
    // Counts are right-aligned, so every line of the table has the same length.
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
    for (const table of ['projects', 'tasks', 'task_runs', 'assignments', 'units', 'workers', 'agents']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${table}\\s+0$`)));
    }
    expect(lines.slice(1)).toHaveLength(Object.keys(status.tables ?? {}).length);
  });

  it('--json gives the same facts for scripts', async () => {
    const path = join(dir, 'c.db');
    await runMephisto(['--db', path, 'db', 'migrate']);
    const status = await statusJson(['--db', path]);
    expect(status).toMatchObject({ location: path, dialect: 'sqlite', pending: [] });
    expect(status.schemaVersion).toBe(status.applied.at(-1));
    expect(status.tables).toMatchObject({ units: 0, agents: 0, task_runs: 0 });
  });

  it('on a database never migrated, lists the pending migrations and how to apply them', async () => {
    const path = join(dir, 'fresh.db');
    const status = await statusJson(['--db', path]);
    expect(status).toMatchObject({ applied: [], schemaVersion: null, tables: null });
    expect(status.pending.length).toBeGreaterThan(0);

    const result = await runMephisto(['--db', path, 'db', 'status']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Schema version:      none (empty database)\n');
    expect(result.stdout).toContain(`Pending migrations:  ${status.pending.join(', ')}\n`);
    expect(result.stdout).toContain('Run `mephisto db migrate` to apply them.\n');
  });

  it('uses --db, else MEPHISTO_DATABASE_URL, else <MEPHISTO_DATA_DIR>/database.db', async () => {
    expect((await statusJson([])).location).toBe(join(dir, 'database.db'));
    const fromEnv = join(dir, 'env.db');
    expect((await statusJson([], { ...env(), MEPHISTO_DATABASE_URL: fromEnv })).location).toBe(fromEnv);
    const fromFlag = join(dir, 'flag.db');
    expect(
      (await statusJson(['--db', fromFlag], { ...env(), MEPHISTO_DATABASE_URL: fromEnv })).location,
    ).toBe(fromFlag);
  });

  it('accepts the global options before or after the command', async () => {
    const path = join(dir, 'd.db');
    const before = await runMephisto(['--db', path, 'db', 'status', '--json'], { env: env() });
    const after = await runMephisto(['db', 'status', '--json', '--db', path], { env: env() });
    expect(after).toEqual(before);
    expect((JSON.parse(after.stdout) as DbStatus).location).toBe(path);
  });
});

describe('wrong arguments: what was wrong, then the usage, exit code 2', () => {
  // --db belongs to the root command, so its errors come with the root usage (which documents --db).
  const ROOT = 'Usage: mephisto [options] [command]';
  const cases: { args: string[]; message: RegExp; usage: string }[] = [
    { args: [], message: /missing command: expected one of db/, usage: ROOT },
    {
      args: ['db'],
      message: /missing command: expected one of migrate, status/,
      usage: 'Usage: mephisto db',
    },
    { args: ['dbb'], message: /unknown command 'dbb'/, usage: ROOT },
    { args: ['help', 'dbb'], message: /unknown command 'dbb': expected one of db/, usage: ROOT },
    {
      args: ['db', 'stats'],
      message: /unknown command 'stats'\n\(Did you mean status\?\)/,
      usage: 'Usage: mephisto db',
    },
    { args: ['--nope'], message: /unknown option '--nope'/, usage: ROOT },
    {
      args: ['db', 'status', '--jsn'],
      message: /unknown option '--jsn'\n\(Did you mean --json\?\)/,
      usage: 'Usage: mephisto db status [options]',
    },
    {
      args: ['db', 'migrate', 'now'],
      message: /too many arguments for 'migrate'/,
      usage: 'Usage: mephisto db migrate [options]',
    },
    { args: ['db', 'status', '--db'], message: /option '--db <path\|url>' argument missing/, usage: ROOT },
    {
      args: ['--db', 'mysql://localhost/x', 'db', 'status'],
      message:
        /option '--db <path\|url>' argument 'mysql:\/\/localhost\/x' is invalid\. unsupported database URL/,
      usage: ROOT,
    },
    {
      args: ['--db', 'sqlite:', 'db', 'migrate'],
      message: /argument 'sqlite:' is invalid\. sqlite: needs a path/,
      usage: ROOT,
    },
  ];
  for (const { args, message, usage } of cases) {
    it(`mephisto ${args.join(' ') || '(no arguments)'}`, async () => {
      const result = await runMephisto(args, { env: env() });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error \[MEPHISTO_ERR_USAGE\]: /);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain(`\n\n${usage}`);
    });
  }
});

describe('failures: error [CODE], message and hint, exit code 1', () => {
  it('reports a MephistoError with its code and the remedy from the registry', async () => {
    const result = await runMephisto(['db', 'status'], {
      env: env(),
      openStore: () =>
        Promise.reject(new MephistoError('MEPHISTO_ERR_STORE_CONNECTION', 'cannot open /nowhere/x.db')),
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error [MEPHISTO_ERR_STORE_CONNECTION]: cannot open /nowhere/x.db\n' +
        'hint: For SQLite check that the data directory is writable; for PostgreSQL that the server is up and the URL right.\n',
    });
  });

  it('reports a bad MEPHISTO_DATABASE_URL as a configuration error', async () => {
    const result = await runMephisto(['db', 'status'], {
      env: { ...env(), MEPHISTO_DATABASE_URL: 'mysql://h/db' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error \[MEPHISTO_ERR_STORE_CONFIG\]: unsupported database URL "mysql:\/\/h\/db"/,
    );
    expect(result.stderr).toMatch(/\nhint: Pass `--db PATH\|postgres:/);
  });

  it('reports an unreachable PostgreSQL server as a connection error, without the password', async () => {
    const result = await runMephisto(['--db', 'postgres://someone:s3cret@127.0.0.1:1/none', 'db', 'status'], {
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[MEPHISTO_ERR_STORE_CONNECTION\]: /);
    expect(result.stderr).toContain('\nhint: ');
    expect(result.stderr).not.toContain('s3cret');
  });

  it('shows the stack of an unexpected error only with --debug', async () => {
    const openStore = () => Promise.reject(new Error('boom', { cause: new Error('underneath') }));
    const plain = await runMephisto(['db', 'status'], { env: env(), openStore });
    expect(plain).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: boom\nThis was unexpected; run the command again with --debug to see where it happened.\n',
    });

    const debug = await runMephisto(['--debug', 'db', 'status'], { env: env(), openStore });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^error: boom\nError: boom\n\s+at /);
    expect(debug.stderr).toMatch(/\ncaused by: Error: underneath\n\s+at /);
  });
});

describe('mephisto db on PostgreSQL', () => {
  const pgUrl = inject('pgUrl');
  it.skipIf(pgUrl === null)(
    'migrates and reports a store in its own schema, with the URL redacted',
    async () => {
      const schema = `cli_test_${process.pid}_${Date.now()}`;
      const url = new URL(pgUrl ?? '');
      url.password = url.password || 'unused-password';
      const withSchema = `${url.toString()}${url.search ? '&' : '?'}schema=${schema}`;
      try {
        const migrate = await runMephisto(['--db', withSchema, 'db', 'migrate'], { env: env() });
        expect(migrate.stderr).toBe('');
        expect(migrate.stdout).toMatch(/^Applied \d+ migrations? to .* \(postgres\):/);
        const status = await statusJson(['--db', withSchema]);
        expect(status).toMatchObject({ dialect: 'postgres', pending: [] });
        expect(status.location).not.toContain(url.password);
        expect(status.tables).toMatchObject({ units: 0 });
      } finally {
        const client = new pg.Client({ connectionString: pgUrl ?? '' });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
    },
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
