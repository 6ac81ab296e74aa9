/**
 * An MTurk sandbox run end to end in Chromium, with the MTurk fake standing in for MTurk: the run is
 * launched as `mephisto run` launches it (startServedTaskRun, the local architect, provider
 * `mturk_sandbox` pointed at the fake), so the HITs frame the real server. A worker previews a HIT (the
 * page shows the preview), accepts it (the fake gives the URL MTurk would open), completes the static
 * task; the page posts MTurk's form to the fake's externalSubmit, the assignment is Submitted on "MTurk"
 * and the unit completed in the store. Shutting the run down withdraws the HIT nobody took.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MturkFake } from '@mephisto-ts/testing/mturk-fake';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { parseTaskConfig } from '../../src/core/config/task-config.js';
import { startServedTaskRun, type ServedTaskRun } from '../../src/script/start-served-task-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ConsoleErrors, describeWithChromium, launchChromium } from './chromium.js';

const KEYS = { accessKeyId: 'AKIDMTURKBROWSER', secretAccessKey: 'browser-test-secret' };

const TASK_HTML = `<p>Rate this: <b id="text">\${text}</b></p>
<label>Rating <input id="rating" name="rating"></label>
`;
const PREVIEW_HTML = '<p id="preview">Preview: you will rate sentences.</p>';

describeWithChromium('MTurk sandbox run in Chromium (MTurk fake)', () => {
  let browser: Browser;
  let dir: string;
  let store: Store;
  let fake: MturkFake;
  let served: ServedTaskRun | undefined;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-mturk-browser-'));
    writeFileSync(join(dir, 'task.html'), TASK_HTML);
    writeFileSync(join(dir, 'preview.html'), PREVIEW_HTML);
    store = await openStore({ kind: 'sqlite', path: join(dir, 'database.db') });
    // MTurk runs bill a registered requester (the mock and inhouse providers make one on first use).
    await store.createRequester({ name: 'sandbox-requester', providerType: 'mturk_sandbox' });
    fake = await MturkFake.start({ credentials: [KEYS] });
    // The provider reads AWS keys as in production: from the environment.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'] as const)
      saved[name] = process.env[name];
    process.env.AWS_ACCESS_KEY_ID = KEYS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = KEYS.secretAccessKey;
    delete process.env.AWS_PROFILE;
  });
  afterEach(async () => {
    if (served !== undefined) {
      await served.operator.shutdown();
      await served.close();
      served = undefined;
    }
    await fake.close();
    await store.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function launch(): Promise<ServedTaskRun> {
    const config = parseTaskConfig({
      task_dir: dir,
      mephisto: {
        blueprint: {
          _blueprint_type: 'static_task',
          task_source: join(dir, 'task.html'),
          preview_source: join(dir, 'preview.html'),
        },
        architect: { _architect_type: 'local', hostname: '127.0.0.1', port: 0 },
        provider: { _provider_type: 'mturk_sandbox', endpoint: fake.endpoint, frame_height: 600 },
        task: {
          task_name: 'mturk-browser',
          task_title: 'Rate sentences',
          task_description: 'Say how well each sentence reads.',
          task_reward: 0.3,
          task_tags: 'rating,sentences',
        },
      },
    });
    served = await startServedTaskRun({
      store,
      config,
      taskDir: dir,
      taskData: [{ text: 'First sentence' }, { text: 'Second sentence' }],
      dataDir: dir,
    });
    return served;
  }

  it('preview, accept, work, submit to MTurk: Submitted on MTurk, completed in the store', async () => {
    const run = await launch();
    const hits = fake.hits();
    expect(hits).toHaveLength(2);
    for (const hit of hits) {
      expect(hit.externalUrl).toBe(run.url);
      expect(hit.frameHeight).toBe(600);
      expect(hit.status).toBe('Assignable');
    }
    const group = hits[0]?.groupId ?? '';
    expect(run.run.links()).toEqual([
      `https://workersandbox.mturk.com/mturk/preview?groupId=${group}`,
      `https://workersandbox.mturk.com/mturk/preview?groupId=${group}`,
    ]);
    const hitId = hits[0]?.id ?? '';

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors = new ConsoleErrors(page);
      // Chromium asks the fake for a favicon after the submit lands there.
      errors.allow(/Failed to load resource: the server responded with a status of 404/);

      await page.goto(fake.previewUrl(hitId));
      await page.locator('#preview').waitFor();
      expect(await page.locator('#html-task-submit-button').isVisible()).toBe(false);
      expect(await store.findAgents({ taskRunId: run.run.taskRun.id })).toHaveLength(0);

      const accepted = fake.acceptHit(hitId, 'A1BROWSERWORKER');
      await page.goto(accepted.url);
      await page.locator('#html-task-submit-button').waitFor({ state: 'visible' });
      const shown = (await page.locator('#text').textContent()) ?? '';
      expect(['First sentence', 'Second sentence']).toContain(shown);
      await page.fill('#rating', '5');
      await page.click('#html-task-submit-button');
      // The page posts MTurk's form to turkSubmitTo: the fake's confirmation is what the worker sees.
      await page.locator('#mturk-submitted').waitFor();
      expect(new URL(page.url()).pathname).toBe('/mturk/externalSubmit');
      expect(errors.errors).toEqual([]);

      const assignment = fake.assignment(accepted.assignmentId);
      expect(assignment.state).toBe('Submitted');
      expect(assignment.workerId).toBe('A1BROWSERWORKER');
      expect(Object.fromEntries(assignment.answers)).toMatchObject({
        rating: '5',
        workerId: 'A1BROWSERWORKER',
      });
      expect(fake.hit(hitId).status).toBe('Reviewable');

      const [agent] = await store.findAgents({ taskRunId: run.run.taskRun.id });
      expect(agent?.status).toBe('completed');
      expect((await store.getAgentSubmission(agent?.id ?? ''))?.data).toEqual({ rating: '5' });
      const unit = await store.getUnit(agent?.unitId ?? '');
      expect(unit.status).toBe('completed');
      const worker = await store.getWorker(agent?.workerId ?? '');
      expect(worker.name).toBe('A1BROWSERWORKER_sandbox');
      // The provider knows the agent's MTurk assignment (for approval and bonuses), and which HIT serves which unit.
      const record = await store.getProviderRecord('mturk_sandbox', 'agent', agent?.id ?? '');
      expect(record?.data).toMatchObject({
        assignmentId: accepted.assignmentId,
        hitId,
        mturkWorkerId: 'A1BROWSERWORKER',
      });
      const served = await store.getProviderRecord('mturk_sandbox', 'unit', unit.id);
      expect(served?.data).toMatchObject({ hitId });
    } finally {
      await context.close();
    }

    // Shutting down withdraws the HIT nobody took; the submitted one is left as it is.
    await run.operator.shutdown();
    const open = fake.hits().filter((hit) => hit.status === 'Assignable');
    expect(open).toEqual([]);
  });
});
