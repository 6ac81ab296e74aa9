/**
 * Reading request bodies the way Prolific validates them: every problem is collected per field, so one
 * 400 names them all (`{"reward": ["A valid integer is required."], …}`).
 */
import { badRequest, validationError } from './fake-prolific-errors.js';
import {
  COMPLETION_CODE_ACTIONS,
  COMPLETION_CODE_TYPES,
  PROLIFIC_ID_OPTIONS,
  type FakeCompletionCode,
  type FakeStudyFilter,
} from './fake-prolific-types.js';

export type JsonObject = Readonly<Record<string, unknown>>;

/** The body as an object; anything else (an array, a string, nothing) is a 400. */
export function bodyObject(body: unknown): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.');
  return body as JsonObject;
}

/** Collects per-field messages; {@link FieldErrors.throwIfAny} raises them as one 400. */
export class FieldErrors {
  readonly #fields: Record<string, string[]> = {};

  add(field: string, message: string): void {
    (this.#fields[field] ??= []).push(message);
  }

  get empty(): boolean {
    return Object.keys(this.#fields).length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw validationError(this.#fields);
  }
}

export function readString(
  body: JsonObject,
  field: string,
  errors: FieldErrors,
  options: { required: boolean; allowEmpty?: boolean },
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (options.required) errors.add(field, 'This field is required.');
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(field, 'Not a valid string.');
    return undefined;
  }
  if (value.trim() === '' && options.allowEmpty !== true) {
    errors.add(field, 'This field may not be blank.');
    return undefined;
  }
  return value;
}

export function readInteger(
  body: JsonObject,
  field: string,
  errors: FieldErrors,
  options: { required: boolean; min: number },
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (options.required) errors.add(field, 'This field is required.');
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.add(field, 'A valid integer is required.');
    return undefined;
  }
  if (value < options.min) {
    errors.add(field, `Ensure this value is greater than or equal to ${String(options.min)}.`);
    return undefined;
  }
  return value;
}

export function readStringList(body: JsonObject, field: string, errors: FieldErrors): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    errors.add(field, 'This field is required.');
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string' && v !== '')) {
    errors.add(field, 'Expected a list of non-empty strings.');
    return undefined;
  }
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The study fields a create (all required ones) or a draft's update (any subset) may carry. */
export interface StudyFields {
  name?: string;
  internal_name?: string;
  description?: string;
  external_study_url?: string;
  prolific_id_option?: string;
  completion_codes?: FakeCompletionCode[];
  total_available_places?: number;
  estimated_completion_time?: number;
  maximum_allowed_time?: number;
  reward?: number;
  eligibility_requirements?: unknown[];
  filters?: FakeStudyFilter[];
  device_compatibility?: string[];
  max_submissions_per_participant?: number;
  project?: string;
  publish_at?: string | null;
}

function readCompletionCodes(
  body: JsonObject,
  errors: FieldErrors,
  required: boolean,
): FakeCompletionCode[] | undefined {
  const value = body.completion_codes;
  if (value === undefined || value === null) {
    if (required) errors.add('completion_codes', 'This field is required.');
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    errors.add('completion_codes', 'Provide at least one completion code.');
    return undefined;
  }
  const codes: FakeCompletionCode[] = [];
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'object' || item === null) {
      errors.add('completion_codes', `Item ${String(index)} is not an object.`);
      continue;
    }
    const entry = item as JsonObject;
    const code = entry.code;
    const codeType = entry.code_type;
    const actions = entry.actions ?? [];
    if (typeof code !== 'string' || code.trim() === '')
      errors.add('completion_codes', `Item ${String(index)}: code must be a non-empty string.`);
    if (typeof codeType !== 'string' || !(COMPLETION_CODE_TYPES as readonly string[]).includes(codeType))
      errors.add(
        'completion_codes',
        `Item ${String(index)}: "${String(codeType)}" is not a valid code_type.`,
      );
    const validActions =
      Array.isArray(actions) &&
      actions.every(
        (a) =>
          typeof a === 'object' &&
          a !== null &&
          (COMPLETION_CODE_ACTIONS as readonly string[]).includes(String((a as JsonObject).action)),
      );
    if (!validActions) errors.add('completion_codes', `Item ${String(index)}: actions are not valid.`);
    if (typeof code === 'string' && typeof codeType === 'string' && validActions)
      codes.push({ code, code_type: codeType, actions: actions as FakeCompletionCode['actions'] });
  }
  return codes;
}

function readFilters(body: JsonObject, errors: FieldErrors): FakeStudyFilter[] | undefined {
  const value = body.filters;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    errors.add('filters', 'Expected a list.');
    return undefined;
  }
  const filters: FakeStudyFilter[] = [];
  for (const item of value) {
    const entry = typeof item === 'object' && item !== null ? (item as JsonObject) : undefined;
    const id = entry?.filter_id;
    const values = entry?.selected_values;
    if (typeof id !== 'string' || id === '') {
      errors.add('filters', 'Each filter needs a filter_id.');
      continue;
    }
    if (values !== undefined && (!Array.isArray(values) || !values.every((v) => typeof v === 'string'))) {
      errors.add('filters', `Filter ${id}: selected_values must be a list of strings.`);
      continue;
    }
    const range = entry?.selected_range;
    filters.push({
      filter_id: id,
      ...(values === undefined ? {} : { selected_values: values }),
      ...(typeof range === 'object' && range !== null ? { selected_range: range } : {}),
    });
  }
  return filters;
}

