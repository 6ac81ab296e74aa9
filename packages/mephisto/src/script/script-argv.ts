/**
 * A run script's command line, read the way Mephisto's Hydra-based scripts read theirs:
 * `npx tsx run-task.ts mephisto.task.task_reward=0.5 conf=other --db ./pilot.db`.
 */
import { MephistoError } from '../core/errors.js';

export interface ScriptArguments {
  /** Config overrides (`key=value`, `+key=value`, `~key`, `group=option`), in order. */
  readonly overrides: readonly string[];
  /** `--db <path|url>`, when given. */
  readonly db?: string;
  /** `conf=NAME`: another config in `hydra_configs/conf/` (Mephisto's way to pick a config). */
  readonly configName?: string;
}

/**
 * Splits a run script's arguments (`process.argv.slice(2)`). `--db X` and `--db=X` choose the store;
 * `conf=NAME` chooses the config; every other argument is an override. Options other than `--db` are
 * refused rather than mistaken for overrides.
 *
 * @throws MephistoError `MEPHISTO_ERR_USAGE` for an unknown option or a `--db` without a value
 */
export function parseScriptArgv(argv: readonly string[]): ScriptArguments {
  const overrides: string[] = [];
  let db: string | undefined;
  let configName: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--db') {
      const value = argv[++index];
      if (value === undefined || value.startsWith('--')) {
        throw new MephistoError('MEPHISTO_ERR_USAGE', "option '--db <path|url>' argument missing");
      }
      db = value;
    } else if (arg.startsWith('--db=')) {
      db = arg.slice('--db='.length);
    } else if (arg.startsWith('conf=')) {
      configName = arg.slice('conf='.length);
    } else if (arg.startsWith('-') && !arg.startsWith('~')) {
      throw new MephistoError(
        'MEPHISTO_ERR_USAGE',
        `unknown option '${arg}': a run script takes config overrides (key=value), conf=NAME and --db <path|url>`,
      );
    } else {
      overrides.push(arg);
    }
  }
  return {
    overrides,
    ...(db === undefined ? {} : { db }),
    ...(configName === undefined ? {} : { configName }),
  };
}
