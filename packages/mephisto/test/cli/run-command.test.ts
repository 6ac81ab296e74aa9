/**
 * `mephisto run`, in-process: the example task driven to completion by simulated workers, the dry run,
 * overrides, config errors, usage errors and Ctrl-C.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { runMephisto, tempDir } from './run-cli.js';

const EXAMPLE = fileURLToPath(
  new URL('../../../../examples/mock-task/hydra_configs/conf/example.yaml', import.meta.url),
);
/** Rows of examples/mock-task/data/sentences.csv, one unit each. */
const EXAMPLE_UNITS = 4;

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => {
  cleanup();
});

const env = (): NodeJS.ProcessEnv => ({ MEPHISTO_DATA_DIR: dir });

describe('mephisto run --simulate-workers', () => {
  it('runs the example to completion: exit 0, launch report, summary, every unit completed', async () => {
    const db = join(dir, 'run.db');
    const result = await runMephisto(['--db', db, 'run', EXAMPLE, '--simulate-workers', '3'], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Launched task run \d+\n/);
    expect(result.stdout).toContain('Task: mock-task-example\n');
    expect(result.stdout).not.toContain('notice: mephisto.task.task_name is not set');
    expect(result.stdout).toContain('Simulating 3 workers\n');
    expect(result.stdout).toContain('Run ended: completed');
    expect(result.stdout).toMatch(new RegExp(`\\n  completed: +${EXAMPLE_UNITS}\\n`));

    const runId = /^Launched task run (\d+)/.exec(result.stdout)?.[1] ?? '';
    const store = await openStore({ kind: 'sqlite', path: db });
    try {
      expect(await store.countUnits({ taskRunId: runId })).toBe(EXAMPLE_UNITS);
      expect(await store.countUnits({ taskRunId: runId, status: 'completed' })).toBe(EXAMPLE_UNITS);
      expect((await store.getTaskRun(runId)).isCompleted).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('names the task after the blueprint type, with a notice, when task_name is not set', async () => {
    const result = await runMephisto(
      ['--db', join(dir, 'n.db'), 'run', EXAMPLE, '~mephisto.task.task_name', '--simulate-workers', '2'],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Task: static_task\n');
    expect(result.stdout).toContain('notice: mephisto.task.task_name is not set');
  });

  it('finds the config with --config-dir and --config-name, and applies overrides to the run', async () => {
    const db = join(dir, 'o.db');
    const result = await runMephisto(
      [
        '--db',
        db,
        'run',
        '--config-dir',
        join(EXAMPLE, '../../..'),
        '--config-name',
        'example',
        'mephisto.task.task_reward=0.25',
        'mephisto.task.task_name=renamed-task',
        '--simulate-workers',
        '1',
      ],
      { env: env() },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Task: renamed-task\n');
    const store = await openStore({ kind: 'sqlite', path: db });
    try {
      const [unit] = await store.findUnits({});
      expect(unit?.payAmount).toBe(0.25);
    } finally {
      await store.close();
    }
  });

  it('refuses --simulate-workers for a crowd provider (usage error, exit 2)', async () => {
    const result = await runMephisto(
      [
        '--db',
        join(dir, 'p.db'),
        'run',
        EXAMPLE,
        'mephisto/provider=mturk_sandbox',
        '--simulate-workers',
        '2',
      ],
      { env: env() },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--simulate-workers needs the mock or inhouse provider; this config uses "mturk_sandbox"/,
    );
  });
});

describe('mephisto run: the quick start', () => {
  const QUICK_START = fileURLToPath(
    new URL('../../../../examples/static-html-task/hydra_configs/conf/example.yaml', import.meta.url),
  );

  it('serves the static HTML example with the in-house provider while simulated workers complete it', async () => {
    const result = await runMephisto(
      [
        '--db',
        join(dir, 'quick.db'),
        'run',
        QUICK_START,
        'mephisto.architect.port=0',
        '--simulate-workers',
        '3',
      ],
      { env: env() },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Task: static-html-example\n');
    const links = result.stdout.match(/http:\/\/localhost:\d+\?worker_id=WORKER_USERNAME&id=\d+/g) ?? [];
    expect(links).toHaveLength(3);
    expect(result.stdout).toContain('Run ended: completed');
    expect(result.stdout).toMatch(/\n {2}completed: +3\n/);
  });
});

describe('mephisto run --dry-run', () => {
  it('prints the resolved config as YAML, with the overrides applied, and launches nothing', async () => {
    const result = await runMephisto(['run', EXAMPLE, 'mephisto.task.task_reward=0.75', '--dry-run'], {
      env: env(),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('mephisto:\n  blueprint:\n    _blueprint_type: static_task\n')).toBe(
      true,
    );
    expect(result.stdout).toContain('    task_reward: 0.75\n');
    expect(result.stdout).toContain('    task_name: mock-task-example\n');
    expect(result.stdout).toContain(`task_dir: ${join(EXAMPLE, '../../..')}\n`);
    // Nothing was launched, so the default database was never created.
    const status = await runMephisto(['db', 'status', '--json'], { env: env() });
    expect(JSON.parse(status.stdout)).toMatchObject({ schemaVersion: null });
  });
});

describe('mephisto run: errors', () => {
  it('reports a config that does not exist with its code and exit 1', async () => {
    const result = await runMephisto(['run', join(dir, 'nowhere.yaml'), '--dry-run'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error \[MEPHISTO_ERR_CONFIG_NOT_FOUND\]: config file .*nowhere\.yaml/);
    expect(result.stderr).toContain('\nhint: ');
  });

  it('reports every problem of an invalid config, exit 1', async () => {
    const result = await runMephisto(
      ['run', EXAMPLE, 'mephisto.task.task_reward=lots', 'mephisto.task.allowed_concurrent=-1'],
      { env: env() },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error \[MEPHISTO_ERR_CONFIG_INVALID\]: invalid task config \(2 problems\)/,
    );
    expect(result.stderr).toContain('task_reward');
    expect(result.stderr).toContain('allowed_concurrent');
  });

  it('reports a malformed override, exit 1', async () => {
    const result = await runMephisto(['run', EXAMPLE, 'mephisto.task.nonesuch=1', '--dry-run'], {
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[MEPHISTO_ERR_CONFIG_/);
    expect(result.stderr).toContain('nonesuch');
  });

  it('wants a config (usage error, exit 2)', async () => {
    const result = await runMephisto(['run'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error \[MEPHISTO_ERR_USAGE\]: missing config/);
    expect(result.stderr).toContain('Usage: mephisto run [options] [config] [overrides...]');
  });

  it('checks --simulate-workers is a positive integer (usage error, exit 2)', async () => {
    const result = await runMephisto(['run', EXAMPLE, '--simulate-workers', 'many'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--simulate-workers <n>' argument 'many' is invalid/);
  });

  it('is listed in mephisto --help', async () => {
    const result = await runMephisto(['--help']);
    expect(result.stdout).toMatch(/^\s+run \[options\] \[config\] \[overrides\.\.\.\]\s+launch a task run/m);
  });
});

describe('mephisto run: Ctrl-C', () => {
  it('shuts the run down on SIGINT, prints the summary and exits 130; a second one exits at once', async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    let stdout = '';
    const launched = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (stdout.includes('Launched task run')) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const { runCli } = await import('../../src/cli/program.js');
    const running = runCli(['--db', join(dir, 'i.db'), 'run', EXAMPLE], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stdout += text) },
      env: env(),
      signals: {
        on: (signal, listener) => signals.on(signal, listener),
        off: (signal, listener) => signals.off(signal, listener),
      },
      exit: (code) => exits.push(code),
    });
    await launched;
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(exits).toEqual([130]);
    expect(await running).toBe(130);
    expect(stdout).toContain('SIGINT: shutting the run down');
    expect(stdout).toContain('Run ended: shutdown: interrupted by SIGINT\nUnits:\n  expired: 4\n');
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});
