/**
 * The review app in Chromium against the real review server: a run completed by simulated workers
 * (one submission carries a `<script>`), then a reviewer approves, rejects with feedback and pays a
 * bonus from the app, and watches the live monitor update while more workers submit. Screenshots of
 * the units list, a unit's detail and the monitor are taken; they replace the README's in docs/images/
 * only with MEPHISTO_UPDATE_SCREENSHOTS=1 (otherwise every test run would leave the images changed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseTaskConfig } from '../../src/core/config/task-config.js';
import { ReviewService } from '../../src/review/review-service.js';
import { startReviewServer, type ReviewServer } from '../../src/review/server/review-server.js';
import type { LiveRun } from '../../src/run/index.js';
import { simulateWorkers } from '../../src/script/simulate-workers.js';
import { startServedTaskRun, type ServedTaskRun } from '../../src/script/start-served-task-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ConsoleErrors, describeWithChromium, launchChromium } from './chromium.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const APP_DIR = join(ROOT, 'packages', 'review-app', 'dist');
const IMAGES =
  process.env.MEPHISTO_UPDATE_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'images')
    : join(tmpdir(), `mephisto-ts-screenshots-${process.pid}`);

/** The count in a status badge's text ("Completed (to review) 4" → 4). */
function countIn(text: string | null): number {
  return Number(/(\d+)\s*$/.exec(text ?? '')?.[1] ?? NaN);
}

describeWithChromium('review app in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let store: Store;
  let served: ServedTaskRun;
  let review: ReviewServer;
  let page: Page;
  let errors: ConsoleErrors;

  beforeAll(async () => {
    if (!existsSync(join(APP_DIR, 'index.html'))) {
      execFileSync('npm', ['run', 'build', '-w', '@mephisto-ts/review-app'], { cwd: ROOT, stdio: 'ignore' });
    }
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-review-app-'));
    writeFileSync(join(dir, 'task.html'), '<p>${text}</p><input name="answer">');
    store = await openStore({ kind: 'sqlite', path: join(dir, 'database.db') });
    served = await startServedTaskRun({
      store,
      taskDir: dir,
      dataDir: dir,
      config: parseTaskConfig({
        task_dir: dir,
        mephisto: {
          blueprint: { _blueprint_type: 'static_task', task_source: join(dir, 'task.html') },
          architect: { _architect_type: 'mock' },
          provider: { _provider_type: 'mock' },
          task: {
            task_name: 'review-demo',
            task_title: 'Label sentences',
            task_description: 'Review demo',
            task_reward: 0.25,
            task_tags: 'demo',
          },
        },
      }),
      taskData: Array.from({ length: 12 }, (_, index) => ({ text: `Sentence number ${index + 1}` })),
    });
    // Six units now; the rest while the monitor is open.
    await completeUnits(served.run, 6, (index) =>
      index === 0
        ? { answer: '<script>window.__pwned = 1</script> looks fine' }
        : { answer: `answer ${index}` },
    );
    const service = new ReviewService({ store, dataDir: dir });
    review = await startReviewServer({ service, appDir: APP_DIR, monitorPollMs: 250 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    errors = new ConsoleErrors(page);
    mkdirSync(IMAGES, { recursive: true });
  });

  afterAll(async () => {
    await review.close();
    await served.operator.shutdown();
    await served.close();
    await store.close();
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
    if (process.env.MEPHISTO_UPDATE_SCREENSHOTS !== '1') rmSync(IMAGES, { recursive: true, force: true });
  });

  async function completeUnits(run: LiveRun, count: number, data: (index: number) => unknown): Promise<void> {
    let index = 0;
    await simulateWorkers(run, {
      count,
      behaviour: () => ({ maxUnits: 1, liveUpdate: false, submission: () => data(index++) }),
    }).done;
  }

  it('lists the task and run, approves, rejects with feedback and pays a bonus; a <script> shows as text', async () => {
    await page.goto(review.url);
    const runId = served.run.taskRun.id;
    await page.getByTestId(`run-link-${runId}`).click();
    await page.getByTestId('units-table').waitFor();
    await page.getByTestId('status-chip-completed').click();
    await expect.poll(() => page.locator('[data-testid^="unit-row-"]').count()).toBe(6);
    await page.screenshot({ path: join(IMAGES, 'review-units.png') });

    const units = await store.findUnits({ taskRunId: runId, status: 'completed' });
    const agents = await Promise.all(
      units.map(async (unit) => ({ unit, data: (await store.getAgentSubmission(unit.agentId ?? ''))?.data })),
    );
    const scripted = agents.find((entry) => JSON.stringify(entry.data).includes('<script>'))?.unit;
    const plain = agents.filter((entry) => entry.unit !== scripted).map((entry) => entry.unit);
    if (!scripted || plain.length < 2) throw new Error('expected submissions');

    await page.getByTestId(`unit-open-${scripted.id}`).click();
    const submission = page.getByTestId('unit-submission');
    await submission.waitFor();
    expect(await submission.textContent()).toContain('<script>window.__pwned = 1</script> looks fine');
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: join(IMAGES, 'review-unit-detail.png') });
    await page.getByTestId('unit-approve').click();
    await expect.poll(async () => (await store.getUnit(scripted.id)).status).toBe('accepted');

    const [rejected, bonused] = plain;
    await page.goto(`${review.origin}/#/runs/${runId}/units/${rejected?.id ?? ''}`);
    await page.getByTestId('unit-feedback').fill('The answer does not match the sentence.');
    await page.getByTestId('unit-reject').click();
    await expect.poll(async () => (await store.getUnit(rejected?.id ?? '')).status).toBe('rejected');

    await page.goto(`${review.origin}/#/runs/${runId}/units/${bonused?.id ?? ''}`);
    await page.getByTestId('unit-bonus-amount').fill('0.50');
    await page.getByTestId('unit-bonus-reason').fill('Careful work');
    await page.getByTestId('unit-bonus').click();
    await page.getByTestId('unit-bonus').dblclick();
    await expect
      .poll(
        async () =>
          (await store.findWorkerReviews({ unitId: bonused?.id ?? '' })).filter((r) => (r.bonus ?? 0) > 0)
            .length,
      )
      .toBe(1);
    expect(errors.errors).toEqual([]);
  });

  it('updates the live monitor while workers submit', async () => {
    const runId = served.run.taskRun.id;
    await page.goto(`${review.origin}/#/runs/${runId}/monitor`);
    const connection = page.getByTestId('monitor-connection');
    await expect.poll(() => connection.getAttribute('data-state')).toBe('live');
    const completed = page.getByTestId('monitor-units-by-status-completed').locator('strong');
    const before = await store.countUnits({ taskRunId: runId, status: 'completed' });
    expect(before).toBe(4);
    await expect.poll(async () => countIn(await completed.textContent())).toBe(before);
    await completeUnits(served.run, 4, (index) => ({ answer: `late ${index}` }));
    await expect
      .poll(async () => Number(await completed.textContent()), { timeout: 10_000 })
      .toBe(before + 4);
    await page.screenshot({ path: join(IMAGES, 'review-monitor.png') });
    expect(errors.errors).toEqual([]);
  });
});
