/**
 * Renders docs/config-reference.md from the schemas, so the reference cannot drift from the code:
 * `scripts/generate-config-reference.ts` writes it and a test compares the committed file with it.
 */
import type { AbstractionGroup, ArgsRegistry } from '../core/config/args-registry.js';
import { ABSTRACTION_GROUPS, createArgsRegistry, typeKeyOf } from '../core/config/args-registry.js';
import type { ConfigSectionSchema } from '../core/config/config-section.js';
import { sectionFields } from '../core/config/config-section.js';
import {
  DatabaseArgsSchema,
  MephistoSettingsSchema,
  TopLevelConfigSchema,
} from '../core/config/task-config.js';
import { TaskRunArgsSchema } from '../core/config/task-run-args.js';

const INTRO = `# Task config reference

<!-- Generated from the schemas in packages/mephisto/src/core/config by
     \`npx tsx scripts/generate-config-reference.ts\`. Do not edit by hand: a test fails when this file
     and the schemas disagree. -->

A task run is configured with YAML files laid out like Mephisto's Hydra configs, so Mephisto's
example configs load unchanged. This page lists every key with its type, default and meaning; the
first part explains how files, defaults, interpolations and overrides combine.

## Shape

\`\`\`yaml
defaults:                          # what to build on (see below)
  - /mephisto/blueprint: static_task
  - /mephisto/architect: local
  - /mephisto/provider: mock
  - _self_
mephisto:
  blueprint: {...}                 # arguments of the chosen blueprint type
  architect: {...}                 # arguments of the chosen architect type
  provider: {...}                  # arguments of the chosen provider type
  task: {...}                      # arguments of the task run (title, reward, limits, …)
  log_level: info
task_dir: /path/to/the/task        # set for you; see "Task directory"
num_tasks: 5
my_setting: 42                     # any other top-level key is your run script's own
\`\`\`

Keys inside \`mephisto\` and its sections are checked: an unknown key is an error that names the
nearest valid key. Top-level keys other than \`mephisto\`, \`task_dir\` and \`num_tasks\` are left to
the run script.

## Defaults lists

A config file may begin with a \`defaults:\` list. Its entries are merged in order, before the file's
own keys unless \`_self_\` places those elsewhere:

| Entry | Meaning |
|---|---|
| \`- /mephisto/blueprint: static_task\` | use that blueprint type: sets \`mephisto.blueprint._blueprint_type\` and fills every default of the type. The same for \`/mephisto/architect\` and \`/mephisto/provider\`. |
| \`- base\` | merge another config file, looked up in the including file's folder first, then in the config root. |
| \`- profile: local_dev\` | merge \`profile/local_dev.yaml\` (a file group: a folder of alternatives). |
| \`- override /mephisto/provider: mock\` | change the option that another entry of the tree selected. |
| \`- optional name\` / \`- optional group: option\` | as above, skipped when the file is missing. |
| \`- _self_\` | where the file's own keys go; last when left out. |

Selecting the same group twice without \`override\` is an error. A file's \`# @package _global_\` header
is honoured: group files (\`profile: local_dev\`) are placed under their group's key unless they
declare \`_global_\`; a plain include (\`- base\`) is merged where the including file is.

Setting \`_blueprint_type\` (or \`_architect_type\`, \`_provider_type\`) to another registered type, in a
file or with an override, switches the group: the defaults of the new type replace those of the old.

## Interpolation

After all sources are merged, \`\${…}\` expressions are resolved:

| Form | Value |
|---|---|
| \`\${mephisto.task.task_name}\` | the value at that key path (absolute from the top) |
| \`\${.sibling}\`, \`\${..key}\` | relative to the mapping holding the string |
| \`\${task_dir}/data.csv\` | text with interpolations inside |
| \`\${oc.env:NAME}\` | environment variable NAME; an error when it is not set |
| \`\${oc.env:NAME,default}\` | NAME, or \`default\` when not set (\`null\` gives null) |
| \`\${oc.env:DATA,\${task_dir}/data.csv}\` | nested interpolations |
| \`\\\${not_interpolated}\` | a literal \`\${\` |

A string that is a single interpolation keeps the type of what it refers to. Missing keys, unset
variables and cycles are reported with the key that holds the interpolation.

## Command-line overrides

| Override | Effect |
|---|---|
| \`mephisto.task.task_reward=0.5\` | change a key; it must exist or be defined by the schema (otherwise the error suggests the nearest key) |
| \`+my_key=1\` | add a key that does not exist yet |
| \`++my_key=1\` | add or change |
| \`~mephisto.task.task_name\` | delete a key |
| \`mephisto/provider=prolific\` | choose a group option (added when no defaults list selects the group) |
| \`mephisto.provider._provider_type=prolific\` | the same, by setting the type key |
| \`+profile=local_dev\` | add a file group option (a folder of alternatives); it is merged after the config file, so its values win |
| \`task_dir=path/to/task\` | use another task directory (relative to the working directory) |

Values are read as YAML: \`3\` is a number, \`true\` a boolean, \`null\` null, \`'3'\` a string and
\`[a,b]\` a list.

## Task directory

\`task_dir\` is the folder of the task: the run script's folder when a run script loads its config;
for a config file loaded directly, the folder above \`hydra_configs/\` when the file sits under one
(\`examples/x/hydra_configs/conf/example.yaml\` gives \`examples/x\`), otherwise the file's own folder.
The override \`task_dir=PATH\` wins over both.

## Values and errors

Like OmegaConf, typed fields accept text that reads as their type (\`"3000"\` for an integer,
\`"yes"\`/\`"no"\` for a boolean) and numbers for strings; \`null\` for a field that is not required
means "use the default". Every problem is reported at once, each naming the key path, the value given
and what was expected, with the file and line it came from.
`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function formatDefault(value: unknown): string {
  if (value === '') return '`""`';
  if (typeof value === 'string') return `\`${value}\``;
  return `\`${JSON.stringify(value)}\``;
}

