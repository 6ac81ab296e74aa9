/**
 * The README's quick start, in a browser: the examples/static-html-task config launched the way
 * `mephisto run` launches it (architect, server, in-house provider, SQLite), three people open the
 * printed link in Chromium, sign in, and do the units; the run then completes with every answer stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { startServedTaskRun } from '../../src/script/start-served-task-run.js';
import { openStore } from '../../src/store/open-store.js';
import { ConsoleErrors, describeWithChromium, launchChromium } from './chromium.js';

const CONFIG = fileURLToPath(
  new URL('../../../../examples/static-html-task/hydra_configs/conf/example.yaml', import.meta.url),
);

describeWithChromium('quick start: the static HTML example in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-quick-start-'));
  });
  afterAll(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three workers open the printed link, sign in, do every unit, and the run completes', async () => {
    const { config, taskDir } = await loadTaskConfig({
      configPath: CONFIG,
      overrides: ['mephisto.architect.port=0', 'mephisto.architect.hostname=127.0.0.1'],
    });
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'database.db') });
    const served = await startServedTaskRun({ store, config, taskDir, dataDir: dir });
    try {
      const links = served.run.links();
      expect(links).toHaveLength(3);
      const link = links[0] ?? '';
      expect(link).toContain('worker_id=WORKER_USERNAME');

      const seen: string[] = [];
      for (const name of ['ada', 'grace', 'edsger']) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const errors = new ConsoleErrors(page);
        await page.goto(link);
        await page.fill('#mephisto-login-name', name);
        await page.click('#mephisto-login-submit');
        const sentence = page.locator('#sentence');
        await sentence.waitFor();
        seen.push((await sentence.textContent()) ?? '');
        await page.check('input[name="tone"][value="neutral"]');
        await page.fill('#reason', `${name} thinks it is plain`);
        await page.click('#html-task-submit-button');
        await page.waitForURL(/\/welcome/);
        expect(errors.errors).toEqual([]);
        await context.close();
      }
      expect(new Set(seen).size).toBe(3);

      const end = await served.run.ended;
      expect(end.reason).toBe('completed');
      const units = await store.findUnits({ taskRunId: served.run.taskRun.id });
      expect(units.map((unit) => unit.status)).toEqual(['completed', 'completed', 'completed']);
      const agents = await store.findAgents({ taskRunId: served.run.taskRun.id });
      const answers = await Promise.all(agents.map((agent) => store.getAgentSubmission(agent.id)));
      expect(answers.map((answer) => answer?.data)).toEqual(
        expect.arrayContaining([
          { tone: 'neutral', reason: 'ada thinks it is plain' },
          { tone: 'neutral', reason: 'grace thinks it is plain' },
          { tone: 'neutral', reason: 'edsger thinks it is plain' },
        ]),
      );
    } finally {
      await served.operator.shutdown();
      await served.close();
      await store.close();
    }
  });
});
