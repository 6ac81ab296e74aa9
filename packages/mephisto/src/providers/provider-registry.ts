/**
 * Provider type string → implementation (Mephisto's registry lookup by `PROVIDER_TYPE`). Open like the
 * config's ArgsRegistry: an application (or a later mephisto-ts module) registers a provider here
 * after adding its args schema there.
 */
import type { ProviderArgs, ProviderArgsByType } from '../core/config/provider-args.js';
import { InvalidArgumentError } from '../core/index.js';
import type { Store } from '../store/store.js';
import type { CrowdProvider } from './crowd-provider.js';
import { InhouseProvider } from './inhouse/inhouse-provider.js';
import { MockProvider } from './mock/mock-provider.js';
import { ProviderNotAvailableError, UnknownProviderTypeError } from './provider-errors.js';

/** What a provider is built with besides its args. */
export interface ProviderContext {
  /** The run's store, for providers that keep their own records (MTurk HIT ids, Prolific studies). */
  readonly store: Store;
}

/** Builds a provider from its validated args. */
export type ProviderFactory<A> = (args: A, context: ProviderContext) => CrowdProvider;

type AnyProviderFactory = ProviderFactory<ProviderArgs>;

export class ProviderRegistry {
  readonly #factories = new Map<string, AnyProviderFactory>();
  readonly #notAvailable = new Set<string>();

  /** Adds an implementation. Registering a type twice is an error. */
  register<T extends keyof ProviderArgsByType>(
    type: T,
    factory: ProviderFactory<ProviderArgsByType[T]>,
  ): this {
    if (this.#factories.has(type)) {
      throw new InvalidArgumentError(`provider type "${type}" is already registered`);
    }
    this.#notAvailable.delete(type);
    // create() dispatches on the args' own `_provider_type`, so a factory only sees args of its type.
    this.#factories.set(type, factory as AnyProviderFactory);
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
   * Builds the provider `args._provider_type` names.
   * @throws ProviderNotAvailableError for a known type without an implementation;
   *   UnknownProviderTypeError for any other unregistered type
   */
  create(args: ProviderArgs, context: ProviderContext): CrowdProvider {
    const type: string = args._provider_type;
    const factory = this.#factories.get(type);
    if (factory !== undefined) return factory(args, context);
    if (this.#notAvailable.has(type)) throw new ProviderNotAvailableError(type, this.types());
    throw new UnknownProviderTypeError(type, this.types(), this.notAvailableTypes());
  }
}

/** A registry with the built-in providers (a fresh one, so tests can register types freely). */
export function createProviderRegistry(): ProviderRegistry {
  return new ProviderRegistry()
    .register('mock', (args) => new MockProvider(args))
    .register('inhouse', (args) => new InhouseProvider(args))
    .markNotAvailable('mturk')
    .markNotAvailable('mturk_sandbox')
    .markNotAvailable('prolific');
}

/** The registry used when none is passed: built-in providers plus whatever the application registers. */
export const defaultProviderRegistry: ProviderRegistry = createProviderRegistry();

/** Builds the crowd provider a run's `mephisto.provider` section selects. */
export function createProvider(
  args: ProviderArgs,
  context: ProviderContext,
  registry: ProviderRegistry = defaultProviderRegistry,
): CrowdProvider {
  return registry.create(args, context);
}