function fieldTable(schema: ConfigSectionSchema): string {
  const rows = sectionFields(schema).map(([key, info]) => {
    const defaultText = info.hasDefault ? formatDefault(info.defaultValue) : '—';
    return `| \`${key}\` | ${cell(info.type)} | ${defaultText} | ${info.required ? 'yes' : 'no'} | ${cell(info.description)} |`;
  });
  return ['| Key | Type | Default | Required | Description |', '|---|---|---|---|---|', ...rows].join('\n');
}

const GROUP_INTROS: Record<AbstractionGroup, string> = {
  blueprint: 'What the task is: how its data becomes units and what workers see.',
  architect: 'Where the server that workers connect to runs.',
  provider: 'The crowd provider that recruits and pays workers.',
};

function groupSection(group: AbstractionGroup, registry: ArgsRegistry): string {
  const parts = [
    `## mephisto.${group}`,
    '',
    `${GROUP_INTROS[group]} Choose a type with \`- /mephisto/${group}: <type>\` in the defaults list ` +
      `or the override \`mephisto/${group}=<type>\`; \`${typeKeyOf(group)}\` then holds it. Types: ` +
      `${registry
        .types(group)
        .map((t) => `\`${t}\``)
        .join(', ')}.`,
  ];
  for (const type of registry.types(group)) {
    const schema = registry.get(group, type);
    if (schema === undefined) continue;
    parts.push('', `### ${group} \`${type}\``, '', fieldTable(schema));
  }
  return parts.join('\n');
}

/**
 * The whole reference page. Uses a registry of the built-in types unless one is given, so the
 * committed page does not depend on what an application registered.
 */
export function renderConfigReference(registry: ArgsRegistry = createArgsRegistry()): string {
  const sections = [
    INTRO.trimEnd(),
    ['## Top level', '', fieldTable(TopLevelConfigSchema)].join('\n'),
    [
      '## mephisto',
      '',
      'Holds the sections below (`blueprint`, `architect`, `provider`, `task`, `database`) and:',
      '',
      fieldTable(MephistoSettingsSchema),
    ].join('\n'),
    [
      '## mephisto.task',
      '',
      "The task run's arguments (Mephisto's `TaskRunArgs`). Counts and durations are whole numbers ≥ 0.",
      '',
      fieldTable(TaskRunArgsSchema),
    ].join('\n'),
    ...ABSTRACTION_GROUPS.map((group) => groupSection(group, registry)),
    ['## mephisto.database', '', fieldTable(DatabaseArgsSchema)].join('\n'),
  ];
  return `${sections.join('\n\n')}\n`;
}
