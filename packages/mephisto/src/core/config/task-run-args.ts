/**
 * `mephisto.task`: the arguments of one task run (Mephisto's `TaskRunArgs`). Field names and defaults
 * follow Mephisto so its YAML files load unchanged; where a field is only read by one provider or by
 * the webapp build, the description says so.
 */
import { z } from 'zod';
import {
  booleanKind,
  commaListKind,
  defaultedField,
  integerKind,
  numberKind,
  optionalField,
  requiredField,
  stringKind,
} from './config-field.js';

const count = integerKind(0);
const seconds = integerKind(0);

/** 31 days, Mephisto's default lifetime of an MTurk HIT. */
export const DEFAULT_TASK_LIFETIME_IN_SECONDS = 31 * 24 * 60 * 60;

export const TaskRunArgsSchema = z.strictObject({
  task_name: optionalField(
    stringKind,
    'The task this run belongs to. Runs with the same name share one task: its worker caps ' +
      '(maximum_units_per_worker) and resume look-ups span all of them. When left out, the blueprint type ' +
      'is used as the name.',
  ),
  task_title: requiredField(
    stringKind,
    "A string shown to workers as the task's title. MTurk shows it as the HIT title, Prolific as the study name.",
  ),
  task_description: requiredField(
    stringKind,
    'A longer text telling workers what the task asks of them; shown by the crowd provider next to the title.',
  ),
  task_reward: requiredField(
    numberKind(0),
    "What a worker is paid for one unit, in the provider's currency unit: dollars on MTurk, cents on " +
      "Prolific. It becomes every unit's pay amount and so counts against the requester's budget.",
  ),
  task_tags: requiredField(
    commaListKind,
    'Comma-separated keywords that help workers find the task (MTurk keywords). A YAML list is joined with ' +
      'commas. The review app recognises the tags `form-composer` and `video-annotator`.',
  ),
  task_lifetime_in_seconds: defaultedField(
    seconds,
    DEFAULT_TASK_LIFETIME_IN_SECONDS,
    'How long, in seconds, the run offers work, on every provider (MTurk also gets it as the HIT lifetime). ' +
      'At the deadline units nobody took expire and the run ends once units being worked on are resolved. ' +
      '0 means the default (31 days).',
  ),
  assignment_duration_in_seconds: defaultedField(
    seconds,
    30 * 60,
    'Seconds a worker has to submit a unit once they took it. Past that their agent times out and the unit ' +
      'is offered again. Also sent to MTurk as the assignment duration. 0 means no limit.',
  ),
  no_submission_patience: defaultedField(
    seconds,
    12 * 60 * 60,
    'Seconds the run may go without any unit submission before it is presumed broken and shut down ' +
      '(every unit not completed is expired, and the reason is recorded on the run). 0 means never.',
  ),
  allowed_concurrent: defaultedField(
    count,
    0,
    'How many units of this run one worker may hold at once; 0 means no limit. Screening and gold units ' +
      'require 1.',
  ),
  maximum_units_per_worker: defaultedField(
    count,
    0,
    'How many units one worker may do in total across all runs of the same task_name (units they are ' +
      'working on count too, in any run of the task); 0 means no limit.',
  ),
  max_num_concurrent_units: defaultedField(
    count,
    0,
    'How many units may be launched (offered or being worked on) at the same time, which bounds the number ' +
      'of live connections; 0 launches every unit at once.',
  ),
  submission_timeout: defaultedField(
    seconds,
    600,
    "Seconds to wait for a worker's submit after the task logic has finished with their unit, before giving up on it.",
  ),
  post_install_script: defaultedField(
    stringKind,
    '',
    'A shell script in the webapp folder to run after `npm install` and before the build, for example to ' +
      'link a package under development. Empty runs nothing. Read by the webapp build, not by the run itself.',
  ),
  force_rebuild: defaultedField(
    booleanKind,
    false,
    'Rebuild the webapp bundle on every launch. By default it is rebuilt only when a file in the webapp ' +
      'changed or the bundle is missing.',
  ),
  resume_incomplete_run: defaultedField(
    booleanKind,
    false,
    'Instead of starting a new run, continue the last unfinished run of this task_name, even after a crash: ' +
      'submitted work is kept; units that were offered, being worked on, expired or rejected are offered ' +
      'again. Reward, caps, durations, patience and lifetime take the new values; task_name, blueprint and ' +
      'provider may not change (see docs/engine.md).',
  ),
});

/** The validated `mephisto.task` section. */
export type TaskRunArgs = z.output<typeof TaskRunArgsSchema>;
/** What a config may write under `mephisto.task`. */
export type TaskRunArgsInput = z.input<typeof TaskRunArgsSchema>;
