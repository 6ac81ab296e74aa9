/**
 * `mephisto run <config> [overrides…]`: launch a task run from a YAML config and follow it to its end,
 * the command-line counterpart of a Mephisto `run_task.py`. The engine is loaded only when a run is
 * actually launched, so `--help` and usage errors stay fast.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { configToYaml } from '../../config/config-yaml.js';
import { loadTaskConfig } from '../../config/load-task-config.js';
import type { WebappBuildResult } from '../../blueprints/static-react/webapp-build.js';
import type { TaskConfig } from '../../core/config/task-config.js';
import { defaultDataDir, resolveStoreConfig } from '../../store/store-config.js';
import { EXIT_USAGE } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';

/** Providers whose workers the engine can stand in for (no crowd platform to answer to). */
const SIMULATABLE_PROVIDERS: readonly string[] = ['mock', 'inhouse'];

interface RunOptions {
  configDir?: string;
  configName?: string;
  dryRun?: boolean;
  simulateWorkers?: number;
}

/** Hydra's override forms: `key=value`, `+key=value`, `++key=value`, `~key`. */
function looksLikeOverride(arg: string): boolean {
  return arg.includes('=') || arg.startsWith('~') || arg.startsWith('+');
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a positive integer.');
  }
  return number;
}

export function registerRunCommand(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('launch a task run from a YAML config and follow it to the end')
    .argument('[config]', 'the task config: a YAML file (or use --config-dir and --config-name)')
    .argument('[overrides...]', 'config overrides: key=value, +key=value, ~key, group=option')
    .option('--config-dir <dir>', 'Hydra config directory to look the config up in')
    .option('--config-name <name>', 'config name in --config-dir (with or without .yaml)')
    .option('--dry-run', 'print the resolved config as YAML and exit without launching')
    .option(
      '--simulate-workers <n>',
      'mock or inhouse provider: complete the run with N simulated workers, no browser needed',
      positiveInteger,
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  mephisto run examples/mock-task/hydra_configs/conf/example.yaml --simulate-workers 3\n' +
        '  mephisto run --config-dir examples/mock-task --config-name example mephisto.task.task_reward=0.1\n' +
        '\nExit codes: 0 the run completed, 1 it failed or ended otherwise, 2 usage error, 130 interrupted.\n',
    )
    .action(async (first: string | undefined, rest: string[], options: RunOptions, command: Command) => {
      // With --config-name every argument is an override; an override-shaped first argument is one too.
      const named = options.configName !== undefined || options.configDir !== undefined;
      const configPath = first !== undefined && !named && !looksLikeOverride(first) ? first : undefined;
      const overrides = first !== undefined && configPath === undefined ? [first, ...rest] : rest;
      if (configPath === undefined && options.configName === undefined) {
        command.error('missing config: give a YAML file, or --config-dir DIR --config-name NAME', {
          code: 'mephisto.missingConfig',
          exitCode: EXIT_USAGE,
        });
      }
      const loaded = await loadTaskConfig({
        ...(configPath !== undefined ? { configPath } : {}),
        ...(options.configDir !== undefined ? { configDir: options.configDir } : {}),
        ...(options.configName !== undefined ? { configName: options.configName } : {}),
        overrides,
        env: context.env,
      });
      if (options.dryRun === true) {
        context.stdout.write(configToYaml(loaded.config));
        return;
      }
      const simulate = options.simulateWorkers;
      if (
        simulate !== undefined &&
        !SIMULATABLE_PROVIDERS.includes(loaded.config.mephisto.provider._provider_type)
      ) {
        command.error(
          `--simulate-workers needs the mock or inhouse provider; this config uses "${loaded.config.mephisto.provider._provider_type}"`,
          { code: 'mephisto.simulateNeedsMock', exitCode: EXIT_USAGE },
        );
      }
      const code = await launchAndFollow(context, command.optsWithGlobals<GlobalOptions>(), {
        config: loaded.config,
        taskDir: loaded.taskDir,
        ...(simulate === undefined ? {} : { simulateWorkers: simulate }),
      });
      context.setExitCode(code);
    });
}

interface LaunchPlan {
  config: TaskConfig;
  taskDir: string;
  simulateWorkers?: number;
}

/**
 * Opens the store, launches, reports, waits for the end and shuts down; returns the exit code. The
 * store and operator are released whatever happens, including a launch that fails half-way.
 */
async function launchAndFollow(
  context: CommandContext,
  globals: GlobalOptions,
  plan: LaunchPlan,
): Promise<number> {
  const [{ startServedTaskRun }, { followRun }, { simulateWorkers }] = await Promise.all([
    import('../../script/start-served-task-run.js'),
    import('../../script/follow-run.js'),
    import('../../script/simulate-workers.js'),
  ]);
  const store = await context.openStore(resolveStoreConfig(globals.db, context.env));
  try {
    const served = await startServedTaskRun({
      store,
      config: plan.config,
      taskDir: plan.taskDir,
      dataDir: defaultDataDir(context.env),
      // The webapp build's own output (npm, the bundler), so a slow or failing build explains itself.
      onBuildOutput: ({ text }) => context.stderr.write(text),
      onWebappBuilt: (result) => context.stdout.write(formatWebappBuild(result)),
    });
    const { operator, run } = served;
    try {
      const count = plan.simulateWorkers;
      const followed = await followRun({
        operator,
        run,
        config: plan.config,
        output: context.stdout,
        signals: context.signals,
        exit: context.exit,
        ...(count === undefined
          ? {}
          : {
              alongside: (launched) => {
                context.stdout.write(`Simulating ${count} workers\n`);
                return simulateWorkers(launched, { count }).done;
              },
            }),
      });
      return followed.exitCode;
    } finally {
      await served.close();
    }
  } finally {
    await store.close();
  }
}

/** One line on the task webapp, so a skipped build is never a silent surprise. */
function formatWebappBuild(result: WebappBuildResult): string {
  if (result.built) {
    return `Task webapp built (${result.reason.replace(/-/g, ' ')}) in ${(result.durationMs / 1000).toFixed(1)} s: ${result.bundlePath}\n`;
  }
  return result.reason === 'up-to-date'
    ? `Task webapp unchanged since its last build, not rebuilt (mephisto.task.force_rebuild=true forces it): ${result.bundlePath}\n`
    : `Task bundle used as shipped (no webapp/package.json to build it from): ${result.bundlePath}\n`;
}
