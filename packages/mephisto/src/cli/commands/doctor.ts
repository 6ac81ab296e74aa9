/**
 * `mephisto doctor [--json] [--port N…]`: checks what running tasks needs, one line per check with a
 * fix for each problem. Exit 1 when a required check fails (Node.js, the database, the data
 * directory); ports, Chromium and provider credentials are reported but never fail it. Offline: provider
 * credentials are only looked for (`mephisto register` tries them).
 */
import { existsSync } from 'node:fs';
import { access, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { defaultDataDir, redactUrl, resolveStoreConfig, type StoreConfig } from '../../store/store-config.js';
import { EXIT_FAILURE } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';

/** `ok` ✓, `fail` ✗ (a required check: exit 1), `warn` ! (worth fixing, not required), `info` ·. */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'info';

export interface DoctorCheck {
  /** Stable name for scripts: `node`, `database`, `data-dir`, `port-3000`, `chromium`, `mturk`, `prolific`. */
  id: string;
  status: CheckStatus;
  summary: string;
  /**
   * One line saying what to do: present for `fail` and `warn`, and for the provider checks (how to set up
   * or try the credentials; printed as `next:` under an information line).
   */
  fix?: string;
}

/** `mephisto doctor --json`. */
export interface DoctorReport {
  /** False when a required check failed. */
  ok: boolean;
  checks: DoctorCheck[];
}

const MIN_NODE_MAJOR = 20;
/** The task server's default port (mephisto.architect.port, core/config/architect-args.ts). */
const TASK_SERVER_PORT = 3000;
/** Debian's Chromium, which the browser tests drive (test/browser/chromium.ts). */
const CHROMIUM_PATH = '/usr/bin/chromium';
/** How long the database may take to answer before the check gives up. */
const DATABASE_TIMEOUT_MS = 10_000;

const SYMBOLS: Record<CheckStatus, string> = { ok: '✓', fail: '✗', warn: '!', info: '·' };

function portNumber(value: string, previous: number[] | undefined): number[] {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError('expected a port number from 1 to 65535.');
  }
  return [...(previous ?? []), port];
}

export function registerDoctorCommand(program: Command, context: CommandContext): void {
  program
    .command('doctor')
    .description('check Node.js, the database, the data directory, ports, Chromium and provider credentials')
    .option('--json', 'print the checks as JSON')
    .option(
      '--port <port>',
      `a port the task server will use (repeatable; default ${TASK_SERVER_PORT})`,
      portNumber,
    )
    .addHelpText(
      'after',
      '\nEach line is ✓ (fine), ✗ (a required check failed), ! (worth fixing) or · (for information).\n' +
        'Exit codes: 0 every required check passed, 1 one failed.\n',
    )
    .action(async (options: { json?: boolean; port?: number[] }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const checks = await runChecks(context, globals, options.port ?? [TASK_SERVER_PORT]);
      const report: DoctorReport = { ok: checks.every((c) => c.status !== 'fail'), checks };
      context.stdout.write(
        options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
      );
      if (!report.ok) context.setExitCode(EXIT_FAILURE);
    });
}

async function runChecks(
  context: CommandContext,
  globals: GlobalOptions,
  ports: readonly number[],
): Promise<DoctorCheck[]> {
  const env = context.env;
  const checks: DoctorCheck[] = [checkNode(process.versions.node)];
  checks.push(await checkDatabase(context, globals));
  checks.push(await checkDataDir(defaultDataDir(env)));
  for (const port of [...new Set(ports)]) checks.push(await checkPort(port));
  checks.push(checkChromium());
  checks.push(checkMturk(env));
  checks.push(checkProlific(env));
  return checks;
}

export function checkNode(version: string): DoctorCheck {
  const major = Number(version.split('.')[0]);
  return major >= MIN_NODE_MAJOR
    ? { id: 'node', status: 'ok', summary: `Node.js ${version}` }
    : {
        id: 'node',
        status: 'fail',
        summary: `Node.js ${version} is too old (${MIN_NODE_MAJOR} or later is required)`,
        fix: `install Node.js ${MIN_NODE_MAJOR} or later (https://nodejs.org, or your package manager)`,
      };
}

function describeStore(config: StoreConfig): string {
  return config.kind === 'sqlite' ? `${config.path} (sqlite)` : `${redactUrl(config.url)} (postgres)`;
}

