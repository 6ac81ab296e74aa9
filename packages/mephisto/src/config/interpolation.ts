/**
 * `${…}` interpolation, resolved once every source has been merged (as OmegaConf does):
 *
 * - `${mephisto.task.task_name}`: the value at an absolute key path (`${list[0]}` and `${list.0}` index
 *   lists); `${.sibling}` and `${..uncle}` are relative to the mapping holding the string;
 * - `${task_dir}`: an ordinary key, set by the loader;
 * - `${oc.env:NAME}` and `${oc.env:NAME,default}`: an environment variable (`null` as the default gives null);
 * - nesting (`${oc.env:DATA,${task_dir}/data.csv}`) and embedding in text (`${task_dir}/data.csv`);
 * - `\${` writes a literal `${`.
 *
 * A string that is exactly one interpolation takes the referenced value's type (a number stays a
 * number); otherwise the parts are joined as text. Every failure (a missing key, an unset variable, a
 * cycle) becomes a problem naming the key that holds the interpolation.
 */
import type { ConfigPath, ConfigProblem } from '../core/config/config-problem.js';
import { formatConfigPath, formatConfigValue, isConfigMapping } from '../core/config/config-problem.js';
import { closestMatch } from '../core/config/suggest.js';
import type { ConfigTree } from './config-tree.js';
import { deepestExisting, getAtPath, parseKeyPath } from './config-tree.js';

type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'interp'; readonly pieces: Piece[]; readonly source: string };

/** Marks a value that could not be resolved; its problem has already been recorded. */
const FAILED: unique symbol = Symbol('unresolved');
type Resolved = unknown;

export interface InterpolationOptions {
  /** Environment for `${oc.env:…}`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface InterpolationResult {
  /** A copy of the tree with every interpolation replaced; failed ones keep their text. */
  readonly tree: ConfigTree;
  readonly problems: ConfigProblem[];
}

const RESOLVER = /^\s*([A-Za-z_][\w.-]*)\s*:/;
const SUPPORTED_RESOLVERS = ['oc.env'];

/** True when a string contains something to interpolate or unescape. */
export function hasInterpolation(value: string): boolean {
  return value.includes('${');
}

/**
 * Splits a string into text and `${…}` pieces. Returns an error text for an unclosed `${`.
 * Inside `${…}`, quoted text may contain braces.
 */
function parseTemplate(
  text: string,
  start: number,
  nested: boolean,
): { pieces: Piece[]; end: number } | string {
  const pieces: Piece[] = [];
  let buffer = '';
  const flush = (): void => {
    if (buffer !== '') pieces.push({ kind: 'text', text: buffer });
    buffer = '';
  };
  let i = start;
  while (i < text.length) {
    if (text.startsWith('\\${', i)) {
      buffer += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const inner = parseTemplate(text, i + 2, true);
      if (typeof inner === 'string') return inner;
      flush();
      pieces.push({ kind: 'interp', pieces: inner.pieces, source: text.slice(i, inner.end + 1) });
      i = inner.end + 1;
    } else if (nested && text[i] === '}') {
      flush();
      return { pieces, end: i };
    } else if (nested && (text[i] === "'" || text[i] === '"')) {
      const close = text.indexOf(text[i] ?? '', i + 1);
      const stop = close === -1 ? text.length : close + 1;
      buffer += text.slice(i, stop);
      i = stop;
    } else {
      buffer += text.charAt(i);
      i += 1;
    }
  }
  if (nested) return `unclosed "\${" in ${JSON.stringify(text)}`;
  flush();
  return { pieces, end: text.length };
}

/** Splits resolver arguments at commas outside quotes and outside nested `${…}` pieces. */
function splitArguments(pieces: readonly Piece[]): Piece[][] {
  const args: Piece[][] = [[]];
  let quote: string | undefined;
  for (const piece of pieces) {
    if (piece.kind === 'interp') {
      args[args.length - 1]?.push(piece);
      continue;
    }
    let part = '';
    const flush = (): void => {
      if (part !== '') args[args.length - 1]?.push({ kind: 'text', text: part });
      part = '';
    };
    for (const char of piece.text) {
      if (quote === undefined && char === ',') {
        flush();
        args.push([]);
        continue;
      }
      if (char === quote) quote = undefined;
      else if (quote === undefined && (char === "'" || char === '"')) quote = char;
      part += char;
    }
    flush();
  }
  return args;
}

