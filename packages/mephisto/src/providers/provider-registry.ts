/**
 * Provider type string → implementation (Mephisto's registry lookup by `PROVIDER_TYPE`). Open like the
 * config's ArgsRegistry: an application (or a later mephisto-ts module) registers a provider here
 * after adding its args schema there.
 */
import type { ProviderArgs, ProviderArgsByType } from '../core/config/provider-args.js';
import { TypeRegistry, type TypeFactory } from '../core/type-registry.js';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { CrowdProvider } from './crowd-provider.js';
import { InhouseProvider } from './inhouse/inhouse-provider.js';
import { MockProvider } from './mock/mock-provider.js';
import { ProlificProvider } from './prolific/prolific-provider.js';
import { MturkProvider } from './mturk/mturk-provider.js';
import { ProviderNotAvailableError, UnknownProviderTypeError } from './provider-errors.js';

/** What a provider is built with besides its args. */
export interface ProviderContext {
  /** The run's store, for providers that keep their own records (MTurk HIT ids, Prolific studies). */
  readonly store: Store;
  /** Where credentials are read from (AWS keys, the Prolific token). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where providers log their retries, reconciliations and platform errors. @default silent */
  readonly logger?: Logger;
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
    .register('mturk', (args, context) => new MturkProvider(args, context, loggerOf(context)))
    .register('mturk_sandbox', (args, context) => new MturkProvider(args, context, loggerOf(context)))
    .register('prolific', (args, context) => new ProlificProvider(args, context));
}

function loggerOf(context: ProviderContext): { logger?: Logger } {
  return context.logger === undefined ? {} : { logger: context.logger };
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
