/** Runs the CrowdProvider conformance suite against every built-in provider. */
import { expect } from 'vitest';
import { InhouseProviderArgsSchema } from '../../src/core/config/provider-args.js';
import { InhouseProvider } from '../../src/providers/inhouse/inhouse-provider.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { describeProviderConformance } from './provider-conformance.js';

describeProviderConformance({
  type: 'mock',
  sandbox: true,
  create: () => {
    const provider = new MockProvider();
    return { provider, isOffered: (unitId) => provider.offeredUnitIds.has(unitId) };
  },
  checkLink: (link, unit, context) => {
    expect(link).toBe(`${context.serverUrl}/?worker_id=x&assignment_id=${unit.id}`);
  },
});

describeProviderConformance({
  type: 'inhouse',
  sandbox: false,
  create: () => ({ provider: new InhouseProvider(InhouseProviderArgsSchema.parse({})) }),
  checkLink: (link, unit, context) => {
    expect(link).toBe(`${context.serverUrl}?worker_id=WORKER_USERNAME&id=${unit.assignmentId}`);
  },
});
