/**
 * The whole task config, as Mephisto's `TaskConfig`:
 *
 * ```yaml
 * mephisto:
 *   blueprint: {_blueprint_type: static_task, …}
 *   architect: {_architect_type: local, …}
 *   provider:  {_provider_type: mock, …}
 *   task: {task_title: …, …}          # TaskRunArgs
 *   log_level: info
 * task_dir: /path/of/the/run/script
 * num_tasks: 5
 * my_own_key: …                       # anything else at the top level belongs to the run script
 * ```
 *
 * Unknown keys at the top level are the run script's own, as in Mephisto, where scripts read them from
 * `cfg`; unknown keys inside `mephisto` and its sections are errors, since nothing would read them.
 */
import { z } from 'zod';
import type { ArchitectArgs } from './architect-args.js';
import type { AbstractionGroup, ArgsRegistry } from './args-registry.js';
import { ABSTRACTION_GROUPS, defaultArgsRegistry, typeKeyOf } from './args-registry.js';
import type { BlueprintArgs } from './blueprint-args.js';
import { defaultedField, enumKind, integerKind, pathKind, requiredField } from './config-field.js';
import type { ConfigProblem } from './config-problem.js';
import { formatChoices, formatConfigPath, formatConfigValue, isConfigMapping } from './config-problem.js';
import { sectionKeys, validateSection } from './config-section.js';
import type { ProviderArgs } from './provider-args.js';
import { closestMatch } from './suggest.js';
import type { TaskRunArgs } from './task-run-args.js';
import { TaskRunArgsSchema } from './task-run-args.js';
import { ConfigInvalidError } from './config-errors.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'fatal'] as const;
export type MephistoLogLevel = (typeof LOG_LEVELS)[number];

/** The top level; every other top-level key is the run script's own and passes through unchecked. */
export const TopLevelConfigSchema = z.looseObject({
  task_dir: requiredField(
    pathKind,
    "The folder of the task: the run script's folder, or for a config file loaded directly the folder " +
      'above its `hydra_configs/` folder. Relative paths in the config are usually written as `${task_dir}/…`.',
  ),
  num_tasks: defaultedField(
    integerKind(0),
    5,
    'A count run scripts may read to decide how much data to generate; mephisto-ts itself does not use it.',
  ),
});

/** `mephisto.*` besides its sub-sections. */
export const MephistoSettingsSchema = z.strictObject({
  log_level: defaultedField(
    enumKind(LOG_LEVELS, (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value)),
    'info',
    "Least severe log level printed for the run. Python's level names (warning, critical) and pino's " +
      '(warn, fatal, trace) are both accepted, in any case.',
  ),
});

/** `mephisto.database`: kept because Mephisto configs and stored run parameters carry it. */
export const DatabaseArgsSchema = z.strictObject({
  _database_type: defaultedField(
    enumKind(['singleton', 'local']),
    'singleton',
    "Mephisto's database flavour. Accepted so Mephisto configs load; mephisto-ts chooses its store with " +
      '`--db` or MEPHISTO_DATABASE_URL.',
  ),
});
export type DatabaseArgs = z.output<typeof DatabaseArgsSchema>;

/** The sub-sections of `mephisto`, each validated with its own schema. */
export const MEPHISTO_SECTIONS = ['blueprint', 'architect', 'provider', 'task', 'database'] as const;

/** The validated `mephisto` section. */
export interface MephistoConfig {
  blueprint: BlueprintArgs;
  architect: ArchitectArgs;
  provider: ProviderArgs;
  task: TaskRunArgs;
  database: DatabaseArgs;
  log_level: MephistoLogLevel;
}

/** A validated task config. Keys other than these are the run script's own. */
export interface TaskConfig {
  mephisto: MephistoConfig;
  task_dir: string;
  num_tasks: number;
  [userKey: string]: unknown;
}

export type TaskConfigValidation =
  | { readonly ok: true; readonly config: TaskConfig }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

function validateGroup(
  group: AbstractionGroup,
  raw: unknown,
  registry: ArgsRegistry,
): { value?: Record<string, unknown>; problems: ConfigProblem[] } {
  const path = ['mephisto', group];
  const typeKey = typeKeyOf(group);
  const valid = registry.types(group);
  const validText = `valid ${group} types are ${formatChoices(valid)}`;
  if (raw === undefined || raw === null) {
    return {
      problems: [
        {
          path: formatConfigPath(path),
          message:
            `${formatConfigPath(path)} is not set (got ${formatConfigValue(raw)}): select ${group === 'architect' ? 'an' : 'a'} ${group} type with ` +
            `"- /mephisto/${group}: <type>" in the defaults list or the override mephisto/${group}=<type>; ${validText}`,
        },
      ],
    };
  }
  if (!isConfigMapping(raw)) return validateSection(z.strictObject({}), raw, path, { owner: group });
  const type = raw[typeKey];
  const typePath = formatConfigPath([...path, typeKey]);
  if (type === undefined) {
    return {
      problems: [
        { path: typePath, message: `${typePath} is required (the ${group} type to use); ${validText}` },
      ],
    };
  }
  const schema = typeof type === 'string' ? registry.get(group, type) : undefined;
  if (typeof type !== 'string' || schema === undefined) {
    const suggestion = typeof type === 'string' ? closestMatch(type, valid) : undefined;
    const hint = suggestion === undefined ? '' : `did you mean "${suggestion}"? `;
    return {
      problems: [
        {
          path: typePath,
          message: `${typePath}: unknown ${group} type ${formatConfigValue(type)}; ${hint}${validText}`,
        },
      ],
    };
  }
  return validateSection(schema, raw, path, { owner: `${group} type "${type}"` });
}

