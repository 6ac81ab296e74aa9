/**
 * static_task's built-in page in a real browser (Chromium), against createTaskServer over a real
 * LiveRun of a real StaticHtmlBlueprint: workers open their links, see their unit's data (escaped),
 * fill and submit the form, and the data is in the store; a second worker gets another unit; a reload
 * shows the same unit; a worker over allowed_concurrent, a preview, failures, and the in-house
 * sign-in form each show what they should. Any console error a test did not expect fails it.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { StaticHtmlBlueprint } from '../../src/blueprints/static-html/static-html-blueprint.js';
import type { CrowdProvider } from '../../src/providers/crowd-provider.js';
import { InhouseProvider } from '../../src/providers/inhouse/inhouse-provider.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { Operator, refusalMessage, type LiveRun } from '../../src/run/index.js';
import { createTaskServer } from '../../src/server/index.js';
import { buildStaticSite } from '../../src/server/static/static-site.js';
import { staticTaskArgs, TempTaskDir } from '../blueprints/task-data-files.js';
import { makeConfig } from '../run/engine-fakes.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';
import { ConsoleErrors, describeWithChromium, launchChromium } from './chromium.js';

const MEMORY = STORE_TARGETS.find((t) => t.name === 'sqlite-memory');
if (!MEMORY) throw new Error('no sqlite-memory store target');

/** Task data is untrusted: the first item tries to inject markup. */
const ITEMS = [
  { text: '<img src=x onerror="window.injected=1">Alpha & "beta"' },
  { text: 'Second item' },
  { text: 'Third item' },
];

const TASK_HTML = `<p>Rate this: <b id="text">\${text}</b></p>
<p id="unknown">\${not_in_data}</p>
<p id="agent">\${mephisto_agent_id}</p>
<label>Rating <input id="rating" name="rating"></label>
<label><input type="checkbox" id="tag-a" name="tags" value="a"> a</label>
<label><input type="checkbox" id="tag-b" name="tags" value="b"> b</label>
<span id="script-target"></span>
<script>document.getElementById('script-target').textContent = 'task script ran';</script>
`;

const PREVIEW_HTML = '<p id="preview">Preview: you will rate sentences.</p>';

interface Served {
  run: LiveRun;
  url: string;
  /** The provider's link for each launched unit, pointed at the real server. */
  links: string[];
  app: FastifyInstance;
}

