/**
 * Blueprint type string → implementation (Mephisto's registry lookup by `BLUEPRINT_TYPE`). Like the
 * config's ArgsRegistry it is open: an application registers its own blueprint type here after adding
 * its args schema there.
 */
import type { BlueprintArgs, BlueprintArgsByType } from '../core/config/blueprint-args.js';
import { InvalidArgumentError } from '../core/index.js';
import type { Blueprint } from './blueprint.js';
import type { BlueprintContext } from './blueprint-context.js';
import { BlueprintNotAvailableError, UnknownBlueprintTypeError } from './blueprint-errors.js';
import { MockBlueprint } from './mock/mock-blueprint.js';
import { StaticHtmlBlueprint } from './static-html/static-html-blueprint.js';
import { StaticReactBlueprint } from './static-react/static-react-blueprint.js';

/** Builds a blueprint from its validated args. May throw (a missing task file, no data, …). */
export type BlueprintFactory<A> = (args: A, context: BlueprintContext) => Blueprint;

type AnyBlueprintFactory = BlueprintFactory<BlueprintArgs>;

export class BlueprintRegistry {
  readonly #factories = new Map<string, AnyBlueprintFactory>();
  readonly #notAvailable = new Set<string>();

  /** Adds an implementation. Registering a type twice is an error. */
  register<T extends keyof BlueprintArgsByType>(
    type: T,
    factory: BlueprintFactory<BlueprintArgsByType[T]>,
  ): this {
    if (this.#factories.has(type)) {
      throw new InvalidArgumentError(`blueprint type "${type}" is already registered`);
    }
    this.#notAvailable.delete(type);
    // The map loses the link between a type and its args; create() restores it by dispatching on the
    // args' own `_blueprint_type`, so the factory only ever sees args of its type.
    this.#factories.set(type, factory as AnyBlueprintFactory);
    return this;
  }

  /**
   * Records a type whose args schema exists but whose implementation does not yet, so asking for it
   * gives "not available yet" rather than "unknown".
   */
  markNotAvailable(type: string): this {
    if (!this.#factories.has(type)) this.#notAvailable.add(type);
    return this;
  }

  /** The registered (implemented) types, sorted. */
  types(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /** Types that are known but not implemented yet, sorted. */
  notAvailableTypes(): string[] {
    return [...this.#notAvailable].sort();
  }

  /**
   * Builds the blueprint `args._blueprint_type` names.
   * @throws BlueprintNotAvailableError for a known type without an implementation;
   *   UnknownBlueprintTypeError for any other unregistered type; whatever the factory throws
   */
  create(args: BlueprintArgs, context: BlueprintContext): Blueprint {
    const type: string = args._blueprint_type;
    const factory = this.#factories.get(type);
    if (factory !== undefined) return factory(args, context);
    if (this.#notAvailable.has(type)) throw new BlueprintNotAvailableError(type, this.types());
    throw new UnknownBlueprintTypeError(type, this.types(), this.notAvailableTypes());
  }
}

/** A registry with the built-in blueprints (a fresh one, so tests can register types freely). */
export function createBlueprintRegistry(): BlueprintRegistry {
  return new BlueprintRegistry()
    .register('static_task', (args, context) => new StaticHtmlBlueprint(args, context))
    .register('static_react_task', (args, context) => new StaticReactBlueprint(args, context))
    .register('mock', (args, context) => new MockBlueprint(args, context))
    .markNotAvailable('remote_procedure');
}

/** The registry used when none is passed: built-in blueprints plus whatever the application registers. */
export const defaultBlueprintRegistry: BlueprintRegistry = createBlueprintRegistry();

/**
 * Builds the blueprint a run's `mephisto.blueprint` section selects.
 * @param context the task directory (relative paths are read against it) and the run script's state
 */
export function createBlueprint(
  args: BlueprintArgs,
  context: BlueprintContext,
  registry: BlueprintRegistry = defaultBlueprintRegistry,
): Blueprint {
  return registry.create(args, context);
}
