/**
 * React task pages in Chromium, through the same launch path as `mephisto run` (architect, server,
 * static_react_task's bundle page, the provider's wrap_crowd_source.js):
 * - an app built against the PUBLISHED mephisto-task 2.0.4 package, unmodified, completes a unit;
 * - the examples/static-react-task webapp (on @mephisto-ts/task-client) is built at launch from its
 *   config and completes a unit;
 * - a worker past maximum_units_per_worker sees the specific message;
 * - a file posted as multipart from the page is stored and downloads back byte for byte.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadTaskConfig } from '../../src/config/load-task-config.js';
import { parseTaskConfig, type TaskConfig } from '../../src/core/config/task-config.js';
import { refusalMessage } from '../../src/run/index.js';
import { startServedTaskRun, type ServedTaskRun } from '../../src/script/start-served-task-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ConsoleErrors, describeWithChromium, launchChromium } from './chromium.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));

interface BuildResult {
  outfile: string;
}
type BuildApp = (options: { outfile: string }) => Promise<BuildResult>;

describeWithChromium('React task pages in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let store: Store;
  let publishedBundle: string;
  const runs: ServedTaskRun[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-react-pages-'));
    store = await openStore({ kind: 'sqlite', path: join(dir, 'database.db') });
    const { buildMephistoTask2App } = (await import(join(EXAMPLES, 'mephisto-task-2-app', 'build.mjs'))) as {
      buildMephistoTask2App: BuildApp;
    };
    publishedBundle = (await buildMephistoTask2App({ outfile: join(dir, 'published', 'bundle.js') })).outfile;
  });
  afterAll(async () => {
    for (const run of runs) {
      await run.operator.shutdown();
      await run.close();
    }
    await store.close();
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function publishedAppConfig(name: string, task: Record<string, unknown> = {}): TaskConfig {
    const data = join(dir, `${name}.json`);
    writeFileSync(
      data,
      JSON.stringify([
        { sentence: 'First sentence' },
        { sentence: 'Second sentence' },
        { sentence: 'Third' },
      ]),
    );
    return parseTaskConfig({
      task_dir: dir,
      mephisto: {
        blueprint: { _blueprint_type: 'static_react_task', task_source: publishedBundle, data_json: data },
        architect: { _architect_type: 'local', hostname: '127.0.0.1', port: 0 },
        provider: { _provider_type: 'mock' },
        task: {
          task_name: name,
          task_title: 'Published mephisto-task app',
          task_description: 'An app built against mephisto-task 2.0.4',
          task_reward: 0.01,
          task_tags: 'test',
          ...task,
        },
      },
    });
  }

  async function serve(config: TaskConfig, taskDir: string): Promise<ServedTaskRun> {
    const served = await startServedTaskRun({ store, config, taskDir, dataDir: dir });
    runs.push(served);
    return served;
  }

  async function open(
    url: string,
  ): Promise<{ page: Page; errors: ConsoleErrors; close: () => Promise<void> }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = new ConsoleErrors(page);
    await page.goto(url);
    return { page, errors, close: () => context.close() };
  }

  function mockLink(served: ServedTaskRun, worker: string, assignment: string): string {
    return `${served.url}/?worker_id=${worker}&assignment_id=${assignment}`;
  }

  it('runs an app built against the published mephisto-task 2.0.4, unmodified: data shown, submit stored', async () => {
    const served = await serve(publishedAppConfig('published-app'), dir);
    const { page, errors, close } = await open(mockLink(served, 'alice', 'as-1'));
    const form = page.locator('#task-form');
    await form.waitFor();
    const agentId = (await form.getAttribute('data-agent-id')) ?? '';
    expect(await page.locator('#task-data-sentence').textContent()).toMatch(/sentence|Third/);
    await page.fill('#answer-input', 'looks fine');
    await page.click('#submit-button');
    await page.locator('#task-submitted').waitFor();
    await page.locator('#mephisto-provider-submitted').waitFor();
    await expect
      .poll(async () => (await store.getAgentSubmission(agentId))?.data)
      .toEqual({
        answer: 'looks fine',
        fields_seen: ['sentence'],
      });
    expect(errors.errors).toEqual([]);
    await close();
  });

  it('shows a worker past maximum_units_per_worker the specific message in the published app', async () => {
    const served = await serve(publishedAppConfig('capped-app', { maximum_units_per_worker: 1 }), dir);
    const first = await open(mockLink(served, 'bob', 'as-1'));
    await first.page.locator('#task-form').waitFor();
    await first.page.fill('#answer-input', 'one');
    await first.page.click('#submit-button');
    await first.page.locator('#mephisto-provider-submitted').waitFor();
    await first.close();

    const second = await open(mockLink(served, 'bob', 'as-2'));
    await second.page.locator('#task-blocked').waitFor();
    expect(await second.page.locator('#blocked-explanation').textContent()).toBe(
      refusalMessage('max_for_task', { limit: 1 }),
    );
    expect(second.errors.errors).toEqual([]);
    await second.close();
  });

  it('builds examples/static-react-task from its config at launch and completes a unit with it', async () => {
    const { config, taskDir } = await loadTaskConfig({
      configPath: join(EXAMPLES, 'static-react-task', 'hydra_configs', 'conf', 'example.yaml'),
      overrides: ['mephisto.architect.port=0', 'mephisto.architect.hostname=127.0.0.1'],
    });
    const served = await serve(config, taskDir);
    const { page, errors, close } = await open(`${served.url}/?worker_id=carol&id=as-9`);
    await page.locator('#comment').waitFor();
    const sentence = (await page.locator('blockquote').textContent()) ?? '';
    expect(sentence.length).toBeGreaterThan(0);
    await page.fill('#comment', 'Reads well.');
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/welcome/);
    expect(errors.errors).toEqual([]);
    await close();
    const agents = await store.findAgents({ taskRunId: served.run.taskRun.id });
    const answers = await Promise.all(agents.map((agent) => store.getAgentSubmission(agent.id)));
    expect(answers.map((answer) => answer?.data)).toContainEqual({ comment: 'Reads well.' });
  });

  it('round-trips a file a page posts as multipart: stored with the submission, downloaded byte for byte', async () => {
    const served = await serve(publishedAppConfig('upload-app'), dir);
    const { page, close } = await open(mockLink(served, 'dora', 'as-1'));
    const form = page.locator('#task-form');
    await form.waitFor();
    const agentId = (await form.getAttribute('data-agent-id')) ?? '';
    const bytes = [0, 1, 2, 250, 251, 252, 10, 13, 65];
    const result = await page.evaluate(
      async ({ agentId, bytes }) => {
        const body = new FormData();
        body.append('USED_AGENT_ID', agentId);
        body.append('final_string_data', JSON.stringify({ note: 'with a file' }));
        body.append('attachment', new File([new Uint8Array(bytes)], 'scan é.bin'));
        const submit = await fetch('/submit_task', { method: 'POST', body });
        return { status: submit.status, json: await submit.json() };
      },
      { agentId, bytes },
    );
    expect(result).toEqual({ status: 200, json: { status: 'Submitted!' } });
    const stored = (await store.getAgentSubmission(agentId))?.data as {
      note: string;
      files: { filename: string; originalname: string; size: number }[];
    };
    expect(stored.note).toBe('with a file');
    expect(stored.files).toHaveLength(1);
    const file = stored.files[0];
    expect(file).toMatchObject({ originalname: 'scan é.bin', size: bytes.length });
    const downloaded = await page.evaluate(async (name) => {
      const response = await fetch(`/download_file/${encodeURIComponent(name)}`);
      return [...new Uint8Array(await response.arrayBuffer())];
    }, file?.filename ?? '');
    expect(downloaded).toEqual(bytes);
    await close();
  });
});