/**
 * Checks a composed, interpolated config against the schemas: the top level, `mephisto`, its
 * `task` and `database` sections, and the blueprint, architect and provider arguments of the types the
 * config selects. Every problem is collected; nothing stops at the first one.
 *
 * @param raw the config as plain data (what the loader produces, or what a program builds).
 * @param registry the argument schemas per type; {@link defaultArgsRegistry} by default.
 */
export function validateTaskConfig(
  raw: unknown,
  registry: ArgsRegistry = defaultArgsRegistry,
): TaskConfigValidation {
  const problems: ConfigProblem[] = [];
  const top = validateSection(TopLevelConfigSchema, raw, [], { otherKeys: ['mephisto'] });
  problems.push(...top.problems);

  const rawMephisto = isConfigMapping(raw) ? raw.mephisto : undefined;
  const settings = validateSection(MephistoSettingsSchema, rawMephisto, ['mephisto'], {
    otherKeys: MEPHISTO_SECTIONS,
  });
  problems.push(...settings.problems);
  const section = (key: string): unknown => (isConfigMapping(rawMephisto) ? rawMephisto[key] : undefined);

  const task = validateSection(TaskRunArgsSchema, section('task'), ['mephisto', 'task']);
  const database = validateSection(DatabaseArgsSchema, section('database'), ['mephisto', 'database']);
  problems.push(...task.problems, ...database.problems);
  const groups: Partial<Record<AbstractionGroup, Record<string, unknown>>> = {};
  for (const group of ABSTRACTION_GROUPS) {
    const result = validateGroup(group, section(group), registry);
    problems.push(...result.problems);
    if (result.value !== undefined) groups[group] = result.value;
  }

  if (problems.length > 0 || top.value === undefined || settings.value === undefined)
    return { ok: false, problems };
  // Every part parsed without a problem, so each holds the output of its schema.
  const mephisto = {
    blueprint: groups.blueprint,
    architect: groups.architect,
    provider: groups.provider,
    task: task.value,
    database: database.value,
    ...settings.value,
  } as unknown as MephistoConfig;
  // mephisto first, then task_dir, num_tasks and the user's keys: the order dumps are printed in.
  const config = { mephisto, ...top.value } as TaskConfig;
  return { ok: true, config };
}

/**
 * The keys the schemas define at `path` of a config (`[]`, `['mephisto']`, `['mephisto', 'task']`, a
 * group section for the type `raw` selects there, …). The loader uses it to accept `key=value`
 * overrides of optional keys that are absent, and to suggest keys.
 */
export function knownConfigKeys(
  raw: unknown,
  path: readonly (string | number)[],
  registry: ArgsRegistry = defaultArgsRegistry,
): string[] {
  const [first, second, ...rest] = path;
  if (first === undefined) return ['mephisto', ...sectionKeys(TopLevelConfigSchema)];
  if (first !== 'mephisto' || rest.length > 0) return [];
  if (second === undefined) return [...MEPHISTO_SECTIONS, ...sectionKeys(MephistoSettingsSchema)];
  if (second === 'task') return sectionKeys(TaskRunArgsSchema);
  if (second === 'database') return sectionKeys(DatabaseArgsSchema);
  const group = ABSTRACTION_GROUPS.find((g) => g === second);
  if (group === undefined) return [];
  const section = isConfigMapping(raw) && isConfigMapping(raw.mephisto) ? raw.mephisto[group] : undefined;
  const type = isConfigMapping(section) ? section[typeKeyOf(group)] : undefined;
  const schema = typeof type === 'string' ? registry.get(group, type) : undefined;
  return schema === undefined ? [typeKeyOf(group)] : sectionKeys(schema);
}

/**
 * Like {@link validateTaskConfig} but returns the config or throws a {@link ConfigInvalidError} that
 * lists every problem.
 */
export function parseTaskConfig(raw: unknown, registry: ArgsRegistry = defaultArgsRegistry): TaskConfig {
  const result = validateTaskConfig(raw, registry);
  if (!result.ok) throw new ConfigInvalidError(result.problems);
  return result.config;
}

/** The task name a run goes under: `mephisto.task.task_name`, else the blueprint type (as Mephisto does). */
export function taskNameOf(config: TaskConfig): string {
  return config.mephisto.task.task_name ?? config.mephisto.blueprint._blueprint_type;
}
