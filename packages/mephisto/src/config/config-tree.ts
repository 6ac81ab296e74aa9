/**
 * Plain-data config trees (what YAML mappings become) and the operations the loader needs on them:
 * reading, writing and deleting at a key path, and merging one tree into another the way OmegaConf
 * does (mappings merge key by key, anything else replaces).
 */
import type { ConfigPath } from '../core/config/config-problem.js';
import { formatConfigPath, isConfigMapping } from '../core/config/config-problem.js';

/** A config mapping. Values are YAML data: mappings, lists, strings, numbers, booleans, null. */
export type ConfigTree = Record<string, unknown>;

/**
 * Splits a key path as written in overrides and interpolations: `a.b.c`, `a.list[0].b`, `a.list.0.b`.
 * Bracketed indexes become numbers; dotted digits stay strings and index lists when they meet one.
 */
export function parseKeyPath(text: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]/gy;
  let expectSegment = true;
  let pos = 0;
  while (pos < text.length) {
    if (!expectSegment) {
      if (text[pos] === '.') {
        pos += 1;
        expectSegment = true;
        continue;
      }
      if (text[pos] !== '[') return undefined;
    }
    pattern.lastIndex = pos;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    out.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? ''));
    pos = pattern.lastIndex;
    expectSegment = false;
  }
  return out.length === 0 || expectSegment ? undefined : out;
}

function child(node: unknown, key: string | number): { found: boolean; value: unknown } {
  if (Array.isArray(node)) {
    const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : -1;
    return index >= 0 && index < node.length
      ? { found: true, value: node[index] }
      : { found: false, value: undefined };
  }
  if (isConfigMapping(node) && typeof key === 'string' && Object.hasOwn(node, key)) {
    return { found: true, value: node[key] };
  }
  return { found: false, value: undefined };
}

/** The value at `path`, and whether the path exists (a key holding null exists). */
export function getAtPath(root: unknown, path: ConfigPath): { found: boolean; value: unknown } {
  let node = root;
  for (const key of path) {
    const next = child(node, key);
    if (!next.found) return next;
    node = next.value;
  }
  return { found: true, value: node };
}

/** The longest prefix of `path` that exists in the tree (used to suggest keys near a missing one). */
export function deepestExisting(root: unknown, path: ConfigPath): ConfigPath {
  let node = root;
  const out: (string | number)[] = [];
  for (const key of path) {
    const next = child(node, key);
    if (!next.found) break;
    out.push(key);
    node = next.value;
  }
  return out;
}

/**
 * Writes `value` at `path`. With `createParents`, missing mappings on the way are created; otherwise
 * a missing parent is an error. Returns an error text, or undefined on success.
 */
export function setAtPath(
  root: ConfigTree,
  path: ConfigPath,
  value: unknown,
  createParents: boolean,
): string | undefined {
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] ?? '';
    const next = child(node, key);
    if (next.found && (isConfigMapping(next.value) || Array.isArray(next.value))) {
      node = next.value;
      continue;
    }
    if (!createParents || !isConfigMapping(node) || (next.found && next.value !== null)) {
      return `${formatConfigPath(path.slice(0, i + 1))} is not a mapping`;
    }
    const created: ConfigTree = {};
    node[String(key)] = created;
    node = created;
  }
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(node)) {
    const index = typeof last === 'number' ? last : Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= node.length) {
      return `${formatConfigPath(path)} is not an index of the list`;
    }
    node[index] = value;
    return undefined;
  }
  if (!isConfigMapping(node)) return `${formatConfigPath(path.slice(0, -1))} is not a mapping`;
  node[String(last)] = value;
  return undefined;
}

/** Removes the key at `path`; returns false when there was nothing to remove. */
export function deleteAtPath(root: ConfigTree, path: ConfigPath): boolean {
  const parent = getAtPath(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent.found || last === undefined) return false;
  if (Array.isArray(parent.value)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.value.length) return false;
    parent.value.splice(index, 1);
    return true;
  }
  if (!isConfigMapping(parent.value) || !Object.hasOwn(parent.value, String(last))) return false;
  // Deleting a computed key of a plain data object is what `~key` asks for.
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  delete parent.value[String(last)];
  return true;
}

/** Calls `visit` for every path in `value` (the value itself first), depth first. */
export function walkPaths(
  value: unknown,
  path: ConfigPath,
  visit: (path: ConfigPath, value: unknown) => void,
): void {
  visit(path, value);
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      walkPaths(item, [...path, i], visit);
    });
  } else if (isConfigMapping(value)) {
    for (const [k, v] of Object.entries(value)) walkPaths(v, [...path, k], visit);
  }
}

/**
 * Merges `source` into `target` (which is modified): mappings merge key by key, everything else
 * (scalars, lists, null) replaces what was there. `onWrite` is told of every key the source writes:
 * `replaced` is true when the old subtree was dropped, false when a mapping was merged into.
 */
export function mergeInto(
  target: ConfigTree,
  source: ConfigTree,
  path: ConfigPath = [],
  onWrite?: (path: ConfigPath, value: unknown, replaced: boolean) => void,
): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    const keyPath = [...path, key];
    if (isConfigMapping(current) && isConfigMapping(value)) {
      onWrite?.(keyPath, value, false);
      mergeInto(current, value, keyPath, onWrite);
    } else {
      target[key] = structuredClone(value);
      onWrite?.(keyPath, value, true);
    }
  }
}
