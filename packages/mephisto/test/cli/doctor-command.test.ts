/**
 * `mephisto doctor`, in-process: every check reported with ✓/✗/!/·, a fix for each problem, exit 1
 * only when a required check (database, data directory) fails, and --json. Provider credentials are only
 * looked for, with `mephisto register` as the way to try them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/commands/doctor.js';
import { checkNode } from '../../src/cli/commands/doctor.js';
import { openStore } from '../../src/store/open-store.js';
import { runMephisto, tempDir } from './run-cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => {
  cleanup();
});

/** A private data directory and home, so no check looks at the real ones. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  MEPHISTO_DATA_DIR: join(dir, 'data'),
  HOME: dir,
  ...extra,
});

async function doctor(
  args: string[],
  extra?: NodeJS.ProcessEnv,
): Promise<{ code: number; report: DoctorReport }> {
  const result = await runMephisto([...args, 'doctor', '--json'], { env: env(extra) });
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport };
}

/** Listens on a free port, to find it taken. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

describe('mephisto doctor', () => {
  it('a fresh setup passes: exit 0, each check on one line, providers as information', async () => {
    const result = await runMephisto(['doctor'], { env: env() });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`✓ Node.js ${process.versions.node}`);
    expect(result.stdout).toContain(
      `· Database ${join(dir, 'data', 'database.db')} (sqlite): not created yet`,
    );
    expect(result.stdout).toContain(`✓ Data directory ${join(dir, 'data')}: not created yet, can be`);
    expect(result.stdout).toMatch(/[✓!] Port 3000 \(task server default\): /);
    expect(result.stdout).toMatch(/[✓!] Chromium/);
    expect(result.stdout).toContain('· MTurk: not configured (no AWS keys, AWS_PROFILE or ~/.aws files;');
    expect(result.stdout).toContain(
      '    next: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), then run `mephisto register mturk_sandbox name=<requester>`',
    );
    expect(result.stdout).toContain('· Prolific: not configured (PROLIFIC_API_TOKEN is not set;');
    expect(result.stdout).toContain('    next: set PROLIFIC_API_TOKEN');
    expect(result.stdout).not.toContain('not available');
    expect(result.stdout).toMatch(/\nEverything required is in place( \(\d warnings?\))?\.\n$/);
  });

  it('a migrated database is ✓ with its schema version; credentials are only said to be present', async () => {
    mkdirSync(join(dir, 'data'));
    const db = join(dir, 'data', 'database.db');
    await (await openStore({ kind: 'sqlite', path: db })).close();
    mkdirSync(join(dir, '.aws'));
    writeFileSync(join(dir, '.aws', 'credentials'), '[default]\n');
    const { code, report } = await doctor([], { PROLIFIC_API_TOKEN: 'secret-key' });
    expect(code).toBe(0);
    const byId = new Map(report.checks.map((check) => [check.id, check]));
    expect(byId.get('database')).toMatchObject({ status: 'ok' });
    expect(byId.get('database')?.summary).toMatch(/schema \d{4}_\w+, no pending migrations$/);
    expect(byId.get('data-dir')).toMatchObject({
      status: 'ok',
      summary: `Data directory ${join(dir, 'data')}: writable`,
    });
    expect(byId.get('mturk')).toMatchObject({ status: 'info' });
    expect(byId.get('mturk')?.summary).toContain(`AWS file ${join(dir, '.aws', 'credentials')} found`);
    expect(byId.get('mturk')?.fix).toContain('run `mephisto register mturk_sandbox name=<requester>`');
    expect(byId.get('prolific')).toMatchObject({
      status: 'info',
      summary: 'Prolific: PROLIFIC_API_TOKEN is set',
    });
    expect(byId.get('prolific')?.fix).toContain('run `mephisto register prolific name=<requester>`');
    expect(JSON.stringify(report)).not.toContain('secret-key');
  });

  it('provider credentials: AWS keys, AWS_PROFILE, and the PROLIFIC_API_KEY mix-up', async () => {
    const keys = await doctor([], { AWS_ACCESS_KEY_ID: 'AKIDSECRET', AWS_SECRET_ACCESS_KEY: 'shh' });
    const mturk = keys.report.checks.find((c) => c.id === 'mturk');
    expect(mturk).toMatchObject({
      status: 'info',
      summary: 'MTurk: AWS keys set in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
    });
    expect(JSON.stringify(keys.report)).not.toMatch(/AKIDSECRET|shh/);
    const profile = await doctor([], { AWS_PROFILE: 'lab' });
    expect(profile.report.checks.find((c) => c.id === 'mturk')?.summary).toBe(
      'MTurk: AWS profile "lab" selected (AWS_PROFILE)',
    );
    // Mephisto's name, which this check used to ask for: not what the provider reads.
    const old = await runMephisto(['doctor'], { env: env({ PROLIFIC_API_KEY: 'secret-key' }) });
    expect(old.code).toBe(0);
    expect(old.stdout).toContain(
      '! Prolific: PROLIFIC_API_KEY is set, but the Prolific provider reads PROLIFIC_API_TOKEN\n' +
        '    fix: set PROLIFIC_API_TOKEN to the token instead',
    );
    expect(old.stdout).not.toContain('secret-key');
  });

  it('pending migrations are a warning with the command that applies them', async () => {
    const db = join(dir, 'empty.db');
    await (await openStore({ kind: 'sqlite', path: db }, { migrate: false })).close();
    const { code, report } = await doctor(['--db', db]);
    expect(code).toBe(0);
    expect(report.checks.find((c) => c.id === 'database')).toMatchObject({
      status: 'warn',
      fix: 'run `mephisto db migrate` (every command that writes applies them too)',
    });
  });

  it('an unreachable database fails: exit 1 with a fix', async () => {
    const { code, report } = await doctor(['--db', 'postgres://nobody@127.0.0.1:1/none']);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const check = report.checks.find((c) => c.id === 'database');
    expect(check?.status).toBe('fail');
    expect(check?.summary).toContain('postgres://nobody@127.0.0.1:1/none');
    expect(check?.fix).toContain('check that the server is running');
  });

  it('a data directory that cannot be written fails; a busy port is a warning', async () => {
    writeFileSync(join(dir, 'file'), '');
    const { port, server } = await occupiedPort();
    try {
      const result = await runMephisto(['doctor', '--port', String(port)], {
        env: env({ MEPHISTO_DATA_DIR: join(dir, 'file', 'data') }),
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`✗ Data directory ${join(dir, 'file', 'data')}: cannot be created`);
      expect(result.stdout).toContain('    fix: set MEPHISTO_DATA_DIR to a folder you can write to');
      expect(result.stdout).toContain(`! Port ${port}: in use\n    fix: stop the program using it`);
      expect(result.stdout).not.toContain('Port 3000');
      expect(result.stdout).toMatch(/\n1 required check failed \(1 warning\): see the fixes above\.\n$/);
    } finally {
      server.close();
    }
  });

  it('Node.js before 20 fails', () => {
    const old = checkNode('18.19.0');
    expect(old.status).toBe('fail');
    expect(old.fix).toContain('Node.js 20');
    expect(checkNode('22.1.0')).toMatchObject({ status: 'ok' });
  });
});
