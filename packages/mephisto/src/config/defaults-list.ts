/**
 * Hydra-style defaults lists. A config file may start with
 *
 * ```yaml
 * defaults:
 *   - base                                # another config file (same folder first, then the roots)
 *   - /mephisto/blueprint: static_task    # a registered blueprint/architect/provider type
 *   - profile: local_dev                  # a file group: <root>/profile/local_dev.yaml
 *   - override /mephisto/provider: mock   # change a choice made elsewhere in the tree
 *   - optional extra                      # skipped when missing
 *   - _self_                              # where this file's own keys go (last when left out)
 * ```
 *
 * {@link expandDefaults} walks that tree and returns the sources in merge order. It does not merge:
 * the loader does, so that the order rules stay in one readable place here.
 */
import { dirname, join, posix, relative, sep } from 'node:path';
import type { AbstractionGroup, ArgsRegistry } from '../core/config/args-registry.js';
import { isAbstractionGroup } from '../core/config/args-registry.js';
import type { ConfigProblem } from '../core/config/config-problem.js';
import { isConfigMapping } from '../core/config/config-problem.js';
import { ConfigDefaultsError, ConfigNotFoundError } from '../core/config/config-errors.js';
import type { ConfigFile, RawDefaultsEntry } from './config-file.js';
import { parseConfigFile } from './config-file.js';

/** The file access the loader needs; tests and the CLI use the real file system. */
export interface ConfigFileSystem {
  /** The file's text, or undefined when there is no such file. */
  readText(path: string): Promise<string | undefined>;
  isDirectory(path: string): Promise<boolean>;
}

/** What one defaults entry asks for. */
export type DefaultsEntry =
  | { readonly kind: 'self'; readonly origin: string }
  | { readonly kind: 'config'; readonly name: string; readonly optional: boolean; readonly origin: string }
  | {
      readonly kind: 'group';
      /** The group as written, without a leading slash. */
      readonly group: string;
      /** Written with a leading slash: relative to the config roots, not to the file's folder. */
      readonly absolute: boolean;
      /** `null` selects nothing. */
      readonly option: string | null;
      readonly override: boolean;
      readonly optional: boolean;
      readonly origin: string;
    };

/** A group as resolved against the roots: a registered abstraction, or a folder of option files. */
export type ResolvedGroup =
  | { readonly kind: 'abstraction'; readonly group: AbstractionGroup }
  | { readonly kind: 'files'; readonly path: string };

/** One source in merge order. */
export type ComposedItem =
  | { readonly kind: 'file'; readonly file: ConfigFile; readonly packagePath: readonly string[] }
  | {
      readonly kind: 'group';
      readonly group: AbstractionGroup;
      readonly type: string;
      readonly origin: string;
    };

/** A group selection made by something outside the files (a command-line override, a type fix-up). */
export interface ExtraSelection {
  /** Resolved group path: `mephisto/provider`, `profile`, `conf/profile`. */
  readonly group: string;
  readonly option: string;
  readonly origin: string;
}

export interface ExpandOptions {
  /** Config roots, searched in order; the first holds the primary config. */
  readonly roots: readonly string[];
  /** The primary config file (undefined when composing from overrides only) and its group folder. */
  readonly primary: { readonly file: ConfigFile | undefined; readonly group: string };
  readonly registry: ArgsRegistry;
  readonly fs: ConfigFileSystem;
  /** Shows an absolute path in messages. */
  readonly display: (path: string) => string;
  /** Forced options per resolved group path (command line, `override` entries, type fix-ups); null drops the group. */
  readonly choices: ReadonlyMap<string, string | null>;
  /**
   * Selections added from the command line for groups nothing selects. Abstraction types go first
   * (they only bring defaults, which must not replace the files' values); file groups such as a
   * profile go after the primary config, as in Mephisto, where the task's YAML is itself one entry
   * of Hydra's defaults list and a `+profile=…` comes after it.
   */
  readonly appended: readonly ExtraSelection[];
  /** Abstraction selections placed before everything else, so every file's keys win over their defaults. */
  readonly underlaid: readonly ExtraSelection[];
}

