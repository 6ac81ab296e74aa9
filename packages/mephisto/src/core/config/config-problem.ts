/**
 * One thing wrong with a task config, and the small formatting helpers that keep every message in the
 * same shape: `<key path>: expected <what>, got <value>`.
 */

/** A key path: object keys and list indexes from the root of the config. */
export type ConfigPath = readonly (string | number)[];

/** One problem found while composing or validating a config. */
export interface ConfigProblem {
  /** The key path the problem is about, formatted with {@link formatConfigPath} (`''` for the root). */
  readonly path: string;
  /** The whole message, starting with the key path. */
  readonly message: string;
  /** Where the offending value was written, when known: `file:line:column`, or the override given. */
  readonly origin?: string;
}

/** `mephisto.provider.prolific_eligibility_requirements[0].name`: dots between keys, brackets for indexes. */
export function formatConfigPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

const MAX_VALUE_LENGTH = 80;

/** A value as it appears in a message: strings quoted, structures as (shortened) JSON. */
export function formatConfigValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** A list of names for a message: `"a", "b" and "c"`. */
export function formatChoices(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1] ?? ''}`;
}

/** True for a plain mapping (what a YAML map becomes), false for lists, null and scalars. */
export function isConfigMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
