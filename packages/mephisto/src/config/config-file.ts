/**
 * One YAML config file, parsed with the `yaml` library's Document API so that every key keeps its
 * line and column (used in error messages) and syntax errors are reported as file:line:column.
 */
import type { Node } from 'yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { ConfigPath, ConfigProblem } from '../core/config/config-problem.js';
import { formatConfigPath, isConfigMapping } from '../core/config/config-problem.js';
import type { ConfigSyntaxProblem } from '../core/config/config-errors.js';
import { ConfigDefaultsError, ConfigSyntaxError } from '../core/config/config-errors.js';
import type { ConfigTree } from './config-tree.js';

/** One entry of a file's `defaults:` list, with where it was written. */
export interface RawDefaultsEntry {
  readonly entry: unknown;
  readonly origin: string;
}

export interface ConfigFile {
  /** Absolute path of the file. */
  readonly path: string;
  /** The path as shown in messages (relative to the working directory when inside it). */
  readonly displayPath: string;
  /** The file's content without its `defaults` key. */
  readonly data: ConfigTree;
  /** The `defaults:` list, or undefined when the file has none. */
  readonly defaults: readonly RawDefaultsEntry[] | undefined;
  /** The `# @package <name>` header, when the file has one. */
  readonly packageHeader: string | undefined;
  /** `file:line:column` of every key path of `data` (paths relative to the file's own root). */
  readonly positions: ReadonlyMap<string, string>;
}

/** Hydra reads `# @package <name>` from the comment block at the top of the file. */
function findPackageHeader(comments: (string | null | undefined)[]): string | undefined {
  for (const comment of comments) {
    if (comment === null || comment === undefined) continue;
    for (const line of comment.split('\n')) {
      const match = /^\s*@package\s+(\S+)\s*$/.exec(line);
      if (match?.[1] !== undefined) return match[1];
    }
  }
  return undefined;
}

/** The `yaml` library appends " at line L, column C:" and a code excerpt; the position is reported apart. */
function shortYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses one config file. Throws {@link ConfigSyntaxError} (all syntax errors of the file at once) when
 * the text is not YAML or its top level is not a mapping, and {@link ConfigDefaultsError} when `defaults`
 * is not a list.
 */
export function parseConfigFile(text: string, path: string, displayPath: string): ConfigFile {
  const lineCounter = new LineCounter();
  // merge: true honours `<<: *anchor` keys, which PyYAML (and so Hydra) supports.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, merge: true, uniqueKeys: true });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${displayPath}:${line}:${col}`;
  };

  if (doc.errors.length > 0) {
    const problems: ConfigSyntaxProblem[] = doc.errors.map((error) => ({
      file: displayPath,
      line: error.linePos?.[0].line ?? 1,
      column: error.linePos?.[0].col ?? 1,
      message: shortYamlMessage(error.message),
    }));
    throw new ConfigSyntaxError(problems);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigSyntaxError([{ file: displayPath, line: 1, column: 1, message }]);
  }
  data ??= {};
  if (!isConfigMapping(data)) {
    const start = doc.contents?.range[0] ?? 0;
    const { line, col } = lineCounter.linePos(start);
    throw new ConfigSyntaxError([
      {
        file: displayPath,
        line,
        column: col,
        message: 'the top level of a config file must be a mapping of keys',
      },
    ]);
  }

  const positions = new Map<string, string>();
  const record = (node: unknown, nodePath: ConfigPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const valueNode = pair.value as Node | null;
        const keyNode = pair.key as Node | null;
        const offset = valueNode?.range?.[0] ?? keyNode?.range?.[0];
        if (offset !== undefined) positions.set(formatConfigPath([...nodePath, key]), at(offset));
        record(valueNode, [...nodePath, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const offset = (item as Node | null)?.range?.[0];
        if (offset !== undefined) positions.set(formatConfigPath([...nodePath, index]), at(offset));
        record(item, [...nodePath, index]);
      });
    }
  };
  record(doc.contents, []);

  const { defaults: rawDefaults, ...rest } = data;
  let defaults: RawDefaultsEntry[] | undefined;
  if (rawDefaults !== undefined) {
    if (!Array.isArray(rawDefaults)) {
      const problem: ConfigProblem = {
        path: 'defaults',
        message: `defaults: expected a list of config names and group selections, got ${JSON.stringify(rawDefaults)}`,
        origin: positions.get('defaults') ?? displayPath,
      };
      throw new ConfigDefaultsError([problem]);
    }
    defaults = rawDefaults.map((entry: unknown, index) => ({
      entry,
      origin: positions.get(formatConfigPath(['defaults', index])) ?? displayPath,
    }));
  }

  const contents = doc.contents as { commentBefore?: string | null } | null;
  const firstKey = isMap(doc.contents)
    ? (doc.contents.items[0]?.key as { commentBefore?: string | null } | null)
    : null;
  return {
    path,
    displayPath,
    data: rest,
    defaults,
    packageHeader: findPackageHeader([doc.commentBefore, contents?.commentBefore, firstKey?.commentBefore]),
    positions,
  };
}
