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
import { ProviderNotAvailableError, UnknownProviderTypeError } from '../../src/providers/provider-errors.js';
import {
  createProvider,
  createProviderRegistry,
  defaultProviderRegistry,
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
    expect(defaultProviderRegistry.types()).toEqual(['inhouse', 'mock']);
    expect(defaultProviderRegistry.notAvailableTypes()).toEqual(['mturk', 'mturk_sandbox', 'prolific']);
  });

  it.each([
    ['mturk', MturkProviderArgsSchema.parse({})],
    ['mturk_sandbox', MturkSandboxProviderArgsSchema.parse({})],
    ['prolific', ProlificProviderArgsSchema.parse({})],
  ] as const)('says %s is not available yet', (type, args) => {
    const error = thrown(() => createProvider(args, context));
    expect(error).toBeInstanceOf(ProviderNotAvailableError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_TYPE_NOT_AVAILABLE',
      message: `provider type "${type}" is not available in mephisto-ts yet; available: inhouse, mock`,
    });
  });

  it('lists the known types for an unknown type', () => {
    const args = { _provider_type: 'toloka' } as unknown as ProviderArgs;
    const error = thrown(() => createProvider(args, context));
    expect(error).toBeInstanceOf(UnknownProviderTypeError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_UNKNOWN_TYPE',
      message:
        'unknown provider type "toloka"; available: inhouse, mock (not available yet: mturk, mturk_sandbox, prolific)',
    });
  });

  it('takes registrations (which replace "not available yet"), passes the context, refuses duplicates', () => {
    const registry = createProviderRegistry();
    const fake = new MockProvider();
    let seenStore: unknown;
    registry.register('prolific', (args, ctx) => {
      expect(args.prolific_id_option).toBe('url_parameters');
      seenStore = ctx.store;
      return fake;
    });
    expect(createProvider(ProlificProviderArgsSchema.parse({}), context, registry)).toBe(fake);
    expect(seenStore).toBe(UNUSED_STORE);
    expect(registry.notAvailableTypes()).toEqual(['mturk', 'mturk_sandbox']);
    expect(() => registry.register('mock', () => fake)).toThrow(InvalidArgumentError);
    expect(() => createProvider(ProlificProviderArgsSchema.parse({}), context)).toThrow(
      ProviderNotAvailableError,
    );
  });
});
