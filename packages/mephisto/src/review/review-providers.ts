/**
 * Which crowd provider a review action goes to: the provider a unit's run was launched with, built
 * from the run's stored configuration (its `mephisto.provider` section), so the review server needs no
 * config of its own; and for a worker, the provider of their type as the newest run of that type
 * configured it. Providers are built once per run (and per worker type) and reused.
 */
import { BUILTIN_PROVIDER_ARGS, type ProviderArgs } from '../core/config/provider-args.js';
import type { TaskRun, Worker } from '../core/index.js';
import type { CrowdProvider } from '../providers/crowd-provider.js';
import {
  createProvider,
  defaultProviderRegistry,
  type ProviderRegistry,
} from '../providers/provider-registry.js';
import type { Store } from '../store/store.js';

/** The port the review service asks; tests pass one returning a MockProvider. */
export interface ReviewProviders {
  /** The provider of the run's units. @throws the registry's errors for an unknown or unavailable type */
  forRun(run: TaskRun): CrowdProvider | Promise<CrowdProvider>;
  /** The provider that knows this worker (by their provider type). */
  forWorker(worker: Worker): CrowdProvider | Promise<CrowdProvider>;
}

/** Review providers from the runs' stored configs, through `registry`. */
export function providersFromRunConfigs(
  store: Store,
  registry: ProviderRegistry = defaultProviderRegistry,
): ReviewProviders {
  const byRun = new Map<string, CrowdProvider>();
  const byType = new Map<string, CrowdProvider>();
  const forRun = (run: TaskRun): CrowdProvider => {
    let provider = byRun.get(run.id);
    if (provider === undefined) {
      provider = createProvider(providerArgsOf(run), { store }, registry);
      byRun.set(run.id, provider);
    }
    return provider;
  };
  return {
    forRun,
    async forWorker(worker) {
      const cached = byType.get(worker.providerType);
      if (cached !== undefined) return cached;
      const runs = await store.findTaskRuns();
      const newest = runs.filter((run) => run.providerType === worker.providerType).at(-1);
      const provider = newest
        ? forRun(newest)
        : createProvider(defaultArgs(worker.providerType), { store }, registry);
      byType.set(worker.providerType, provider);
      return provider;
    },
  };
}

/**
 * The run's provider args as it was launched with them (validated again by the type's schema); the
 * type's defaults when the stored config is unreadable. An application-registered type gets its
 * section as stored.
 */
export function providerArgsOf(run: TaskRun): ProviderArgs {
  let section: unknown;
  try {
    section = (JSON.parse(run.initParams) as { mephisto?: { provider?: unknown } }).mephisto?.provider;
  } catch {
    section = undefined;
  }
  const stored = typeof section === 'object' && section !== null ? section : {};
  const args = { ...stored, _provider_type: run.providerType };
  const schema = builtinSchema(run.providerType);
  if (schema === undefined) return args as ProviderArgs;
  const parsed = schema.safeParse(args);
  return parsed.success ? parsed.data : defaultArgs(run.providerType);
}

function builtinSchema(type: string) {
  return Object.hasOwn(BUILTIN_PROVIDER_ARGS, type)
    ? BUILTIN_PROVIDER_ARGS[type as keyof typeof BUILTIN_PROVIDER_ARGS]
    : undefined;
}

function defaultArgs(type: string): ProviderArgs {
  const schema = builtinSchema(type);
  return (schema ? schema.parse({ _provider_type: type }) : { _provider_type: type }) as ProviderArgs;
}