describeWithChromium('static_task page in Chromium', () => {
  const h = useStore(MEMORY);
  const dir = new TempTaskDir();
  dir.write('task.html', TASK_HTML);
  dir.write('preview.html', PREVIEW_HTML);
  dir.write('data.json', JSON.stringify(ITEMS));

  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const consoles: ConsoleErrors[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
    dir.remove();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    const errors = consoles.splice(0).flatMap((c) => c.errors);
    expect(errors, 'console errors in the page').toEqual([]);
  });

  async function serve(provider: CrowdProvider, task: Record<string, unknown> = {}): Promise<Served> {
    const blueprint = new StaticHtmlBlueprint(
      staticTaskArgs({ data_json: 'data.json', preview_source: 'preview.html' }),
      { taskDir: dir.path },
    );
    const operator = new Operator({ store: h.store, clock: h.clock, scheduler: h.clock });
    const run = await operator.launch({
      config: makeConfig({ task, providerType: provider.type }),
      taskDir: dir.path,
      blueprint,
      provider,
    });
    cleanups.push(() => operator.shutdown());
    const site = buildStaticSite({ blueprint, provider, taskDir: dir.path });
    const app = createTaskServer({ liveRun: run, logger: pino({ level: 'silent' }), clock: h.clock, site });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const url = `http://127.0.0.1:${address.port}`;
    const links = run.links().map((link) => {
      const real = new URL(link);
      return `${url}/${real.search}`;
    });
    return { run, url, links, app };
  }

  async function newPage(): Promise<{ page: Page; errors: ConsoleErrors }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const errors = new ConsoleErrors(page);
    consoles.push(errors);
    return { page, errors };
  }

  /** The mock link of unit `index` opened as worker `worker`. */
  function linkFor(served: Served, index: number, worker: string): string {
    const link = served.links[index];
    if (link === undefined) throw new Error(`no link ${index}`);
    const url = new URL(link);
    url.searchParams.set('worker_id', worker);
    return url.toString();
  }

  async function status(page: Page): Promise<{ kind: string | null; code: string | null; text: string }> {
    const el = page.locator('#mephisto-status');
    return {
      kind: await el.getAttribute('data-kind'),
      code: await el.getAttribute('data-code'),
      text: (await el.textContent()) ?? '',
    };
  }

  async function waitForTask(page: Page): Promise<void> {
    await page.locator('#html-task-submit-button').waitFor({ state: 'visible' });
  }

  it('a worker sees their unit, escaped; submits the form; the data is in the store', async () => {
    const served = await serve(new MockProvider(), { allowed_concurrent: 1 });
    const { page } = await newPage();
    await page.goto(linkFor(served, 0, 'w1'));
    await waitForTask(page);

    const shown = await page.locator('#text').textContent();
    expect(ITEMS.map((i) => i.text)).toContain(shown);
    // Markup in the data is shown as text, never run.
    expect(await page.locator('#mephisto-task-content img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { injected?: number }).injected)).toBeUndefined();
    expect(await page.locator('#unknown').textContent()).toBe('${not_in_data}');
    expect(await page.locator('#script-target').textContent()).toBe('task script ran');
    const agentId = (await page.locator('#agent').textContent()) ?? '';
    expect((await h.store.getAgent(agentId)).status).toBe('in task');

    await page.fill('#rating', '5');
    await page.check('#tag-a');
    await page.check('#tag-b');
    await page.click('#html-task-submit-button');
    await page.locator('#mephisto-provider-submitted').waitFor();
    expect(await status(page)).toEqual({
      kind: 'submitted',
      code: null,
      text: 'Thank you: your work has been submitted.',
    });
    expect(await page.locator('#mephisto-form').isHidden()).toBe(true);
    const submission = await h.store.getAgentSubmission(agentId);
    expect(submission?.data).toEqual({ rating: '5', tags: ['a', 'b'] });
    expect((await h.store.getAgent(agentId)).status).toBe('completed');
  });

  it('a second worker gets another unit; a reload mid-task shows the same unit', async () => {
    const served = await serve(new MockProvider());
    const first = await newPage();
    await first.page.goto(linkFor(served, 0, 'w1'));
    await waitForTask(first.page);
    const firstText = await first.page.locator('#text').textContent();
    const firstAgent = await first.page.locator('#agent').textContent();

    const second = await newPage();
    await second.page.goto(linkFor(served, 1, 'w2'));
    await waitForTask(second.page);
    expect(await second.page.locator('#text').textContent()).not.toBe(firstText);
    expect(await second.page.locator('#agent').textContent()).not.toBe(firstAgent);

    await first.page.fill('#rating', 'half-done');
    await first.page.reload();
    await waitForTask(first.page);
    expect(await first.page.locator('#text').textContent()).toBe(firstText);
    expect(await first.page.locator('#agent').textContent()).toBe(firstAgent);
    expect(await h.store.findAgents({ taskRunId: served.run.taskRun.id })).toHaveLength(2);
  });

  it('a worker over allowed_concurrent is told so, in plain words', async () => {
    const served = await serve(new MockProvider(), { allowed_concurrent: 1 });
    const held = await newPage();
    await held.page.goto(linkFor(served, 0, 'w1'));
    await waitForTask(held.page);

    const other = await newPage();
    await other.page.goto(linkFor(served, 1, 'w1'));
    await other.page.locator('#mephisto-status[data-kind="refused"]').waitFor();
    expect(await status(other.page)).toEqual({
      kind: 'refused',
      code: 'too_many_concurrent',
      text: refusalMessage('too_many_concurrent', { held: 1 }),
    });
    expect(await other.page.locator('#mephisto-form').isHidden()).toBe(true);
  });

  it('without a worker the page is a preview: the preview HTML, no submit, no agent', async () => {
    const served = await serve(new MockProvider());
    const { page } = await newPage();
    const link = new URL(linkFor(served, 0, 'w1'));
    link.searchParams.delete('worker_id');
    await page.goto(link.toString());
    await page.locator('#preview').waitFor();
    expect(await page.locator('#html-task-submit-button').isVisible()).toBe(false);
    expect(await page.locator('#mephisto-status').isHidden()).toBe(true);
    expect(await h.store.findAgents({ taskRunId: served.run.taskRun.id })).toHaveLength(0);
  });

  it("failures are plain messages: an unreachable server, a submit refused with the server's reason", async () => {
    const served = await serve(new MockProvider());
    const unreachable = await newPage();
    unreachable.errors.allow(/Failed to load resource: net::ERR_FAILED/);
    await unreachable.page.route('**/request_agent', (route) => route.abort());
    await unreachable.page.goto(linkFor(served, 0, 'w1'));
    await unreachable.page.locator('#mephisto-status[data-kind="error"]').waitFor();
    expect(await status(unreachable.page)).toEqual({
      kind: 'error',
      code: 'unreachable',
      text:
        'Could not get a task for you: the task server cannot be reached. Check your internet ' +
        'connection, then reload this page.',
    });

    const { page, errors } = await newPage();
    errors.allow(/Failed to load resource: the server responded with a status of 409/);
    await page.goto(linkFor(served, 1, 'w2'));
    await waitForTask(page);
    const agentId = (await page.locator('#agent').textContent()) ?? '';
    // Another tab submits the unit first: this page's submit is refused.
    await served.run.submitUnit(agentId, { from: 'elsewhere' });
    await page.click('#html-task-submit-button');
    await page.locator('#mephisto-status[data-kind="error"]').waitFor();
    const refused = await status(page);
    expect(refused.code).toBe('MEPHISTO_ERR_AGENT_NOT_LIVE');
    expect(refused.text).toMatch(/^Your work was not submitted: .*agent/);
    expect(await page.locator('#html-task-submit-button').isEnabled()).toBe(true);
    expect((await h.store.getAgentSubmission(agentId))?.data).toEqual({ from: 'elsewhere' });
  });

  it('in-house: a link without a worker asks for a name, checks it, then shows the task; submit goes to /welcome', async () => {
    const served = await serve(new InhouseProvider({ _provider_type: 'inhouse', ui_base_url: '' }));
    const { page } = await newPage();
    await page.goto(`${served.url}/?id=shared-link&lang=en`);
    const login = page.locator('#mephisto-login');
    await login.waitFor();
    await page.click('#mephisto-login-submit');
    expect(await page.locator('#mephisto-login-error').textContent()).toBe('Please enter your name.');
    await page.fill('#mephisto-login-name', 'Ada Lovelace');
    await page.click('#mephisto-login-submit');
    expect(await page.locator('#mephisto-login-error').textContent()).toBe(
      'Please use only letters, digits, dots, dashes, underscores or @ (no spaces).',
    );
    await page.fill('#mephisto-login-name', 'x'.repeat(65));
    await page.click('#mephisto-login-submit');
    expect(await page.locator('#mephisto-login-error').textContent()).toBe(
      'Please use at most 64 characters.',
    );
    expect(await h.store.findAgents({ taskRunId: served.run.taskRun.id })).toHaveLength(0);

    await page.fill('#mephisto-login-name', ' ada.l ');
    await Promise.all([page.waitForURL(/worker_id=ada\.l/), page.click('#mephisto-login-submit')]);
    const params = new URL(page.url()).searchParams;
    expect(Object.fromEntries(params)).toEqual({ id: 'shared-link', lang: 'en', worker_id: 'ada.l' });
    await waitForTask(page);
    expect(await login.count()).toBe(0);
    expect(ITEMS.map((i) => i.text)).toContain(await page.locator('#text').textContent());
    const agentId = (await page.locator('#agent').textContent()) ?? '';
    const worker = await h.store.getWorker((await h.store.getAgent(agentId)).workerId);
    expect(worker.name).toBe('ada.l');

    await page.fill('#rating', '4');
    await Promise.all([
      page.waitForURL(/\/welcome\?worker_id=ada\.l$/),
      page.click('#html-task-submit-button'),
    ]);
    await page.locator('#mephisto-more-work').waitFor();
    expect(await page.locator('#mephisto-more-work-link').getAttribute('href')).toBe('/?worker_id=ada.l');
    expect((await h.store.getAgentSubmission(agentId))?.data).toEqual({ rating: '4' });
  });
});
