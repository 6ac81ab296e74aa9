/**
 * Provider type string → implementation (Mephisto's registry lookup by `PROVIDER_TYPE`). Open like the
 * config's ArgsRegistry: an application (or a later mephisto-ts module) registers a provider here
 * after adding its args schema there.
 */
import type { ProviderArgs, ProviderArgsByType } from '../core/config/provider-args.js';
import { TypeRegistry, type TypeFactory } from '../core/type-registry.js';
import type { Store } from '../store/store.js';
import type { CrowdProvider } from './crowd-provider.js';
import { InhouseProvider } from './inhouse/inhouse-provider.js';
import { MockProvider } from './mock/mock-provider.js';
import { ProviderNotAvailableError, UnknownProviderTypeError } from './provider-errors.js';

/** What a provider is built with besides its args. */
export interface ProviderContext {
  /** The run's store, for providers that keep their own records (MTurk HIT ids, Prolific studies). */
  readonly store: Store;
  /** Where credentials are read from (AWS keys, the Prolific token). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Builds a provider from its validated args. */
export type ProviderFactory<A> = TypeFactory<A, ProviderContext, CrowdProvider>;

export class ProviderRegistry extends TypeRegistry<
  ProviderArgsByType,
  ProviderArgs,
  ProviderContext,
  CrowdProvider
> {
  constructor() {
    super({
      noun: 'provider',
      typeOf: (args) => args._provider_type,
      notAvailable: (type, implemented) => new ProviderNotAvailableError(type, implemented),
      unknown: (type, implemented, notAvailable) =>
        new UnknownProviderTypeError(type, implemented, notAvailable),
    });
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