export interface Expansion {
  readonly items: ComposedItem[];
  /** `override` entries found in the files, by resolved group path (the last one wins). */
  readonly overrides: Map<string, { readonly option: string | null; readonly origin: string }>;
  /** The first selection of each group, by resolved group path, with the option finally used. */
  readonly selected: Map<string, { readonly option: string | null; readonly origin: string }>;
}

const SELF = '_self_';
const ABSTRACTION_PREFIX = 'mephisto/';

function problem(origin: string, message: string): ConfigProblem {
  return { path: 'defaults', message, origin };
}

/** Reads one defaults entry; returns a problem for shapes Hydra would reject or we do not support. */
export function parseDefaultsEntry(raw: RawDefaultsEntry): DefaultsEntry | ConfigProblem {
  const { entry, origin } = raw;
  if (typeof entry === 'string') {
    const words = entry.trim().split(/\s+/);
    const optional = words[0] === 'optional' && words.length === 2;
    const name = optional ? (words[1] ?? '') : entry.trim();
    if (name === SELF) return { kind: 'self', origin };
    if (name === '' || /\s/.test(name))
      return problem(origin, `defaults entry ${JSON.stringify(entry)} is not a config name`);
    return { kind: 'config', name, optional, origin };
  }
  if (isConfigMapping(entry)) {
    const pairs = Object.entries(entry);
    const [pair] = pairs;
    if (pairs.length !== 1 || pair === undefined) {
      return problem(
        origin,
        `defaults entry ${JSON.stringify(entry)} must select exactly one group (group: option)`,
      );
    }
    const [key, value] = pair;
    const words = key.trim().split(/\s+/);
    const groupText = words.pop() ?? '';
    const flags = new Set(words);
    const unknownFlag = words.find((w) => w !== 'optional' && w !== 'override');
    if (unknownFlag !== undefined) {
      return problem(
        origin,
        `defaults entry "${key}": unknown keyword "${unknownFlag}" (expected optional or override)`,
      );
    }
    if (groupText.includes('@')) {
      return problem(origin, `defaults entry "${key}": package overrides (group@package) are not supported`);
    }
    if (Array.isArray(value)) {
      return problem(
        origin,
        `defaults entry "${key}": selecting several options of one group is not supported`,
      );
    }
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
      return problem(
        origin,
        `defaults entry "${key}": expected an option name, got ${JSON.stringify(value)}`,
      );
    }
    const absolute = groupText.startsWith('/');
    return {
      kind: 'group',
      group: groupText.replace(/^\/+/, ''),
      absolute,
      option: value === null ? null : String(value),
      override: flags.has('override'),
      optional: flags.has('optional'),
      origin,
    };
  }
  return problem(
    origin,
    `defaults entry ${JSON.stringify(entry)} is neither a config name nor a group selection`,
  );
}

/** Places a file's keys: `_global_` is the root, `_group_` the file's group, anything else a key path. */
export function packagePathOf(
  header: string | undefined,
  group: string,
  fallback: readonly string[],
): string[] {
  if (header === undefined) return [...fallback];
  const groupPath = group === '' ? [] : group.split('/');
  const parts = header.split('.').filter((p) => p !== '');
  if (parts[0] === '_global_') return parts.slice(1);
  if (parts[0] === '_group_') return [...groupPath, ...parts.slice(1)];
  return parts;
}

function withYamlExtensions(name: string): string[] {
  return /\.ya?ml$/.test(name) ? [name] : [`${name}.yaml`, `${name}.yml`];
}

/** Relative names are looked up in the including file's folder first, then from the roots (Hydra-like). */
function candidatesFor(name: string, absolute: boolean, currentGroup: string): string[] {
  if (absolute || currentGroup === '') return [name];
  return [posix.join(currentGroup, name), name];
}

/** Walks defaults lists; one instance per expansion so file reads are shared through `cache`. */
export class DefaultsExpander {
  readonly #options: ExpandOptions;
  readonly #cache: Map<string, ConfigFile | undefined>;
  readonly #problems: ConfigProblem[] = [];
  readonly #overrides = new Map<string, { option: string | null; origin: string }>();
  readonly #selected = new Map<string, { option: string | null; origin: string }>();

  constructor(options: ExpandOptions, cache: Map<string, ConfigFile | undefined>) {
    this.#options = options;
    this.#cache = cache;
  }

