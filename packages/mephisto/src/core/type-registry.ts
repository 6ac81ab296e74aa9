/**
 * Type string → factory, for the pluggable abstractions a config selects by a `_<group>_type` key
 * (Mephisto's registry of blueprints, architects and providers). Open: an application registers its own
 * type after adding its args schema to the config's ArgsRegistry. Types whose args schema exists but
 * whose implementation does not yet are "not available", which reads better than "unknown".
 */
import { InvalidArgumentError } from './errors.js';

/** Builds an implementation from its validated args. May throw (a missing file, bad credentials, …). */
export type TypeFactory<A, Context, Product> = (args: A, context: Context) => Product;

/** How one group's registry names things and reports what it cannot build. */
export interface TypeRegistryGroup<Args> {
  /** `blueprint`, `provider`, … (used in messages). */
  readonly noun: string;
  /** The type an args object selects (its `_blueprint_type`, `_provider_type`, …). */
  typeOf(args: Args): string;
  /** The error for a known type that is not implemented yet. */
  notAvailable(type: string, implemented: readonly string[]): Error;
  /** The error for a type nobody registered. */
  unknown(type: string, implemented: readonly string[], notAvailable: readonly string[]): Error;
}

export class TypeRegistry<ByType, Args, Context, Product> {
  readonly #factories = new Map<string, TypeFactory<Args, Context, Product>>();
  readonly #notAvailable = new Set<string>();

  constructor(private readonly group: TypeRegistryGroup<Args>) {}

  /** Adds an implementation. Registering a type twice is an error. */
  register<T extends keyof ByType & string>(
    type: T,
    factory: TypeFactory<ByType[T], Context, Product>,
  ): this {
    if (this.#factories.has(type)) {
      throw new InvalidArgumentError(`${this.group.noun} type "${type}" is already registered`);
    }
    this.#notAvailable.delete(type);
    // The map loses the link between a type and its args; create() restores it by dispatching on the
    // args' own type key, so a factory only ever sees args of its type.
    this.#factories.set(type, factory as unknown as TypeFactory<Args, Context, Product>);
    return this;
  }

  /** Records a type whose args schema exists but whose implementation does not yet. */
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
   * Builds the implementation the args select.
   * @throws the group's not-available error for a known type without an implementation, its unknown-type
   *   error for any other unregistered type, and whatever the factory throws
   */
  create(args: Args, context: Context): Product {
    const type = this.group.typeOf(args);
    const factory = this.#factories.get(type);
    if (factory !== undefined) return factory(args, context);
    if (this.#notAvailable.has(type)) throw this.group.notAvailable(type, this.types());
    throw this.group.unknown(type, this.types(), this.notAvailableTypes());
  }
}
