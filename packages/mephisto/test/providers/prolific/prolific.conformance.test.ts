/**
 * The CrowdProvider conformance suite against the Prolific provider on the Prolific fake. The suite's
 * fixtures name runs that are in no database, so the provider keeps its records in memory here; the
 * store-backed tests are in prolific-provider.test.ts.
 */
import { ProlificFake } from '@mephisto-ts/testing/prolific-fake';
import { expect } from 'vitest';
import { ProlificProviderArgsSchema } from '../../../src/core/config/provider-args.js';
import { ProlificProvider } from '../../../src/providers/prolific/prolific-provider.js';
import { MemoryProviderRecords } from '../mturk/memory-provider-records.js';
import { describeProviderConformance } from '../provider-conformance.js';

let lastFakeUrl = '';

describeProviderConformance({
  type: 'prolific',
  sandbox: false,
  create: async () => {
    const fake = await ProlificFake.start();
    lastFakeUrl = fake.url;
    const records = new MemoryProviderRecords();
    const instant = (): Promise<void> => Promise.resolve();
    const provider = new ProlificProvider(
      ProlificProviderArgsSchema.parse({ _provider_type: 'prolific', api_base_url: fake.url }),
      {
        store: records,
        env: { PROLIFIC_API_TOKEN: fake.token },
        clientOptions: { sleep: instant },
        sleep: instant,
      },
    );
    return {
      provider,
      /** Offered: placed in a study (by the provider's records) that is recruiting on Prolific. */
      isOffered: async (unitId) => {
        const record = await records.getProviderRecord('prolific', 'unit', unitId);
        const data = record?.data as { studyId?: string; state?: string } | undefined;
        if (data?.state !== 'placed' || data.studyId === undefined) return false;
        return fake.study(data.studyId)?.status === 'ACTIVE';
      },
      /** The participant starts the study, registers, and comes back with the completion code. */
      submitWork: async (context, work) => {
        const studyId = await provider.currentStudyId(context.taskRun.id);
        if (studyId === null) throw new Error('no study');
        const started = fake.startSubmission(studyId, work.worker.name);
        await provider.registerAgent(context, {
          ...work,
          providerData: {
            worker_name: work.worker.name,
            study_id: studyId,
            session_id: started.submissionId,
          },
        });
        const code = await provider.completionCode(context.taskRun.id);
        expect(fake.completeSubmission(started.submissionId, code ?? '').accepted).toBe(true);
      },
      close: () => fake.close(),
    };
  },
  checkLink: (link) => {
    expect(link).toMatch(new RegExp(`^${lastFakeUrl.replace(/[.]/g, '\\.')}/studies/[0-9a-f]{24}$`));
  },
});
