/**
 * The argument schemas of blueprint, architect and provider types, keyed by type string. It is open:
 * code that adds a blueprint (or architect, or provider) registers its schema here, and from then on a
 * config can select it in its defaults list and the reference doc lists it.
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';
import { BUILTIN_ARCHITECT_ARGS } from './architect-args.js';
import { BUILTIN_BLUEPRINT_ARGS } from './blueprint-args.js';
import type { ConfigSectionSchema } from './config-section.js';
import { sectionDefaults } from './config-section.js';
import { BUILTIN_PROVIDER_ARGS } from './provider-args.js';

/** The three abstractions a task run is assembled from; each is a config group `mephisto/<group>`. */
export const ABSTRACTION_GROUPS = ['blueprint', 'architect', 'provider'] as const;
export type AbstractionGroup = (typeof ABSTRACTION_GROUPS)[number];

/** The key that names the chosen type inside a group's section: `_blueprint_type`, … */
export function typeKeyOf(group: AbstractionGroup): `_${AbstractionGroup}_type` {
  return `_${group}_type`;
}

/** True when `name` is one of {@link ABSTRACTION_GROUPS}. */
export function isAbstractionGroup(name: string): name is AbstractionGroup {
  return (ABSTRACTION_GROUPS as readonly string[]).includes(name);
}

/** Type string → argument schema, per abstraction group. */
export class ArgsRegistry {
  readonly #schemas: Record<AbstractionGroup, Map<string, ConfigSectionSchema>> = {
    blueprint: new Map(),
    architect: new Map(),
    provider: new Map(),
  };

  /**
   * Adds a type. The schema must be a strict zod object built from config-field.ts helpers whose
   * `_<group>_type` field is the literal `type`. Registering a type twice is an error.
   */
  register(group: AbstractionGroup, type: string, schema: ConfigSectionSchema): this {
    const types = this.#schemas[group];
    if (types.has(type)) {
      throw new InvalidArgumentError(`${group} type "${type}" is already registered`);
    }
    const typeField = schema.shape[typeKeyOf(group)];
    if (typeField === undefined || !z.safeParse(typeField, type).success) {
      throw new InvalidArgumentError(
        `the schema registered for ${group} type "${type}" needs a ${typeKeyOf(group)} field accepting "${type}"`,
      );
    }
    types.set(type, schema);
    return this;
  }

  /** The schema of a type, or undefined when the type is not registered. */
  get(group: AbstractionGroup, type: string): ConfigSectionSchema | undefined {
    return this.#schemas[group].get(type);
  }

  /** The registered types of a group, sorted. */
  types(group: AbstractionGroup): string[] {
    return [...this.#schemas[group].keys()].sort();
  }

  /**
   * What selecting `type` in the defaults list puts into `mephisto.<group>`: the type key plus every
   * field default, as Hydra does when it places a structured config in a group.
   */
  defaults(group: AbstractionGroup, type: string): Record<string, unknown> | undefined {
    const schema = this.get(group, type);
    return schema === undefined ? undefined : { ...sectionDefaults(schema), [typeKeyOf(group)]: type };
  }
}

function registerAll(
  registry: ArgsRegistry,
  group: AbstractionGroup,
  schemas: Readonly<Record<string, z.ZodObject>>,
): void {
  for (const [type, schema] of Object.entries(schemas)) registry.register(group, type, schema);
}

/** A registry holding the built-in types only (a fresh one, so tests can register types freely). */
export function createArgsRegistry(): ArgsRegistry {
  const registry = new ArgsRegistry();
  registerAll(registry, 'blueprint', BUILTIN_BLUEPRINT_ARGS);
  registerAll(registry, 'architect', BUILTIN_ARCHITECT_ARGS);
  registerAll(registry, 'provider', BUILTIN_PROVIDER_ARGS);
  return registry;
}

/** The registry used when none is passed: built-in types plus whatever the application registers. */
export const defaultArgsRegistry: ArgsRegistry = createArgsRegistry();