function unquote(text: string): string {
  const trimmed = text.trim();
  const quoted = /^(['"])(.*)\1$/s.exec(trimmed);
  return quoted?.[2] ?? trimmed;
}

class Resolver {
  readonly #root: ConfigTree;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #memo = new Map<string, Resolved>();
  readonly #stack: string[] = [];
  readonly problems: ConfigProblem[] = [];

  constructor(root: ConfigTree, options: InterpolationOptions) {
    this.#root = root;
    this.#env = options.env;
  }

  #fail(path: ConfigPath, message: string): typeof FAILED {
    const key = formatConfigPath(path);
    this.problems.push({ path: key, message: `${key}: ${message}` });
    return FAILED;
  }

  /** The resolved value at a path of the tree (memoised; detects cycles). */
  resolveAt(path: ConfigPath): { found: boolean; value: Resolved } {
    const key = formatConfigPath(path);
    if (this.#memo.has(key)) return { found: true, value: this.#memo.get(key) };
    const raw = getAtPath(this.#root, path);
    if (!raw.found) return raw;
    if (this.#stack.includes(key)) {
      const cycle = [...this.#stack.slice(this.#stack.indexOf(key)), key].join(' → ');
      const first = this.#stack[this.#stack.indexOf(key)] ?? key;
      this.problems.push({ path: first, message: `${first}: interpolation cycle: ${cycle}` });
      return { found: true, value: FAILED };
    }
    this.#stack.push(key);
    const value = this.#resolveValue(raw.value, path);
    this.#stack.pop();
    this.#memo.set(key, value);
    return { found: true, value };
  }

  #resolveValue(value: unknown, path: ConfigPath): Resolved {
    if (typeof value === 'string') return hasInterpolation(value) ? this.#evaluateString(value, path) : value;
    if (Array.isArray(value)) return value.map((_, i) => this.resolveAt([...path, i]).value);
    if (isConfigMapping(value)) {
      const out: ConfigTree = {};
      for (const k of Object.keys(value)) out[k] = this.resolveAt([...path, k]).value;
      return out;
    }
    return value;
  }

  #evaluateString(text: string, path: ConfigPath): Resolved {
    const parsed = parseTemplate(text, 0, false);
    if (typeof parsed === 'string') return this.#fail(path, parsed);
    const [only] = parsed.pieces;
    if (parsed.pieces.length === 1 && only?.kind === 'interp') return this.#evaluateInterpolation(only, path);
    return this.#join(parsed.pieces, path, text);
  }

  /** Joins pieces as text; a structure inside text is an error (there is no text form to use). */
  #join(pieces: readonly Piece[], path: ConfigPath, whole: string): Resolved {
    let out = '';
    for (const piece of pieces) {
      if (piece.kind === 'text') {
        out += piece.text;
        continue;
      }
      const value = this.#evaluateInterpolation(piece, path);
      if (value === FAILED) return FAILED;
      if (typeof value === 'object' && value !== null) {
        return this.#fail(
          path,
          `${piece.source} in ${JSON.stringify(whole)} is ${formatConfigValue(value)}; only a string, number, boolean or null can be part of a text`,
        );
      }
      out += String(value);
    }
    return out;
  }

  /** An argument keeps its type when it is one interpolation; otherwise it is text, trimmed and unquoted. */
  #evaluateArgument(pieces: readonly Piece[], path: ConfigPath, whole: string): Resolved {
    const meaningful = pieces.filter((p) => p.kind === 'interp' || p.text.trim() !== '');
    const [only] = meaningful;
    if (meaningful.length === 1 && only?.kind === 'interp') return this.#evaluateInterpolation(only, path);
    const joined = this.#join(pieces, path, whole);
    return typeof joined === 'string' ? unquote(joined) : joined;
  }

  #evaluateInterpolation(piece: Extract<Piece, { kind: 'interp' }>, path: ConfigPath): Resolved {
    const [head, ...tail] = piece.pieces;
    const resolver = head?.kind === 'text' ? RESOLVER.exec(head.text) : null;
    if (resolver !== null && head?.kind === 'text') {
      const name = resolver[1] ?? '';
      const afterColon: Piece[] = [{ kind: 'text', text: head.text.slice(resolver[0].length) }, ...tail];
      const args = splitArguments(afterColon).map((arg) => this.#evaluateArgument(arg, path, piece.source));
      if (args.includes(FAILED)) return FAILED;
      if (name === 'oc.env') return this.#environment(args, path, piece.source);
      return this.#fail(
        path,
        `unknown resolver "${name}" in ${piece.source}; supported: ${SUPPORTED_RESOLVERS.join(', ')}`,
      );
    }
    const keyText = this.#join(piece.pieces, path, piece.source);
    if (keyText === FAILED) return FAILED;
    return this.#lookup(String(keyText).trim(), path, piece.source);
  }

  #environment(args: Resolved[], path: ConfigPath, source: string): Resolved {
    const [nameArg, ...defaults] = args;
    const name = typeof nameArg === 'string' ? nameArg : String(nameArg);
    if (name === '') return this.#fail(path, `${source} names no environment variable`);
    const value = this.#env[name];
    if (value !== undefined) return value;
    if (defaults.length > 0) {
      // A comma inside an unquoted default is kept as text rather than refused as an extra argument.
      const fallback =
        defaults.length === 1
          ? defaults[0]
          : defaults.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join(',');
      if (fallback === 'null' || fallback === null) return null;
      return typeof fallback === 'string' ? fallback : JSON.stringify(fallback);
    }
    return this.#fail(
      path,
      `environment variable ${name} is not set (needed by ${source}); set it, or give a default: \${oc.env:${name},<default>}`,
    );
  }

  #lookup(keyText: string, path: ConfigPath, source: string): Resolved {
    const dots = /^\.*/.exec(keyText)?.[0].length ?? 0;
    // `${.x}` is relative to the mapping holding the string; each further dot climbs one level.
    const base = dots === 0 ? [] : path.slice(0, Math.max(0, path.length - dots));
    const relative = parseKeyPath(keyText.slice(dots));
    if (relative === undefined) return this.#fail(path, `${source} does not name a key (write \${a.b.c})`);
    const target = [...base, ...relative];
    const found = this.resolveAt(target);
    if (found.found) return found.value;
    const existing = deepestExisting(this.#root, target);
    const parent = getAtPath(this.#root, existing).value;
    const missing = target[existing.length];
    const guess =
      isConfigMapping(parent) && typeof missing === 'string'
        ? closestMatch(missing, Object.keys(parent))
        : undefined;
    const hint = guess === undefined ? '' : `; did you mean "${formatConfigPath([...existing, guess])}"?`;
    return this.#fail(
      path,
      `${source} refers to ${formatConfigPath(target)}, which is not in the config${hint}`,
    );
  }
}

/** Resolves every interpolation in the tree (which is not modified). */
export function resolveInterpolations(tree: ConfigTree, options: InterpolationOptions): InterpolationResult {
  const resolver = new Resolver(tree, options);
  const resolved = resolver.resolveAt([]).value;
  // Failed leaves go back to their text so the result stays plain data; their problems are reported.
  const restore = (value: unknown, path: ConfigPath): unknown => {
    if (value === FAILED) return getAtPath(tree, path).value;
    if (Array.isArray(value)) return value.map((v, i) => restore(v, [...path, i]));
    if (isConfigMapping(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v, [...path, k])]));
    }
    return value;
  };
  return { tree: restore(resolved, []) as ConfigTree, problems: resolver.problems };
}
