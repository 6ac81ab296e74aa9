/** The CrowdProvider conformance suite against the MTurk providers, live and sandbox, on the MTurk fake. */
import { expect } from 'vitest';
import { describeProviderConformance } from '../provider-conformance.js';
import { isOffered, startMturkHarness, submitWork } from './mturk-test-kit.js';

for (const type of ['mturk_sandbox', 'mturk'] as const) {
  describeProviderConformance({
    type,
    sandbox: type === 'mturk_sandbox',
    create: async () => {
      const h = await startMturkHarness({ type });
      return {
        provider: h.provider,
        isOffered: (unitId) => isOffered(h, unitId),
        submitWork: async (context, work) => {
          await submitWork(h, context, work);
        },
        close: () => h.close(),
      };
    },
    checkLink: (link) => {
      const site = type === 'mturk_sandbox' ? 'https://workersandbox.mturk.com' : 'https://worker.mturk.com';
      expect(link).toMatch(
        new RegExp(`^${site.replace(/\./g, '\\.')}/mturk/preview\\?groupId=[A-Z0-9]{30}$`),
      );
    },
  });
}
