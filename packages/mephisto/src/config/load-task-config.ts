/**
 * Loading a task config the way Hydra composes one for a Mephisto run script:
 *
 * 1. start from the schema defaults (`mephisto.task`, `log_level`, `num_tasks`) and `task_dir`;
 * 2. merge the sources of the defaults lists in order (files, and for each selected blueprint,
 *    architect and provider type that type's defaults);
 * 3. apply the command-line overrides;
 * 4. resolve `${…}` interpolations;
 * 5. validate against the schemas.
 *
 * Steps 1–3 live in compose-config.ts. Problems found in steps 3–5 are collected and thrown together
 * as one {@link ConfigInvalidError}.
 */
import { resolve } from 'node:path';
import type { ArgsRegistry } from '../core/config/args-registry.js';
import { defaultArgsRegistry } from '../core/config/args-registry.js';
import { ConfigInvalidError } from '../core/config/config-errors.js';
import type { TaskConfig } from '../core/config/task-config.js';
import { validateTaskConfig } from '../core/config/task-config.js';
import type { ConfigSource } from './compose-config.js';
import { ConfigComposer } from './compose-config.js';
import type { ConfigTree } from './config-tree.js';
import type { ConfigFileSystem } from './defaults-list.js';
import { resolveInterpolations } from './interpolation.js';
import { displayPath, locatePrimaryConfig, nodeConfigFileSystem } from './locate-config.js';

export type { ConfigSource } from './compose-config.js';

export interface LoadTaskConfigOptions {
  /** A config file to load (`.yaml` may be left out). Excludes configDir/configName. */
  readonly configPath?: string;
  /** A Hydra config directory; the config is searched in it, in `conf/` and in `hydra_configs/conf/`. */
  readonly configDir?: string;
  /** The config's name in configDir, with or without `.yaml`; may contain folders (`conf/example`). */
  readonly configName?: string;
  /** Command-line overrides: `key=value`, `+key=value`, `++key=value`, `~key`, `group=option`. */
  readonly overrides?: readonly string[];
  /** Environment for `${oc.env:…}`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths are resolved from. @default process.cwd() */
  readonly cwd?: string;
  /** The run script's folder; replaces the task directory derived from the config's location. */
  readonly taskDir?: string;
  /** More config roots to look up defaults entries in, after the primary's (e.g. `~/.mephisto/hydra_configs`). */
  readonly searchPaths?: readonly string[];
  /** Argument schemas of the blueprint, architect and provider types. @default defaultArgsRegistry */
  readonly registry?: ArgsRegistry;
  /** File access. @default the real file system */
  readonly fileSystem?: ConfigFileSystem;
}

export interface LoadedTaskConfig {
  /** The validated config. */
  readonly config: TaskConfig;
  /** The task directory (`config.task_dir`), absolute. */
  readonly taskDir: string;
  /** Every source merged, in order: schema defaults, files, group selections, overrides. */
  readonly sources: readonly ConfigSource[];
  /** The composed config before interpolation and validation, as `--cfg job` would print it. */
  readonly composed: ConfigTree;
}

/**
 * Loads, composes, interpolates and validates a task config. See the module comment for the steps.
 *
 * @throws ConfigNotFoundError when the config (or a file its defaults lists name) does not exist
 * @throws ConfigSyntaxError for YAML that does not parse, with file:line:column
 * @throws ConfigDefaultsError for a malformed defaults list
 * @throws ConfigOverrideError for overrides that cannot be parsed
 * @throws ConfigInvalidError listing every wrong, missing or unknown value of the composed config
 */
export async function loadTaskConfig(options: LoadTaskConfigOptions = {}): Promise<LoadedTaskConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const registry = options.registry ?? defaultArgsRegistry;
  const fs = options.fileSystem ?? nodeConfigFileSystem;
  const display = (path: string): string => displayPath(path, cwd);

  const located = await locatePrimaryConfig({
    configPath: options.configPath,
    configDir: options.configDir,
    configName: options.configName,
    taskDir: options.taskDir,
    cwd,
    fs,
  });
  const roots = [located.root, ...(options.searchPaths ?? []).map((p) => resolve(cwd, p))];
  const composer = new ConfigComposer({ located, roots, registry, fs, cwd, display });
  await composer.prepare(options.overrides ?? []);
  const composition = await composer.compose();

  const interpolated = resolveInterpolations(composition.tree, { env });
  const problems = [...composition.problems, ...interpolated.problems];
  const validation = validateTaskConfig(interpolated.tree, registry);
  if (!validation.ok) {
    // A key whose interpolation failed would also fail validation; its first problem says why.
    const covered = (path: string): boolean =>
      problems.some((p) => path === p.path || path.startsWith(`${p.path}.`) || path.startsWith(`${p.path}[`));
    problems.push(...validation.problems.filter((p) => !covered(p.path)));
  }
  if (problems.length > 0 || !validation.ok) {
    throw new ConfigInvalidError(
      problems.map((p) => {
        const origin = p.origin ?? composition.origins.find(p.path);
        return origin === undefined ? p : { ...p, origin };
      }),
    );
  }
  return {
    config: validation.config,
    taskDir: validation.config.task_dir,
    sources: composition.sources,
    composed: composition.tree,
  };
}
