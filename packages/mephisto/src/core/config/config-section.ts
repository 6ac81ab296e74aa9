/**
 * A config section is a zod object whose fields were all built with the helpers of config-field.ts
 * (`mephisto.task`, one blueprint type's arguments, …). This module validates one section and turns
 * zod's issues into {@link ConfigProblem}s that name the key path, the value given and what was expected.
 */
import type { z } from 'zod';
import type { ConfigFieldInfo } from './config-field.js';
import { configFieldInfo } from './config-field.js';
import type { ConfigPath, ConfigProblem } from './config-problem.js';
import { formatConfigPath, formatConfigValue, isConfigMapping } from './config-problem.js';
import { closestMatch } from './suggest.js';

/** A zod object made of registered config fields. Strict sections reject unknown keys. */
export type ConfigSectionSchema = z.ZodObject<z.core.$ZodShape>;

/** The keys of a section, in declaration order. */
export function sectionKeys(schema: ConfigSectionSchema): string[] {
  return Object.keys(schema.shape);
}

/** What is known about one field of a section, or undefined for a key the section does not have. */
export function sectionField(schema: ConfigSectionSchema, key: string): ConfigFieldInfo | undefined {
  const field = schema.shape[key];
  return field === undefined ? undefined : configFieldInfo.get(field);
}

/** Every field of a section with its metadata, in declaration order. */
export function sectionFields(schema: ConfigSectionSchema): [string, ConfigFieldInfo][] {
  const out: [string, ConfigFieldInfo][] = [];
  for (const key of sectionKeys(schema)) {
    const info = sectionField(schema, key);
    if (info !== undefined) out.push([key, info]);
  }
  return out;
}

/** The section's defaults: every field that has one, with a fresh copy of its value. */
export function sectionDefaults(schema: ConfigSectionSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, info] of sectionFields(schema)) {
    if (info.hasDefault) out[key] = structuredClone(info.defaultValue);
  }
  return out;
}

export interface SectionCheckOptions {
  /** How an unknown-key message names the section's owner, e.g. `blueprint type "static_task"`. */
  readonly owner?: string;
  /** Keys validated elsewhere (sub-sections): left out of this parse but offered as suggestions. */
  readonly otherKeys?: readonly string[];
}

export interface SectionResult {
  /** The parsed section (defaults applied), when it had no problem. */
  readonly value?: Record<string, unknown>;
  readonly problems: ConfigProblem[];
}

/** The first sentence of a description, lower-cased at the start, for "is required (…)" messages. */
function shortMeaning(description: string): string {
  const first = /^(.*?[.!?])(\s|$)/.exec(description)?.[1] ?? description;
  const trimmed = first.replace(/[.!?]$/, '');
  // Lower-case "A string …" but leave acronyms ("HTML file …") alone.
  return /^[A-Z]{2}/.test(trimmed) ? trimmed : trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

/** The value at a relative path inside raw input, or undefined where the path leads nowhere. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === 'number') node = node[part];
    else if (isConfigMapping(node) && typeof part === 'string') node = node[part];
    else return undefined;
  }
  return node;
}

const ZOD_TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** Wording for an issue below a field (inside a list or mapping value), where no field metadata applies. */
function nestedExpectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return ZOD_TYPE_WORDS[issue.expected] ?? issue.expected;
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

function unknownKeyMessage(
  path: ConfigPath,
  key: string,
  value: unknown,
  validKeys: readonly string[],
  owner: string | undefined,
): string {
  const where = owner === undefined ? '' : ` for ${owner}`;
  const suggestion = closestMatch(key, validKeys);
  const hint =
    suggestion !== undefined
      ? `did you mean "${suggestion}"?`
      : `valid keys are ${[...validKeys].sort().join(', ')}`;
  return `${formatConfigPath([...path, key])}: unknown key${where} (set to ${formatConfigValue(value)}); ${hint}`;
}

/**
 * Validates one section. Every problem is reported, each once per key path; `raw === undefined` is
 * checked like an empty mapping, so the section's required fields are reported as missing.
 */
export function validateSection(
  schema: ConfigSectionSchema,
  raw: unknown,
  path: ConfigPath,
  options: SectionCheckOptions = {},
): SectionResult {
  if (raw !== undefined && !isConfigMapping(raw)) {
    const what = options.owner === undefined ? 'a mapping' : `a mapping of ${options.owner} settings`;
    const name = path.length === 0 ? 'the config' : formatConfigPath(path);
    return {
      problems: [
        { path: formatConfigPath(path), message: `${name}: expected ${what}, got ${formatConfigValue(raw)}` },
      ],
    };
  }
  const skipped = new Set(options.otherKeys ?? []);
  const input = Object.fromEntries(Object.entries(raw ?? {}).filter(([key]) => !skipped.has(key)));

  const result = schema.safeParse(input);
  if (result.success) {
    // An optional field given as null parses to undefined; drop the key so "absent" has one shape.
    const value = Object.fromEntries(Object.entries(result.data).filter(([, v]) => v !== undefined));
    return { value, problems: [] };
  }

  const validKeys = [...sectionKeys(schema), ...(options.otherKeys ?? [])];
  const problems = new Map<string, ConfigProblem>();
  const add = (problemPath: ConfigPath, message: string): void => {
    const key = formatConfigPath(problemPath);
    if (!problems.has(key)) problems.set(key, { path: key, message });
  };

  for (const issue of result.error.issues) {
    const relative = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const full = [...path, ...relative];
    if (issue.code === 'unrecognized_keys' && relative.length === 0) {
      for (const key of issue.keys) {
        add([...path, key], unknownKeyMessage(path, key, input[key], validKeys, options.owner));
      }
      continue;
    }
    const value = valueAt(input, relative);
    const fieldKey = relative[0];
    const info =
      relative.length === 1 && typeof fieldKey === 'string' ? sectionField(schema, fieldKey) : undefined;
    if (info !== undefined && value === undefined) {
      add(full, `${formatConfigPath(full)} is required (${shortMeaning(info.description)})`);
    } else if (info !== undefined) {
      add(full, `${formatConfigPath(full)}: expected ${info.expected}, got ${formatConfigValue(value)}`);
    } else {
      add(
        full,
        `${formatConfigPath(full)}: expected ${nestedExpectation(issue)}, got ${formatConfigValue(value)}`,
      );
    }
  }
  return { problems: [...problems.values()] };
}
