/**
 * A Prolific run end to end in Chromium: a static_task run launched as `mephisto run` launches it (local
 * architect, task server, SQLite) with the Prolific provider pointed at the Prolific fake. The fake's
 * participant opens the study (its start page, then the study URL with their ids filled in), does the
 * task, and the wrapper sends the browser to the fake's completion page with the run's code: the fake's
 * submission is then AWAITING REVIEW with that code, and the unit is completed in the store.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProlificFake } from '@mephisto-ts/testing/prolific-fake';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseTaskConfig } from '../../src/core/config/task-config.js';
import { ProlificProvider } from '../../src/providers/prolific/prolific-provider.js';
import { startServedTaskRun } from '../../src/script/start-served-task-run.js';
import { openStore } from '../../src/store/open-store.js';
import { ConsoleErrors, describeWithChromium, launchChromium } from './chromium.js';

const TASK_HTML = `<p>Rate this: <b id="text">\${text}</b></p>
<label>Rating <input id="rating" name="rating"></label>
`;

describeWithChromium('Prolific provider in Chromium, against the Prolific fake', () => {
  let browser: Browser;
  let dir: string;
  let fake: ProlificFake;
  const previousToken = process.env.PROLIFIC_API_TOKEN;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-prolific-browser-'));
    fake = await ProlificFake.start();
    // The provider reads its token from the environment, as `mephisto run` does.
    process.env.PROLIFIC_API_TOKEN = fake.token;
  });
  afterAll(async () => {
    if (previousToken === undefined) delete process.env.PROLIFIC_API_TOKEN;
    else process.env.PROLIFIC_API_TOKEN = previousToken;
    await fake.close();
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a participant opens the study, does the task and lands on the completion page with the code', async () => {
    writeFileSync(join(dir, 'task.html'), TASK_HTML);
    writeFileSync(join(dir, 'data.json'), JSON.stringify([{ text: 'The sky is green.' }]));
    const config = parseTaskConfig({
      mephisto: {
        blueprint: {
          _blueprint_type: 'static_task',
          task_source: join(dir, 'task.html'),
          data_json: join(dir, 'data.json'),
        },
        architect: { _architect_type: 'local', hostname: '127.0.0.1', port: 0 },
        provider: { _provider_type: 'prolific', api_base_url: fake.url },
        task: {
          task_name: 'prolific-browser',
          task_title: 'Rate a sentence',
          task_description: 'Say how well one sentence reads.',
          task_reward: 0.4,
          task_tags: 'prolific,test',
        },
      },
      task_dir: dir,
    });
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'database.db') });
    await store.createRequester({ name: 'prolific-requester', providerType: 'prolific' });
    const served = await startServedTaskRun({ store, config, taskDir: dir, dataDir: dir });
    try {
      const provider = served.run.provider;
      if (!(provider instanceof ProlificProvider)) throw new Error('the run has no Prolific provider');
      const code = await provider.completionCode(served.run.taskRun.id);
      const [study] = fake.studies();
      expect(study).toMatchObject({
        status: 'ACTIVE',
        total_available_places: 1,
        reward: 40,
        name: 'Rate a sentence',
      });
      expect(served.run.links()).toEqual([`${fake.url}/studies/${String(study?.id)}`]);

      const started = fake.startSubmission(String(study?.id), 'PARTICIPANT0001');
      expect(started.url.startsWith(served.url)).toBe(true);
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = new ConsoleErrors(page);
      await page.goto(started.startUrl);
      await page.locator('#html-task-submit-button').waitFor({ state: 'visible' });
      expect(await page.locator('#text').textContent()).toBe('The sky is green.');
      await page.fill('#rating', '2');
      await page.click('#html-task-submit-button');
      await page.waitForURL((url) => url.pathname === '/submissions/complete');
      expect(page.url()).toBe(fake.completionUrl(code ?? ''));
      expect(await page.locator('#prolific-complete').textContent()).toBe('Submission complete');
      expect(errors.errors).toEqual([]);
      await context.close();

      expect(fake.completions).toEqual([
        expect.objectContaining({ code, submissionId: started.submissionId, accepted: true }),
      ]);
      expect(fake.submissions()[0]).toMatchObject({
        id: started.submissionId,
        participant_id: 'PARTICIPANT0001',
        status: 'AWAITING REVIEW',
        entered_code: code,
      });
      const units = await store.findUnits({ taskRunId: served.run.taskRun.id });
      expect(units.map((unit) => unit.status)).toEqual(['completed']);
      const [agent] = await store.findAgents({ taskRunId: served.run.taskRun.id });
      const worker = await store.getWorker(agent?.workerId ?? '');
      expect(worker.name).toBe('PARTICIPANT0001');
      expect((await store.getAgentSubmission(agent?.id ?? ''))?.data).toEqual({ rating: '2' });
      const end = await served.run.ended;
      expect(end.reason).toBe('completed');
    } finally {
      await served.operator.shutdown();
      await served.close();
      await store.close();
    }
    // The run is over: its study no longer recruits (stopped, awaiting the review of its submission).
    expect(fake.studies()[0]?.status).toBe('AWAITING REVIEW');
    expect(fake.requestsTo('studies.transition').length).toBeGreaterThanOrEqual(1);
  });
});