  /** Reads and parses a file once per load; undefined when it does not exist. */
  async readFile(path: string): Promise<ConfigFile | undefined> {
    if (this.#cache.has(path)) return this.#cache.get(path);
    const text = await this.#options.fs.readText(path);
    const file = text === undefined ? undefined : parseConfigFile(text, path, this.#options.display(path));
    this.#cache.set(path, file);
    return file;
  }

  /** Resolves a group name written in a defaults list or an override; undefined when nothing matches. */
  async resolveGroup(
    group: string,
    absolute: boolean,
    currentGroup: string,
  ): Promise<ResolvedGroup | undefined> {
    for (const candidate of candidatesFor(group, absolute, currentGroup)) {
      const rest = candidate.startsWith(ABSTRACTION_PREFIX) ? candidate.slice(ABSTRACTION_PREFIX.length) : '';
      if (isAbstractionGroup(rest)) return { kind: 'abstraction', group: rest };
      for (const root of this.#options.roots) {
        if (await this.#options.fs.isDirectory(join(root, candidate)))
          return { kind: 'files', path: candidate };
      }
    }
    return undefined;
  }

  async #findConfig(
    name: string,
    absolute: boolean,
    currentGroup: string,
  ): Promise<{ file?: ConfigFile; group: string; searched: string[] }> {
    const searched: string[] = [];
    for (const candidate of candidatesFor(name, absolute, currentGroup)) {
      for (const root of this.#options.roots) {
        for (const withExt of withYamlExtensions(candidate)) {
          const path = join(root, withExt);
          searched.push(this.#options.display(path));
          const file = await this.readFile(path);
          if (file !== undefined)
            return { file, group: posix.dirname(withExt) === '.' ? '' : posix.dirname(withExt), searched };
        }
      }
    }
    return { group: '', searched };
  }

  /** Expands the whole tree from the primary config. */
  async expand(): Promise<Expansion> {
    const { primary, underlaid, appended } = this.#options;
    const items: ComposedItem[] = [];
    const isAbstraction = (extra: ExtraSelection): boolean =>
      isAbstractionGroup(extra.group.slice(ABSTRACTION_PREFIX.length)) &&
      extra.group.startsWith(ABSTRACTION_PREFIX);
    const asEntry = (extra: ExtraSelection): Extract<DefaultsEntry, { kind: 'group' }> => ({
      kind: 'group',
      group: extra.group,
      absolute: true,
      option: extra.option,
      override: false,
      optional: false,
      origin: extra.origin,
    });
    const stack = primary.file === undefined ? [] : [primary.file.path];
    for (const extra of [...underlaid, ...appended.filter(isAbstraction)]) {
      items.push(...(await this.#expandGroupEntry(asEntry(extra), '', stack)));
    }
    const primaryPackage = packagePathOf(primary.file?.packageHeader, primary.group, []);
    items.push(...(await this.#expandFile(primary.file, primary.group, primaryPackage, [])));
    for (const extra of appended.filter((e) => !isAbstraction(e))) {
      items.push(...(await this.#expandGroupEntry(asEntry(extra), '', stack)));
    }

    for (const [group, override] of this.#overrides) {
      if (!this.#selected.has(group)) {
        this.#problems.push(
          problem(
            override.origin,
            `override of ${group}: nothing in the defaults lists selects ${group}; write the entry without "override" to select it`,
          ),
        );
      }
    }
    if (this.#problems.length > 0) throw new ConfigDefaultsError(this.#problems);
    return { items, overrides: this.#overrides, selected: this.#selected };
  }

  async #expandFile(
    file: ConfigFile | undefined,
    group: string,
    packagePath: readonly string[],
    stack: readonly string[],
  ): Promise<ComposedItem[]> {
    const own: ComposedItem[] = file === undefined ? [] : [{ kind: 'file', file, packagePath }];
    if (file !== undefined && stack.includes(file.path)) {
      const chain = [...stack, file.path].map((p) => this.#options.display(p)).join(' → ');
      this.#problems.push(problem(file.displayPath, `defaults lists include each other in a loop: ${chain}`));
      return [];
    }
    const innerStack = file === undefined ? stack : [...stack, file.path];
    const entries: DefaultsEntry[] = [];
    for (const raw of file?.defaults ?? []) {
      const parsed = parseDefaultsEntry(raw);
      if ('message' in parsed) this.#problems.push(parsed);
      else entries.push(parsed);
    }

    const out: ComposedItem[] = [];
    let selfPlaced = false;
    for (const entry of entries) {
      if (entry.kind === 'self') {
        out.push(...own);
        selfPlaced = true;
      } else if (entry.kind === 'config') {
        out.push(...(await this.#expandConfigEntry(entry, group, packagePath, innerStack)));
      } else {
        out.push(...(await this.#expandGroupEntry(entry, group, innerStack)));
      }
    }
    // Hydra 1.1+: without an explicit _self_, a file's own keys come after its defaults.
    if (!selfPlaced) out.push(...own);
    return out;
  }

  async #expandConfigEntry(
    entry: Extract<DefaultsEntry, { kind: 'config' }>,
    currentGroup: string,
    packagePath: readonly string[],
    stack: readonly string[],
  ): Promise<ComposedItem[]> {
    const absolute = entry.name.startsWith('/');
    const found = await this.#findConfig(entry.name.replace(/^\/+/, ''), absolute, currentGroup);
    if (found.file === undefined) {
      if (entry.optional) return [];
      throw new ConfigNotFoundError(
        `config "${entry.name}" named in the defaults list at ${entry.origin} was not found`,
        found.searched,
      );
    }
    // A plain include keeps the includer's package unless it declares its own (see docs/config-reference.md).
    const childPackage = packagePathOf(found.file.packageHeader, found.group, packagePath);
    return this.#expandFile(found.file, found.group, childPackage, stack);
  }

  async #expandGroupEntry(
    entry: Extract<DefaultsEntry, { kind: 'group' }>,
    currentGroup: string,
    stack: readonly string[],
  ): Promise<ComposedItem[]> {
    const resolved = await this.resolveGroup(entry.group, entry.absolute, currentGroup);
    if (resolved === undefined) {
      if (entry.optional) return [];
      const written = `${entry.absolute ? '/' : ''}${entry.group}`;
      const known = ['mephisto/blueprint', 'mephisto/architect', 'mephisto/provider'];
      this.#problems.push(
        problem(
          entry.origin,
          `defaults entry "${written}: ${String(entry.option)}": no config group ${written} (the built-in groups are ` +
            `${known.map((g) => `/${g}`).join(', ')}; file groups are folders under ${this.#options.roots.map(this.#options.display).join(', ')})`,
        ),
      );
      return [];
    }
    const groupPath =
      resolved.kind === 'abstraction' ? `${ABSTRACTION_PREFIX}${resolved.group}` : resolved.path;
    if (entry.override) {
      this.#overrides.set(groupPath, { option: entry.option, origin: entry.origin });
      return [];
    }
    if (this.#selected.has(groupPath)) {
      this.#problems.push(
        problem(
          entry.origin,
          `${groupPath} is selected twice in the defaults lists; to change the earlier choice write "override /${groupPath}: ${String(entry.option)}"`,
        ),
      );
      return [];
    }
    const forced = this.#options.choices.get(groupPath);
    const option = forced === undefined ? entry.option : forced;
    this.#selected.set(groupPath, { option, origin: entry.origin });
    if (option === null) return [];
    if (resolved.kind === 'abstraction') {
      return [{ kind: 'group', group: resolved.group, type: option, origin: entry.origin }];
    }
    const found = await this.#findConfig(posix.join(resolved.path, option), true, '');
    if (found.file === undefined) {
      if (entry.optional) return [];
      throw new ConfigNotFoundError(
        `option "${option}" of config group ${resolved.path} (selected at ${entry.origin}) was not found`,
        found.searched,
      );
    }
    const childPackage = packagePathOf(found.file.packageHeader ?? '_group_', resolved.path, []);
    return this.#expandFile(found.file, resolved.path, childPackage, stack);
  }
}

/** Folder of a config file relative to a root, in `/` form (`''` for the root itself). */
export function groupOf(root: string, file: string): string {
  return relative(root, dirname(file)).split(sep).join('/');
}
