/**
 * `mephisto.blueprint`: arguments of each blueprint type, keyed by the type string a config selects
 * with `- /mephisto/blueprint: <type>`. Field names and defaults are Mephisto's: the static blueprints
 * share one set (data source, units per assignment, onboarding / screening / gold options) and add
 * their own `task_source`.
 */
import { z } from 'zod';
import {
  booleanKind,
  defaultedField,
  integerKind,
  literalKind,
  optionalField,
  pathKind,
  requiredField,
  stringKind,
} from './config-field.js';

function blueprintTypeField<const T extends string>(type: T) {
  return defaultedField(
    literalKind(type),
    type,
    'The blueprint type; set by selecting the type in the defaults list or with the override `mephisto/blueprint=<type>`.',
  );
}

/** Fields every blueprint has (Mephisto's `BlueprintArgs`). */
const baseBlueprintShape = {
  block_qualification: optionalField(
    stringKind,
    'Name of a qualification that soft-blocks workers: anyone granted it is not offered units of this task. ' +
      'Screening also grants it to workers who fail.',
  ),
  tips_location: optionalField(
    pathKind,
    "CSV file where workers' tips for this task are collected. When left out, `<task_dir>/assets/tips.csv` is used.",
  ),
};

/** The onboarding mixin: a qualifying task a worker passes once before real units. */
const onboardingShape = {
  onboarding_qualification: optionalField(
    stringKind,
    'Name of the qualification that records onboarding: workers who pass it get it, workers who fail get ' +
      '`<name>-failed` and are kept out. When left out there is no onboarding.',
  ),
};

/** The screening mixin: a worker's first unit (or a dedicated screening unit) decides whether they may go on. */
const screeningShape = {
  passed_qualification_name: optionalField(
    stringKind,
    'Name of the qualification granted to workers who pass screening; workers without it are screened first.',
  ),
  max_screening_units: optionalField(
    integerKind(0),
    'Upper bound on screening units launched in this run, to limit what screening costs. 0 screens workers ' +
      'on real units instead of dedicated ones.',
  ),
  use_screening_task: defaultedField(
    booleanKind,
    false,
    'Screen new workers before they get real units. Needs passed_qualification_name, block_qualification and ' +
      'mephisto.task.allowed_concurrent = 1.',
  ),
};

/** The gold-unit mixin: units with known answers mixed in to check workers' quality. */
const goldShape = {
  gold_qualification_base: optionalField(
    stringKind,
    "Prefix of the qualifications that count a worker's gold results (`<base>-correct-golds`, `<base>-wrong-golds`, …).",
  ),
  max_gold_units: optionalField(
    integerKind(0),
    'Upper bound on gold units launched in this run, to limit what the quality checks cost.',
  ),
  use_golds: defaultedField(
    booleanKind,
    false,
    'Mix gold units into the work of each worker. Needs gold_qualification_base and ' +
      'mephisto.task.allowed_concurrent = 1.',
  ),
  min_golds: defaultedField(
    integerKind(0),
    1,
    'Gold units a worker must complete correctly before getting real units.',
  ),
  max_incorrect_golds: defaultedField(
    integerKind(0),
    0,
    'Gold units a worker may get wrong before being disqualified.',
  ),
};

/** Where the task's data comes from, and how it is split into units. */
const dataShape = {
  units_per_assignment: defaultedField(
    integerKind(1),
    1,
    'How many units (and so how many different workers) each assignment, that is each data item, gets.',
  ),
  task_source_review: defaultedField(
    pathKind,
    '',
    'JavaScript bundle that renders a submitted unit in the review app. Empty uses the generic view.',
  ),
  extra_source_dir: optionalField(
    pathKind,
    'Folder of extra files the task page may load (images, video, CSS, scripts); served next to the task.',
  ),
  data_json: optionalField(
    pathKind,
    'JSON file holding a list of objects, one per assignment. The first of data_csv, data_json and ' +
      'data_jsonl that is set is used (as Mephisto checks them); with none, the run script supplies the data.',
  ),
  data_jsonl: optionalField(pathKind, 'JSON Lines file with one object per line, one line per assignment.'),
  data_csv: optionalField(
    pathKind,
    'CSV file whose header row names the fields; each further row is one assignment.',
  ),
};