async function checkDatabase(context: CommandContext, globals: GlobalOptions): Promise<DoctorCheck> {
  let config: StoreConfig;
  try {
    config = resolveStoreConfig(globals.db, context.env);
  } catch (error) {
    return {
      id: 'database',
      status: 'fail',
      summary: `Database: ${(error as Error).message}`,
      fix: 'pass --db PATH|postgres://user@host:port/db, or fix MEPHISTO_DATABASE_URL',
    };
  }
  const where = describeStore(config);
  if (config.kind === 'sqlite' && config.path !== ':memory:' && !existsSync(config.path)) {
    return {
      id: 'database',
      status: 'info',
      summary: `Database ${where}: not created yet (\`mephisto run\` creates it)`,
    };
  }
  const fix =
    config.kind === 'sqlite'
      ? 'check that the file is a mephisto-ts database and readable, or pass --db with the right path'
      : 'check that the server is running and the URL (--db or MEPHISTO_DATABASE_URL) is right';
  let timer: NodeJS.Timeout | undefined;
  try {
    const opening = context.openStore(config, { migrate: false });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${DATABASE_TIMEOUT_MS / 1000} s`));
      }, DATABASE_TIMEOUT_MS);
      timer.unref();
    });
    // A store that opens after the timeout is closed then, so nothing is left connected.
    opening.then((late) => (timer === undefined ? late.close() : undefined)).catch(() => undefined);
    const store = await Promise.race([opening, timeout]);
    try {
      const schema = await store.schemaStatus();
      const { knownMigrations } = await import('../../store/kysely/migrations/index.js');
      const known = Object.keys(knownMigrations(store.dialect));
      const newer = schema.applied.filter((name) => !known.includes(name));
      const version = schema.applied.at(-1) ?? 'none (empty database)';
      if (newer.length > 0) {
        return {
          id: 'database',
          status: 'fail',
          summary: `Database ${where}: written by a newer mephisto-ts (migrations ${newer.join(', ')})`,
          fix: 'upgrade mephisto-ts to the version that wrote this database',
        };
      }
      if (schema.pending.length > 0) {
        return {
          id: 'database',
          status: 'warn',
          summary: `Database ${where}: schema ${version}, ${schema.pending.length} pending migration(s): ${schema.pending.join(', ')}`,
          fix: 'run `mephisto db migrate` (every command that writes applies them too)',
        };
      }
      return {
        id: 'database',
        status: 'ok',
        summary: `Database ${where}: schema ${version}, no pending migrations`,
      };
    } finally {
      await store.close();
    }
  } catch (error) {
    return { id: 'database', status: 'fail', summary: `Database ${where}: ${(error as Error).message}`, fix };
  } finally {
    clearTimeout(timer);
    timer = undefined;
  }
}

/** Writable: a file can be created in it, or (not there yet) in the nearest folder above it. */
async function checkDataDir(dir: string): Promise<DoctorCheck> {
  const fix = `set MEPHISTO_DATA_DIR to a folder you can write to, or fix the permissions of ${dir}`;
  const found = await stat(dir).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (found instanceof Error) {
    // ENOTDIR: a file stands where a folder of the path should be; the walk up below finds it.
    if (found.code !== 'ENOENT' && found.code !== 'ENOTDIR') {
      return { id: 'data-dir', status: 'fail', summary: `Data directory ${dir}: ${found.message}`, fix };
    }
    let parent = dirname(dir);
    while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
    const usable =
      (await stat(parent)
        .then((s) => s.isDirectory())
        .catch(() => false)) &&
      (await access(parent, 2 /* W_OK */)
        .then(() => true)
        .catch(() => false));
    return usable
      ? {
          id: 'data-dir',
          status: 'ok',
          summary: `Data directory ${dir}: not created yet, can be (in ${parent})`,
        }
      : {
          id: 'data-dir',
          status: 'fail',
          summary: `Data directory ${dir}: cannot be created (${parent} is not a writable folder)`,
          fix,
        };
  }
  if (!found.isDirectory()) {
    return { id: 'data-dir', status: 'fail', summary: `Data directory ${dir}: is a file, not a folder`, fix };
  }
  const probe = join(dir, `.mephisto-doctor-${process.pid}`);
  try {
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return { id: 'data-dir', status: 'ok', summary: `Data directory ${dir}: writable` };
  } catch (error) {
    return {
      id: 'data-dir',
      status: 'fail',
      summary: `Data directory ${dir}: not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      fix,
    };
  }
}

/** Free: a server can listen on it (every address, as a task server on 0.0.0.0 would need). */
async function checkPort(port: number): Promise<DoctorCheck> {
  const problem = await new Promise<NodeJS.ErrnoException | null>((done) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      done(error);
    });
    server.listen({ port, exclusive: true }, () => {
      server.close(() => {
        done(null);
      });
    });
  });
  const what = port === TASK_SERVER_PORT ? `Port ${port} (task server default)` : `Port ${port}`;
  if (problem === null) return { id: `port-${port}`, status: 'ok', summary: `${what}: free` };
  const reason =
    problem.code === 'EADDRINUSE' ? 'in use' : problem.code === 'EACCES' ? 'not allowed' : problem.message;
  return {
    id: `port-${port}`,
    status: 'warn',
    summary: `${what}: ${reason}`,
    fix: `stop the program using it, or launch with mephisto.architect.port=<another port> (0 picks a free one)`,
  };
}

