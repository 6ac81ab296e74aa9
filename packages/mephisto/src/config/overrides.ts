/**
 * Command-line overrides in Hydra's syntax:
 *
 * | form | meaning |
 * |---|---|
 * | `key.path=value` | change a key that exists (or that the schema defines) |
 * | `+key.path=value` | add a key that does not exist yet |
 * | `++key.path=value` | add or change |
 * | `~key.path` / `~key.path=value` | delete (only if it holds `value`) |
 * | `group/path=option`, `+group=option`, `~group` | choose, add or drop a config group option |
 *
 * Values are read as YAML scalars or flow collections, as Hydra does: `3` is a number, `true` a
 * boolean, `null` null, `'3'` a string, `[a,b]` a list.
 */
import { parse as parseYaml } from 'yaml';
import type { ConfigPath, ConfigProblem } from '../core/config/config-problem.js';
import { formatConfigPath, formatConfigValue, isConfigMapping } from '../core/config/config-problem.js';
import { closestMatch } from '../core/config/suggest.js';
import type { ConfigTree } from './config-tree.js';
import { deepestExisting, deleteAtPath, getAtPath, parseKeyPath, setAtPath } from './config-tree.js';

/** One parsed override. `text` is the override as given, for messages. */
export type ParsedOverride =
  | {
      readonly kind: 'set';
      /** `set`: key must exist; `add` (`+`): must not exist; `force` (`++`): either. */
      readonly mode: 'set' | 'add' | 'force';
      readonly key: string;
      readonly path: (string | number)[];
      readonly value: unknown;
      readonly text: string;
    }
  | {
      readonly kind: 'delete';
      readonly key: string;
      readonly path: (string | number)[];
      readonly hasValue: boolean;
      readonly value: unknown;
      readonly text: string;
    }
  | {
      readonly kind: 'group';
      /** `set` and `add` both choose the option; `delete` drops the group's selection. */
      readonly mode: 'set' | 'add' | 'delete';
      /** The group as written, without a leading slash. */
      readonly group: string;
      readonly option: string | null;
      readonly text: string;
    };

function overrideProblem(text: string, key: string, message: string): ConfigProblem {
  return { path: key, message: `override "${text}": ${message}`, origin: `override ${text}` };
}

/** Reads an override's value the way Hydra does (YAML scalars and flow collections). */
export function parseOverrideValue(raw: string): unknown {
  const text = raw.trim();
  if (text === '') return '';
  try {
    const value: unknown = parseYaml(text);
    // A scalar-looking value that YAML reads as a mapping (`a: b`) or a comment-stripped text
    // (`a #b`) is kept as written: only bracketed values are meant as collections.
    const collection = Array.isArray(value) || isConfigMapping(value);
    if (collection && !/^[[{]/.test(text)) return text;
    return value;
  } catch {
    return text;
  }
}

/**
 * Parses one override. Keys containing `/` are config groups; the loader later also treats a plain
 * key naming a folder of options (`profile=local_dev`) as a group.
 */
export function parseOverride(text: string): ParsedOverride | ConfigProblem {
  const match = /^(\+\+|\+|~)?([^=]*)(?:=(.*))?$/s.exec(text);
  const prefix = match?.[1] ?? '';
  const key = (match?.[2] ?? '').trim();
  const rawValue = match?.[3];
  if (key === '') {
    return overrideProblem(text, '', 'expected key=value, +key=value, ++key=value, ~key or group=option');
  }
  if (rawValue === undefined && prefix !== '~') {
    return overrideProblem(text, key, `missing "=value" (to delete the key write ~${key})`);
  }
  if (key.includes('/')) {
    const group = key.replace(/^\/+/, '');
    if (prefix === '++')
      return overrideProblem(text, key, `groups are chosen with ${group}=option or +${group}=option`);
    const option = rawValue === undefined ? null : rawValue.trim();
    if (prefix !== '~' && (option === null || option === '')) {
      return overrideProblem(text, key, `expected an option after "=", e.g. ${group}=mock`);
    }
    return {
      kind: 'group',
      mode: prefix === '~' ? 'delete' : prefix === '+' ? 'add' : 'set',
      group,
      option,
      text,
    };
  }
  const path = parseKeyPath(key);
  if (path === undefined)
    return overrideProblem(text, key, `"${key}" is not a key path (write keys as a.b.c or a.list[0])`);
  if (prefix === '~') {
    return {
      kind: 'delete',
      key,
      path,
      hasValue: rawValue !== undefined,
      value: rawValue === undefined ? undefined : parseOverrideValue(rawValue),
      text,
    };
  }
  const mode = prefix === '++' ? 'force' : prefix === '+' ? 'add' : 'set';
  return { kind: 'set', mode, key, path, value: parseOverrideValue(rawValue ?? ''), text };
}

/** What the schemas define at a path, so `key=value` may set optional keys that are absent. */
export type KnownKeys = (tree: ConfigTree, path: ConfigPath) => readonly string[];

function suggestionFor(tree: ConfigTree, path: ConfigPath, knownKeys: KnownKeys): string {
  const parentPath = deepestExisting(tree, path.slice(0, -1));
  const parent = getAtPath(tree, parentPath).value;
  const candidates = new Set<string>(knownKeys(tree, parentPath));
  if (isConfigMapping(parent)) for (const k of Object.keys(parent)) candidates.add(k);
  const missing = path[parentPath.length];
  const guess = typeof missing === 'string' ? closestMatch(missing, candidates) : undefined;
  return guess === undefined ? '' : `did you mean "${formatConfigPath([...parentPath, guess])}"? `;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies a key override (`set` or `delete`) to the tree. Returns a problem when the key does not
 * exist (for `key=` and `~key`) or already exists (for `+key=`), with the nearest valid key.
 */
export function applyKeyOverride(
  tree: ConfigTree,
  override: Extract<ParsedOverride, { kind: 'set' | 'delete' }>,
  knownKeys: KnownKeys,
): ConfigProblem | undefined {
  const { path, key, text } = override;
  const current = getAtPath(tree, path);
  const last = path[path.length - 1];
  const parentPath = path.slice(0, -1);
  const parent = getAtPath(tree, parentPath);
  const known = parent.found && typeof last === 'string' && knownKeys(tree, parentPath).includes(last);

  if (override.kind === 'delete') {
    if (!current.found) {
      const hint = suggestionFor(tree, path, knownKeys).trim();
      return overrideProblem(
        text,
        key,
        `${key} is not in the config, so there is nothing to delete${hint === '' ? '' : `; ${hint}`}`,
      );
    }
    if (override.hasValue && !sameValue(current.value, override.value)) {
      return overrideProblem(
        text,
        key,
        `${key} is ${formatConfigValue(current.value)}, not ${formatConfigValue(override.value)}, so it was not deleted`,
      );
    }
    deleteAtPath(tree, path);
    return undefined;
  }

  if (override.mode === 'set' && !current.found && !known) {
    const hint = suggestionFor(tree, path, knownKeys);
    return overrideProblem(
      text,
      key,
      `${key} is not in the config (given ${formatConfigValue(override.value)}); ${hint}to add a new key write +${text}`,
    );
  }
  if (override.mode === 'add' && current.found) {
    return overrideProblem(
      text,
      key,
      `${key} is already set (to ${formatConfigValue(current.value)}); write ${text.slice(1)} to change it, or ++${text.slice(1)}`,
    );
  }
  const error = setAtPath(tree, path, structuredClone(override.value), override.mode !== 'set');
  return error === undefined ? undefined : overrideProblem(text, key, `cannot set ${key}: ${error}`);
}
