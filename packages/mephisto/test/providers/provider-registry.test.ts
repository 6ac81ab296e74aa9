import { describe, expect, it } from 'vitest';
import type { ProviderArgs } from '../../src/core/config/provider-args.js';
import {
  InhouseProviderArgsSchema,
  MockProviderArgsSchema,
  MturkProviderArgsSchema,
  MturkSandboxProviderArgsSchema,
  ProlificProviderArgsSchema,
} from '../../src/core/config/provider-args.js';
import { InvalidArgumentError } from '../../src/core/index.js';
import { InhouseProvider } from '../../src/providers/inhouse/inhouse-provider.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { MturkProvider } from '../../src/providers/mturk/mturk-provider.js';
import { ProlificProvider } from '../../src/providers/prolific/prolific-provider.js';
import { ProviderNotAvailableError, UnknownProviderTypeError } from '../../src/providers/provider-errors.js';
import {
  createProvider,
  createProviderRegistry,
  defaultProviderRegistry,
  ProviderRegistry,
} from '../../src/providers/provider-registry.js';
import { UNUSED_STORE } from './provider-fixtures.js';

const context = { store: UNUSED_STORE };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('provider registry', () => {
  it('builds the mock and inhouse providers from their args', () => {
    const mock = createProvider(MockProviderArgsSchema.parse({}), context);
    expect(mock).toBeInstanceOf(MockProvider);
    const inhouse = createProvider(InhouseProviderArgsSchema.parse({ ui_base_url: 'http://x' }), context);
    expect(inhouse).toBeInstanceOf(InhouseProvider);
    expect(inhouse).toMatchObject({ args: { ui_base_url: 'http://x' } });
  });

  it('lists the implemented types and the ones not available yet', () => {
    expect(defaultProviderRegistry.types()).toEqual([
      'inhouse',
      'mock',
      'mturk',
      'mturk_sandbox',
      'prolific',
    ]);
    expect(defaultProviderRegistry.notAvailableTypes()).toEqual([]);
  });

  it('builds the MTurk providers (live and sandbox) without touching the store or MTurk', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' };
    const live = createProvider(MturkProviderArgsSchema.parse({}), { ...context, env });
    expect(live).toBeInstanceOf(MturkProvider);
    expect(live).toMatchObject({ type: 'mturk', sandbox: false });
    const sandbox = createProvider(MturkSandboxProviderArgsSchema.parse({}), { ...context, env });
    expect(sandbox).toMatchObject({ type: 'mturk_sandbox', sandbox: true });
  });

  it('builds the Prolific provider without touching the store or Prolific (the token is read on first use)', () => {
    const prolific = createProvider(ProlificProviderArgsSchema.parse({}), context);
    expect(prolific).toBeInstanceOf(ProlificProvider);
    expect(prolific).toMatchObject({ type: 'prolific', sandbox: false });
  });

  it('says a type marked "not available yet" is not available', () => {
    const registry = new ProviderRegistry()
      .register('mock', (args) => new MockProvider(args))
      .markNotAvailable('prolific');
    const error = thrown(() => createProvider(ProlificProviderArgsSchema.parse({}), context, registry));
    expect(error).toBeInstanceOf(ProviderNotAvailableError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_TYPE_NOT_AVAILABLE',
      message: 'provider type "prolific" is not available in mephisto-ts yet; available: mock',
    });
  });

  it('lists the known types for an unknown type', () => {
    const args = { _provider_type: 'toloka' } as unknown as ProviderArgs;
    const error = thrown(() => createProvider(args, context));
    expect(error).toBeInstanceOf(UnknownProviderTypeError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_UNKNOWN_TYPE',
      message: 'unknown provider type "toloka"; available: inhouse, mock, mturk, mturk_sandbox, prolific',
    });
  });

  it('takes registrations (which replace "not available yet"), passes the context, refuses duplicates', () => {
    const registry = new ProviderRegistry()
      .register('mock', (args) => new MockProvider(args))
      .markNotAvailable('prolific');
    const fake = new MockProvider();
    let seenStore: unknown;
    registry.register('prolific', (args, ctx) => {
      expect(args.prolific_id_option).toBe('url_parameters');
      seenStore = ctx.store;
      return fake;
    });
    expect(createProvider(ProlificProviderArgsSchema.parse({}), context, registry)).toBe(fake);
    expect(seenStore).toBe(UNUSED_STORE);
    expect(registry.notAvailableTypes()).toEqual([]);
    expect(() => registry.register('mock', () => fake)).toThrow(InvalidArgumentError);
    expect(createProvider(ProlificProviderArgsSchema.parse({}), context)).toBeInstanceOf(ProlificProvider);
    expect(createProviderRegistry().notAvailableTypes()).toEqual([]);
  });
});
