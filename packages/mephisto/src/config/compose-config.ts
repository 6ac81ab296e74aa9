/**
 * Composition: the schema defaults, then every source of the defaults lists in order, then the
 * command-line overrides, merged into one plain tree (before interpolation and validation).
 *
 * Two things make it more than one pass. `override` entries and command-line group choices can change
 * which option a group takes, so the defaults lists are expanded again until the choices settle. And
 * a file or override may set `_<group>_type` to another type than the one selected; the tree is then
 * recomposed with that type's defaults, so the defaults always match the type finally chosen.
 */
import { isAbsolute, resolve } from 'node:path';
import type { AbstractionGroup, ArgsRegistry } from '../core/config/args-registry.js';
import { ABSTRACTION_GROUPS, typeKeyOf } from '../core/config/args-registry.js';
import { ConfigDefaultsError, ConfigOverrideError } from '../core/config/config-errors.js';
import type { ConfigPath, ConfigProblem } from '../core/config/config-problem.js';
import { formatConfigPath, isConfigMapping } from '../core/config/config-problem.js';
import { sectionDefaults } from '../core/config/config-section.js';
import {
  DatabaseArgsSchema,
  knownConfigKeys,
  MephistoSettingsSchema,
  TopLevelConfigSchema,
} from '../core/config/task-config.js';
import { TaskRunArgsSchema } from '../core/config/task-run-args.js';
import type { ConfigFile } from './config-file.js';
import { ConfigOrigins } from './config-origins.js';
import type { ConfigTree } from './config-tree.js';
import { mergeInto } from './config-tree.js';
import type { ConfigFileSystem, Expansion, ExtraSelection } from './defaults-list.js';
import { DefaultsExpander } from './defaults-list.js';
import { hasInterpolation } from './interpolation.js';
import type { LocatedConfig } from './locate-config.js';
import type { ParsedOverride } from './overrides.js';
import { applyKeyOverride, parseOverride } from './overrides.js';

/** One source of a composed config, in merge order. */
export type ConfigSource =
  | { readonly kind: 'defaults' }
  | { readonly kind: 'file'; readonly path: string; readonly package: string }
  | { readonly kind: 'group'; readonly group: string; readonly option: string }
  | { readonly kind: 'override'; readonly text: string };

/** A composed config with what is needed to report problems in it. */
export interface Composition {
  readonly tree: ConfigTree;
  /** Where each key was written, for the `[file:line:column]` of problem messages. */
  readonly origins: ConfigOrigins;
  readonly sources: ConfigSource[];
  /** Overrides that could not be applied (a missing key for `key=`, an existing one for `+key=`). */
  readonly problems: ConfigProblem[];
  /** The type each abstraction group's defaults came from. */
  readonly types: Map<AbstractionGroup, string>;
}

/** A group override with its group resolved against the config roots. */
export type GroupOverride = Extract<ParsedOverride, { kind: 'group' }> & { readonly resolved: string };
export type KeyOverride = Extract<ParsedOverride, { kind: 'set' | 'delete' }>;

export interface ComposerOptions {
  readonly located: LocatedConfig;
  /** Config roots: the primary's first, then the extra search paths. */
  readonly roots: readonly string[];
  readonly registry: ArgsRegistry;
  readonly fs: ConfigFileSystem;
  readonly cwd: string;
  readonly display: (path: string) => string;
}

/** The most rounds the defaults lists are re-expanded while `override` entries and type fix-ups settle. */
const MAX_ROUNDS = 8;

function sameChoices(a: ReadonlyMap<string, string | null>, b: ReadonlyMap<string, string | null>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.has(k) && b.get(k) === v);
}

/** Wraps a file's data at its package path (`mephisto.blueprint` → `{mephisto: {blueprint: data}}`). */
function atPackage(data: ConfigTree, packagePath: readonly string[]): ConfigTree {
  return packagePath.reduceRight<ConfigTree>((inner, key) => ({ [key]: inner }), data);
}

function startsWith(path: ConfigPath, prefix: readonly string[]): boolean {
  return prefix.every((part, i) => path[i] === part);
}

/** Composes one config; create one per load (it caches the files it reads). */
export class ConfigComposer {
  readonly #options: ComposerOptions;
  readonly #cache = new Map<string, ConfigFile | undefined>();
  #primary: ConfigFile | undefined;
  #groupOverrides: GroupOverride[] = [];
  #keyOverrides: KeyOverride[] = [];

