import { describe, expect, it } from 'vitest';
import type { InhouseProviderArgs } from '../../src/core/config/provider-args.js';
import { InhouseProviderArgsSchema } from '../../src/core/config/provider-args.js';
import { InhouseProvider } from '../../src/providers/inhouse/inhouse-provider.js';
import { linkWithQuery } from '../../src/providers/provider-links.js';
import { testRunContext, testUnits, testWorker } from './provider-fixtures.js';

function inhouse(fields: Record<string, unknown> = {}): InhouseProvider {
  const args: InhouseProviderArgs = InhouseProviderArgsSchema.parse(fields);
  return new InhouseProvider(args);
}

describe('inhouse provider', () => {
  it('is not a sandbox and keeps worker names as given', () => {
    const provider = inhouse();
    expect(provider.sandbox).toBe(false);
    expect(provider.workerName('jane.doe')).toBe('jane.doe');
  });

  it('links units by assignment, with the WORKER_USERNAME placeholder, as Mephisto logs them', async () => {
    const provider = inhouse({ ui_base_url: 'https://tasks.example.org/' });
    const context = testRunContext();
    const units = testUnits(2, context, '2000777');
    const links = await provider.launchUnits(context, units);
    for (const unit of units) {
      expect(links.get(unit.id)).toBe('https://tasks.example.org/?worker_id=WORKER_USERNAME&id=2000777');
    }
  });

  it("uses the server's address while ui_base_url keeps its default, and an explicit one otherwise", () => {
    expect(inhouse().linkBase('http://127.0.0.1:51234')).toBe('http://127.0.0.1:51234');
    expect(inhouse({ ui_base_url: '' }).linkBase('http://127.0.0.1:51234')).toBe('http://127.0.0.1:51234');
    expect(inhouse().linkBase('')).toBe('http://localhost:3000');
    expect(inhouse({ ui_base_url: 'http://localhost:8080' }).linkBase('http://127.0.0.1:51234')).toBe(
      'http://localhost:8080',
    );
  });

  it('has no blocks of its own', async () => {
    expect(await inhouse().isWorkerBlocked(testWorker('jane.doe', 'inhouse'))).toBe(false);
  });
});

describe('linkWithQuery', () => {
  it('appends after ?, or after & when the base already has a query', () => {
    expect(linkWithQuery('http://h/p', { a: '1', b: 'x y' })).toBe('http://h/p?a=1&b=x%20y');
    expect(linkWithQuery('http://h/p?lang=en', { a: '1' })).toBe('http://h/p?lang=en&a=1');
    expect(linkWithQuery('http://h/p?', { a: '1' })).toBe('http://h/p?a=1');
    expect(linkWithQuery('http://h/p?x=1&', { a: '1' })).toBe('http://h/p?x=1&a=1');
  });
});