const linkTaskSourceField = defaultedField(
  booleanKind,
  false,
  'Symlink task_source into the served folder instead of copying it, so a watch-mode build shows up without ' +
    'restarting the server (for local development).',
);

export const StaticTaskBlueprintArgsSchema = z.strictObject({
  _blueprint_type: blueprintTypeField('static_task'),
  ...baseBlueprintShape,
  ...onboardingShape,
  ...screeningShape,
  ...goldShape,
  ...dataShape,
  task_source: requiredField(
    pathKind,
    "HTML file shown to workers for each unit; `${field}` placeholders are filled from the unit's data.",
  ),
  preview_source: optionalField(
    pathKind,
    'HTML file shown as a preview before a worker accepts the task (MTurk).',
  ),
  onboarding_source: optionalField(
    pathKind,
    'HTML file of the onboarding step; needed when onboarding_qualification is set.',
  ),
});

export const StaticReactTaskBlueprintArgsSchema = z.strictObject({
  _blueprint_type: blueprintTypeField('static_react_task'),
  ...baseBlueprintShape,
  ...onboardingShape,
  ...screeningShape,
  ...goldShape,
  ...dataShape,
  task_source: requiredField(
    pathKind,
    'JavaScript bundle of the task (usually `${task_dir}/webapp/build/bundle.js`, built with the ' +
      'useMephistoTask hook).',
  ),
  link_task_source: linkTaskSourceField,
});

export const RemoteProcedureBlueprintArgsSchema = z.strictObject({
  _blueprint_type: blueprintTypeField('remote_procedure'),
  ...baseBlueprintShape,
  ...onboardingShape,
  ...screeningShape,
  ...goldShape,
  ...dataShape,
  task_source: requiredField(
    pathKind,
    'JavaScript bundle of the task, built with the useMephistoRemoteProcedureTask hook; it calls the ' +
      "run script's functions while the worker works.",
  ),
  link_task_source: linkTaskSourceField,
});

export const MockBlueprintArgsSchema = z.strictObject({
  _blueprint_type: blueprintTypeField('mock'),
  ...baseBlueprintShape,
  ...onboardingShape,
  ...screeningShape,
  num_assignments: requiredField(
    integerKind(0),
    'How many assignments (each of two units) the mock task creates.',
  ),
  use_onboarding: defaultedField(booleanKind, false, 'Require the mock onboarding step.'),
  timeout_time: defaultedField(
    integerKind(0),
    0,
    'Seconds the mock task logic waits for each message; 0 waits without limit.',
  ),
  is_concurrent: defaultedField(
    booleanKind,
    true,
    'Run the mock task as a concurrent (multi-worker) task rather than one worker at a time.',
  ),
  task_source_review: defaultedField(
    pathKind,
    '/test/path/to/bundle.js',
    'Review bundle path reported by the mock task (a placeholder; nothing is read).',
  ),
});

export type StaticTaskBlueprintArgs = z.output<typeof StaticTaskBlueprintArgsSchema>;
export type StaticReactTaskBlueprintArgs = z.output<typeof StaticReactTaskBlueprintArgsSchema>;
export type RemoteProcedureBlueprintArgs = z.output<typeof RemoteProcedureBlueprintArgsSchema>;
export type MockBlueprintArgs = z.output<typeof MockBlueprintArgsSchema>;

/**
 * Validated blueprint arguments by type. Code that registers another blueprint type adds it here with
 * declaration merging (`declare module … { interface BlueprintArgsByType { my_type: MyArgs } }`).
 */
export interface BlueprintArgsByType {
  static_task: StaticTaskBlueprintArgs;
  static_react_task: StaticReactTaskBlueprintArgs;
  remote_procedure: RemoteProcedureBlueprintArgs;
  mock: MockBlueprintArgs;
}
export type BlueprintArgs = BlueprintArgsByType[keyof BlueprintArgsByType];

/** The blueprint types mephisto-ts knows out of the box. */
export const BUILTIN_BLUEPRINT_ARGS = {
  static_task: StaticTaskBlueprintArgsSchema,
  static_react_task: StaticReactTaskBlueprintArgsSchema,
  remote_procedure: RemoteProcedureBlueprintArgsSchema,
  mock: MockBlueprintArgsSchema,
} as const;