/**
 * Reads and checks study fields. `required` (a create) demands the fields Prolific needs to create a
 * draft; an update of a draft checks only the fields present.
 */
export function readStudyFields(body: JsonObject, required: boolean): StudyFields {
  const errors = new FieldErrors();
  const fields: StudyFields = {};
  const name = readString(body, 'name', errors, { required });
  if (name !== undefined) fields.name = name;
  const internalName = readString(body, 'internal_name', errors, { required: false, allowEmpty: true });
  if (internalName !== undefined) fields.internal_name = internalName;
  const description = readString(body, 'description', errors, { required });
  if (description !== undefined) fields.description = description;
  const url = readString(body, 'external_study_url', errors, { required });
  if (url !== undefined) {
    if (isHttpUrl(url)) fields.external_study_url = url;
    else errors.add('external_study_url', 'Enter a valid URL.');
  }
  const idOption = readString(body, 'prolific_id_option', errors, { required });
  if (idOption !== undefined) {
    if ((PROLIFIC_ID_OPTIONS as readonly string[]).includes(idOption)) fields.prolific_id_option = idOption;
    else errors.add('prolific_id_option', `"${idOption}" is not a valid choice.`);
  }
  const codes = readCompletionCodes(body, errors, required);
  if (codes !== undefined) fields.completion_codes = codes;
  const places = readInteger(body, 'total_available_places', errors, { required, min: 1 });
  if (places !== undefined) fields.total_available_places = places;
  const minutes = readInteger(body, 'estimated_completion_time', errors, { required, min: 1 });
  if (minutes !== undefined) fields.estimated_completion_time = minutes;
  const maxMinutes = readInteger(body, 'maximum_allowed_time', errors, { required: false, min: 1 });
  if (maxMinutes !== undefined) fields.maximum_allowed_time = maxMinutes;
  const reward = readInteger(body, 'reward', errors, { required, min: 0 });
  if (reward !== undefined) fields.reward = reward;
  const requirements = body.eligibility_requirements;
  if (requirements !== undefined && requirements !== null) {
    if (Array.isArray(requirements)) fields.eligibility_requirements = [...(requirements as unknown[])];
    else errors.add('eligibility_requirements', 'Expected a list.');
  }
  const filters = readFilters(body, errors);
  if (filters !== undefined) fields.filters = filters;
  const devices = body.device_compatibility;
  if (devices !== undefined && devices !== null) {
    if (Array.isArray(devices) && devices.every((d) => d === 'desktop' || d === 'tablet' || d === 'mobile'))
      fields.device_compatibility = devices as string[];
    else errors.add('device_compatibility', 'Expected a list of desktop, tablet, mobile.');
  }
  const config = body.submissions_config;
  if (config !== undefined && config !== null) {
    const max =
      typeof config === 'object' ? (config as JsonObject).max_submissions_per_participant : undefined;
    if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || (max < 1 && max !== -1)))
      errors.add('submissions_config', 'max_submissions_per_participant must be -1 or a positive integer.');
    else if (typeof max === 'number') fields.max_submissions_per_participant = max;
  }
  const project = readString(body, 'project', errors, { required: false });
  if (project !== undefined) fields.project = project;
  const publishAt = body.publish_at;
  if (publishAt !== undefined) {
    if (publishAt === null) fields.publish_at = null;
    else if (typeof publishAt === 'string' && !Number.isNaN(Date.parse(publishAt)))
      fields.publish_at = publishAt;
    else errors.add('publish_at', 'Datetime has wrong format.');
  }
  errors.throwIfAny();
  return fields;
}

/** Parses `csv_bonuses` (`<participant or submission id>,<amount>` lines; amount a decimal in currency). */
export function parseCsvBonuses(csv: string, errors: FieldErrors): { id: string; cents: number }[] {
  const lines: { id: string; cents: number }[] = [];
  for (const [index, raw] of csv.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const [id, amount, extra] = line.split(',').map((part) => part.trim());
    const value = amount === undefined ? Number.NaN : Number(amount);
    if (
      id === undefined ||
      id === '' ||
      extra !== undefined ||
      !/^\d+(\.\d{1,2})?$/.test(amount ?? '') ||
      value <= 0
    ) {
      errors.add(
        'csv_bonuses',
        `Line ${String(index + 1)} is not "<id>,<amount>" with a positive amount: ${line}`,
      );
      continue;
    }
    lines.push({ id, cents: Math.round(value * 100) });
  }
  if (lines.length === 0 && errors.empty) errors.add('csv_bonuses', 'No bonus lines were given.');
  return lines;
}