function checkChromium(): DoctorCheck {
  return existsSync(CHROMIUM_PATH)
    ? { id: 'chromium', status: 'ok', summary: `Chromium ${CHROMIUM_PATH} (for browser tests)` }
    : {
        id: 'chromium',
        status: 'warn',
        summary: `Chromium: not found at ${CHROMIUM_PATH} (needed only to run the browser tests)`,
        fix: "install Debian's chromium package (apt-get install chromium)",
      };
}

/** How `mephisto register` tries a provider's credentials (doctor itself stays offline). */
const MTURK_VERIFY =
  'to try them, run `mephisto register mturk_sandbox name=<requester>` (or `mturk` for the live account): it ' +
  'registers the requester runs bill and reads the account balance';
const PROLIFIC_VERIFY =
  'to try it, run `mephisto register prolific name=<requester>`: it registers the requester runs bill and ' +
  "reads the workspace's balance";

/**
 * Presence only: no credential is read, printed or tried, and nothing goes over the network. The
 * sources are the MTurk provider's (providers/mturk/mturk-credentials.ts), in its order.
 */
export function checkMturk(env: NodeJS.ProcessEnv): DoctorCheck {
  const set = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  if (set('AWS_ACCESS_KEY_ID') && set('AWS_SECRET_ACCESS_KEY')) {
    return {
      id: 'mturk',
      status: 'info',
      summary: 'MTurk: AWS keys set in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
      fix: MTURK_VERIFY,
    };
  }
  if (set('AWS_PROFILE')) {
    return {
      id: 'mturk',
      status: 'info',
      summary: `MTurk: AWS profile "${env.AWS_PROFILE?.trim()}" selected (AWS_PROFILE)`,
      fix: MTURK_VERIFY,
    };
  }
  const home = env.HOME?.trim() || homedir();
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE?.trim() || join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE?.trim() || join(home, '.aws', 'config'),
  ].filter((file) => existsSync(file));
  if (files.length > 0) {
    return {
      id: 'mturk',
      status: 'info',
      summary:
        `MTurk: AWS ${files.length === 1 ? 'file' : 'files'} ${files.join(', ')} found (a profile named like ` +
        'the requester is used, else the default one)',
      fix: MTURK_VERIFY,
    };
  }
  return {
    id: 'mturk',
    status: 'info',
    summary:
      'MTurk: not configured (no AWS keys, AWS_PROFILE or ~/.aws files; needed only for the mturk and mturk_sandbox providers)',
    fix:
      'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), then run `mephisto register mturk_sandbox ' +
      'name=<requester>` to register the requester and try them (docs/providers/mturk.md)',
  };
}

/** Presence only, as for MTurk: the token is neither printed nor tried. */
export function checkProlific(env: NodeJS.ProcessEnv): DoctorCheck {
  const set = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  if (set('PROLIFIC_API_TOKEN')) {
    return {
      id: 'prolific',
      status: 'info',
      summary: 'Prolific: PROLIFIC_API_TOKEN is set',
      fix: PROLIFIC_VERIFY,
    };
  }
  if (set('PROLIFIC_API_KEY')) {
    // Mephisto-era name (and what earlier versions of this check asked for): not read by the provider.
    return {
      id: 'prolific',
      status: 'warn',
      summary: 'Prolific: PROLIFIC_API_KEY is set, but the Prolific provider reads PROLIFIC_API_TOKEN',
      fix: 'set PROLIFIC_API_TOKEN to the token instead, then run `mephisto register prolific name=<requester>` to try it',
    };
  }
  return {
    id: 'prolific',
    status: 'info',
    summary:
      'Prolific: not configured (PROLIFIC_API_TOKEN is not set; needed only for the prolific provider)',
    fix:
      "set PROLIFIC_API_TOKEN to a token from Prolific's app (API tokens), then run `mephisto register prolific " +
      'name=<requester>` to register the requester and try it (docs/providers/prolific.md)',
  };
}

export function formatReport(report: DoctorReport): string {
  let text = '';
  for (const check of report.checks) {
    text += `${SYMBOLS[check.status]} ${check.summary}\n`;
    // For information lines the advice is a next step, not a repair.
    if (check.fix !== undefined) text += `    ${check.status === 'info' ? 'next' : 'fix'}: ${check.fix}\n`;
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const warnings = warned === 0 ? '' : ` (${warned} warning${warned === 1 ? '' : 's'})`;
  text +=
    failed === 0
      ? `\nEverything required is in place${warnings}.\n`
      : `\n${failed} required check${failed === 1 ? '' : 's'} failed${warnings}: see the fixes above.\n`;
  return text;
}