  constructor(options: ComposerOptions) {
    this.#options = options;
  }

  #expander(
    choices: ReadonlyMap<string, string | null>,
    appended: readonly ExtraSelection[],
    underlaid: readonly ExtraSelection[],
  ): DefaultsExpander {
    const { roots, registry, fs, display, located } = this.#options;
    return new DefaultsExpander(
      {
        roots,
        primary: { file: this.#primary, group: located.group },
        registry,
        fs,
        display,
        choices,
        appended,
        underlaid,
      },
      this.#cache,
    );
  }

  /**
   * Reads the primary file and sorts the overrides into group choices and key changes. Every
   * malformed override and unknown group is collected and thrown as one {@link ConfigOverrideError}.
   */
  async prepare(overrides: readonly string[]): Promise<void> {
    const { located } = this.#options;
    const probe = this.#expander(new Map(), [], []);
    this.#primary = located.file === undefined ? undefined : await probe.readFile(located.file);

    const problems: ConfigProblem[] = [];
    for (const text of overrides) {
      const parsed = parseOverride(text);
      if ('message' in parsed) {
        problems.push(parsed);
        continue;
      }
      if (parsed.kind === 'group') {
        const resolved = await probe.resolveGroup(parsed.group, false, located.group);
        if (resolved === undefined) {
          problems.push({
            path: parsed.group,
            message: `override "${text}": no config group ${parsed.group} (the built-in groups are mephisto/blueprint, mephisto/architect and mephisto/provider)`,
            origin: `override ${text}`,
          });
        } else {
          const path = resolved.kind === 'abstraction' ? `mephisto/${resolved.group}` : resolved.path;
          this.#groupOverrides.push({ ...parsed, resolved: path });
        }
        continue;
      }
      // A one-word key naming a folder of options (`profile=local_dev`) chooses a file group, as in Hydra.
      const [only] = parsed.path;
      if (
        parsed.kind === 'set' &&
        parsed.path.length === 1 &&
        typeof only === 'string' &&
        typeof parsed.value === 'string'
      ) {
        const group = await probe.resolveGroup(only, false, located.group);
        if (group?.kind === 'files') {
          const mode = parsed.mode === 'force' ? 'set' : parsed.mode;
          this.#groupOverrides.push({
            kind: 'group',
            mode,
            group: only,
            option: parsed.value,
            text,
            resolved: group.path,
          });
          continue;
        }
      }
      this.#keyOverrides.push(parsed);
    }
    if (problems.length > 0) throw new ConfigOverrideError(problems);
  }

  /** Composes, recomposing while a `_<group>_type` value differs from the type whose defaults were used. */
  async compose(): Promise<Composition> {
    const { registry } = this.#options;
    const fixups = new Map<AbstractionGroup, string>();
    let composition = await this.#composeOnce(fixups);
    for (let round = 0; round < ABSTRACTION_GROUPS.length; round++) {
      let changed = false;
      for (const group of ABSTRACTION_GROUPS) {
        const mephisto = composition.tree.mephisto;
        const section = isConfigMapping(mephisto) ? mephisto[group] : undefined;
        const finalType = isConfigMapping(section) ? section[typeKeyOf(group)] : undefined;
        if (
          typeof finalType === 'string' &&
          finalType !== composition.types.get(group) &&
          registry.get(group, finalType) !== undefined &&
          fixups.get(group) !== finalType
        ) {
          fixups.set(group, finalType);
          changed = true;
        }
      }
      if (!changed) break;
      composition = await this.#composeOnce(fixups);
    }
    return composition;
  }

  /** Expands the defaults lists until `override` entries, appended and underlaid selections settle. */
  async #expand(fixups: ReadonlyMap<AbstractionGroup, string>): Promise<Expansion> {
    const cliChoices = new Map<string, string | null>(
      this.#groupOverrides.map((o) => [o.resolved, o.mode === 'delete' ? null : o.option]),
    );
    const fixupChoices = new Map([...fixups].map(([group, type]) => [`mephisto/${group}`, type]));
    let fileOverrides = new Map<string, string | null>();
    const appended: ExtraSelection[] = [];
    const underlaid: ExtraSelection[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // Command-line choices beat `override` entries; a type fix-up beats both (it is what the tree says).
      const choices = new Map<string, string | null>([...fileOverrides, ...cliChoices, ...fixupChoices]);
      const expansion = await this.#expander(choices, appended, underlaid).expand();
      const nextOverrides = new Map([...expansion.overrides].map(([g, o]) => [g, o.option]));
      let added = false;
      for (const o of this.#groupOverrides) {
        const option = o.option;
        if (o.mode === 'delete' || option === null || expansion.selected.has(o.resolved)) continue;
        if (appended.some((a) => a.group === o.resolved)) continue;
        appended.push({ group: o.resolved, option, origin: `override ${o.text}` });
        added = true;
      }
      for (const [group, type] of fixups) {
        const path = `mephisto/${group}`;
        if (expansion.selected.has(path) || underlaid.some((u) => u.group === path)) continue;
        underlaid.push({ group: path, option: type, origin: `mephisto.${group}.${typeKeyOf(group)}` });
        added = true;
      }
      if (!added && sameChoices(nextOverrides, fileOverrides)) return expansion;
      fileOverrides = nextOverrides;
    }
    throw new ConfigDefaultsError([
      {
        path: 'defaults',
        message: `the defaults lists do not settle after ${MAX_ROUNDS} rounds of overrides`,
      },
    ]);
  }

  async #composeOnce(fixups: ReadonlyMap<AbstractionGroup, string>): Promise<Composition> {
    const { registry, located, cwd } = this.#options;
    const expansion = await this.#expand(fixups);
    const origins = new ConfigOrigins();
    const noOrigin = (): undefined => undefined;
    const tree: ConfigTree = {
      mephisto: {
        task: sectionDefaults(TaskRunArgsSchema),
        database: sectionDefaults(DatabaseArgsSchema),
        ...sectionDefaults(MephistoSettingsSchema),
      },
      task_dir: located.taskDir,
      ...sectionDefaults(TopLevelConfigSchema),
    };
    origins.record([], tree, true, noOrigin);
    const sources: ConfigSource[] = [{ kind: 'defaults' }];
    const types = new Map<AbstractionGroup, string>();

    for (const item of expansion.items) {
      if (item.kind === 'file') {
        const { file, packagePath } = item;
        const originOf = (path: ConfigPath): string | undefined =>
          startsWith(path, packagePath)
            ? file.positions.get(formatConfigPath(path.slice(packagePath.length)))
            : undefined;
        mergeInto(tree, atPackage(file.data, packagePath), [], (p, v, replaced) => {
          origins.record(p, v, replaced, originOf);
        });
        sources.push({ kind: 'file', path: file.path, package: packagePath.join('.') });
      } else {
        const typeKey = typeKeyOf(item.group);
        const defaults = registry.defaults(item.group, item.type) ?? { [typeKey]: item.type };
        // The section and its type point at the defaults entry that chose them; the defaults, nowhere.
        const originOf = (p: ConfigPath): string | undefined =>
          p.length === 2 || (p.length === 3 && p[2] === typeKey) ? item.origin : undefined;
        mergeInto(tree, { mephisto: { [item.group]: defaults } }, [], (p, v, replaced) => {
          if (p.length > 1) origins.record(p, v, replaced, originOf);
        });
        types.set(item.group, item.type);
        sources.push({ kind: 'group', group: `mephisto/${item.group}`, option: item.type });
      }
    }

    const problems: ConfigProblem[] = [];
    const knownKeys = (t: ConfigTree, path: ConfigPath): readonly string[] =>
      knownConfigKeys(t, path, registry);
    for (const override of this.#keyOverrides) {
      const problem = applyKeyOverride(tree, override, knownKeys);
      if (problem !== undefined) {
        problems.push(problem);
        continue;
      }
      if (override.kind === 'delete') origins.clearBelow(override.path);
      else origins.record(override.path, override.value, true, () => `override ${override.text}`);
      sources.push({ kind: 'override', text: override.text });
    }
    for (const o of this.#groupOverrides) sources.push({ kind: 'override', text: o.text });

    // A relative task_dir (from an override or a file) is taken from the working directory.
    const taskDir = tree.task_dir;
    if (typeof taskDir === 'string' && !hasInterpolation(taskDir) && !isAbsolute(taskDir)) {
      tree.task_dir = resolve(cwd, taskDir);
    }
    // Hydra's own settings (`hydra.run.dir`, …) are not part of the job's config.
    delete tree.hydra;
    return { tree, origins, sources, problems, types };
  }
}
