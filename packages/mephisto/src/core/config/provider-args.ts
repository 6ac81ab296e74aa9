/**
 * `mephisto.provider`: the crowd provider that recruits and pays workers, keyed by the type a config
 * selects with `- /mephisto/provider: <type>`. Field names and defaults are Mephisto's. Credentials
 * (MTurk keys, the Prolific API key) belong to the requester, registered once with `mephisto register`,
 * not to the task config.
 */
import { z } from 'zod';
import type { FieldKind } from './config-field.js';
import {
  defaultedField,
  enumKind,
  numberKind,
  integerKind,
  literalKind,
  optionalField,
  stringKind,
} from './config-field.js';

function providerTypeField<const T extends string>(type: T) {
  return defaultedField(
    literalKind(type),
    type,
    'The provider type; set by selecting the type in the defaults list or with the override `mephisto/provider=<type>`.',
  );
}

/** Fields every provider has (Mephisto's `ProviderArgs`). */
const baseProviderShape = {
  requester_name: optionalField(
    stringKind,
    'The registered requester whose account launches and pays for the run. When left out, the mock provider ' +
      'uses its built-in requester and the others the requester of this provider registered last.',
  ),
  budget_in_dollars: optionalField(
    numberKind(0),
    "Most the run may spend, in dollars: rewards, bonuses and the platform's fees, as the payments ledger " +
      'counts them. A launch that could pass it waits; an approval or bonus that would pass it is refused. ' +
      'When left out, no limit beyond the account balance the platform reports.',
  ),
};

/** Fields of both MTurk providers (mephisto-ts additions; Mephisto keeps these in code). */
const mturkShape = {
  endpoint: defaultedField(
    stringKind,
    '',
    "Address of the MTurk requester API. Empty uses AWS's (the sandbox's for `mturk_sandbox`); tests point it " +
      'at the MTurk fake of `@mephisto-ts/testing`.',
  ),
  region: defaultedField(
    stringKind,
    'us-east-1',
    'AWS region of the MTurk API (MTurk only runs in us-east-1).',
  ),
  frame_height: defaultedField(
    integerKind(0),
    650,
    "Height in pixels of the frame MTurk shows the task in (ExternalQuestion's FrameHeight); 0 fills the window.",
  ),
  auto_approve_delay_in_seconds: defaultedField(
    integerKind(0),
    2_592_000,
    'Seconds after a submission before MTurk approves and pays it on its own (AutoApprovalDelayInSeconds; ' +
      "MTurk's default, 30 days). Review before then.",
  ),
};

export const MockProviderArgsSchema = z.strictObject({
  _provider_type: providerTypeField('mock'),
  ...baseProviderShape,
});

export const InhouseProviderArgsSchema = z.strictObject({
  _provider_type: providerTypeField('inhouse'),
  ...baseProviderShape,
  ui_base_url: defaultedField(
    stringKind,
    'http://localhost:3000',
    'Base URL of the task pages as workers reach them; unit links are `<ui_base_url>?worker_id=…&id=…`. ' +
      'Differs from the server address when a proxy or container maps the port.',
  ),
});

export const MturkProviderArgsSchema = z.strictObject({
  _provider_type: providerTypeField('mturk'),
  ...baseProviderShape,
  ...mturkShape,
});

export const MturkSandboxProviderArgsSchema = z.strictObject({
  _provider_type: providerTypeField('mturk_sandbox'),
  ...baseProviderShape,
  ...mturkShape,
});

/** One Prolific eligibility requirement: a `name` (its class in Prolific's API) and its own fields. */
const eligibilityRequirementsKind: FieldKind<z.ZodArray<z.ZodObject<{ name: z.ZodString }, z.core.$loose>>> =
  {
    schema: z.array(z.looseObject({ name: z.string() })),
    expected: 'a list of requirements, each a mapping with a `name`',
    type: 'list of mappings',
    coerce: (value) => value,
  };

export const ProlificProviderArgsSchema = z.strictObject({
  _provider_type: providerTypeField('prolific'),
  ...baseProviderShape,
  api_base_url: defaultedField(
    stringKind,
    '',
    "Address of Prolific's API. Empty uses https://api.prolific.com; tests point it at the Prolific fake of " +
      '`@mephisto-ts/testing`.',
  ),
  prolific_external_study_url: defaultedField(
    stringKind,
    '',
    'Address Prolific sends participants to. Prolific fills the placeholders `{{%PROLIFIC_PID%}}`, ' +
      '`{{%STUDY_ID%}}` and `{{%SESSION_ID%}}` in it. Empty uses the address of the task server.',
  ),
  prolific_id_option: defaultedField(
    enumKind(['question', 'url_parameters', 'not_required']),
    'url_parameters',
    "How the study records the participant's Prolific id: `url_parameters` (passed in the URL), " +
      '`question` (the task asks for it) or `not_required`.',
  ),
  prolific_estimated_completion_time_in_minutes: defaultedField(
    integerKind(1),
    5,
    "Minutes one unit is expected to take; Prolific's estimated_completion_time, shown to participants.",
  ),
  prolific_eligibility_requirements: defaultedField(
    eligibilityRequirementsKind,
    [],
    'Who may take part (age, country, approval rate, an allow list of participant ids, …), as Prolific ' +
      'eligibility requirements: each item names the requirement class and gives its fields.',
  ),
  prolific_workspace_name: defaultedField(
    stringKind,
    'My Workspace',
    'Prolific workspace the study is created in.',
  ),
  prolific_project_name: defaultedField(
    stringKind,
    'Project',
    'Project within the workspace the study belongs to.',
  ),
  prolific_allow_list_group_name: defaultedField(
    stringKind,
    'Allow list',
    'Accepted for Mephisto configs and not used: mephisto-ts allow-lists one participant group per required ' +
      'qualification (named after it), so a worker qualifies as soon as the grant reaches Prolific ' +
      '(docs/providers/prolific.md, "Qualifications and the block list as study filters").',
  ),
  prolific_block_list_group_name: defaultedField(
    stringKind,
    'Block list',
    'Name of the participant group used as the block list (blocked workers are added to it).',
  ),
});

export type MockProviderArgs = z.output<typeof MockProviderArgsSchema>;
export type InhouseProviderArgs = z.output<typeof InhouseProviderArgsSchema>;
export type MturkProviderArgs = z.output<typeof MturkProviderArgsSchema>;
export type MturkSandboxProviderArgs = z.output<typeof MturkSandboxProviderArgsSchema>;
export type ProlificProviderArgs = z.output<typeof ProlificProviderArgsSchema>;

/** Validated provider arguments by type; extend with declaration merging when registering a type. */
export interface ProviderArgsByType {
  mock: MockProviderArgs;
  inhouse: InhouseProviderArgs;
  mturk: MturkProviderArgs;
  mturk_sandbox: MturkSandboxProviderArgs;
  prolific: ProlificProviderArgs;
}
export type ProviderArgs = ProviderArgsByType[keyof ProviderArgsByType];

/** The provider types mephisto-ts knows out of the box. */
export const BUILTIN_PROVIDER_ARGS = {
  mock: MockProviderArgsSchema,
  inhouse: InhouseProviderArgsSchema,
  mturk: MturkProviderArgsSchema,
  mturk_sandbox: MturkSandboxProviderArgsSchema,
  prolific: ProlificProviderArgsSchema,
} as const;
