/**
 * Remembers, for every key path of a composed config, where its value was written: `file:line:column`
 * for YAML, the override text for command-line overrides. Error messages end with it, so a wrong
 * value can be found in the file that set it even when several files were merged.
 */
import type { ConfigPath } from '../core/config/config-problem.js';
import { formatConfigPath } from '../core/config/config-problem.js';
import { walkPaths } from './config-tree.js';

/** Where a path's value came from; undefined when the source has nothing to point at (a schema default). */
export type OriginOf = (path: ConfigPath) => string | undefined;

export class ConfigOrigins {
  // '' marks a value whose source has no position (a default): lookups stop there instead of
  // borrowing an ancestor's position, which would point at the wrong line.
  readonly #byPath = new Map<string, string>();

  /** Records a write made while merging a source; see `mergeInto`'s `onWrite`. */
  record(path: ConfigPath, value: unknown, replaced: boolean, originOf: OriginOf): void {
    if (!replaced) {
      const origin = originOf(path);
      if (origin !== undefined) this.#byPath.set(formatConfigPath(path), origin);
      return;
    }
    this.clearBelow(path);
    walkPaths(value, path, (p) => this.#byPath.set(formatConfigPath(p), originOf(p) ?? ''));
  }

  /** Forgets `path` and everything below it. */
  clearBelow(path: ConfigPath): void {
    const key = formatConfigPath(path);
    for (const existing of [...this.#byPath.keys()]) {
      if (existing === key || existing.startsWith(`${key}.`) || existing.startsWith(`${key}[`)) {
        this.#byPath.delete(existing);
      }
    }
  }

  /** The origin of a formatted key path, or of its nearest recorded ancestor. */
  find(path: string): string | undefined {
    let key = path;
    for (;;) {
      const origin = this.#byPath.get(key);
      if (origin !== undefined) return origin === '' ? undefined : origin;
      const cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
      if (cut <= 0) return undefined;
      key = key.slice(0, cut);
    }
  }
}
