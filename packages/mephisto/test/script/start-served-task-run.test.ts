/**
 * Launching with the worker-facing server: the links the provider hands out point at the address the
 * architect bound, a worker completes the run over HTTP, and closing releases the address. Also the
 * server-less mock architect and a launch that fails half-way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTaskConfig, type TaskConfig } from '../../src/core/config/task-config.js';
import { startServedTaskRun } from '../../src/script/start-served-task-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-served-'));
  writeFileSync(join(dir, 'task.html'), '<p>${text}</p>\n');
  store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(architect: Record<string, unknown>, blueprint: Record<string, unknown> = {}): TaskConfig {
  return parseTaskConfig({
    task_dir: dir,
    mephisto: {
      blueprint: { _blueprint_type: 'static_task', task_source: join(dir, 'task.html'), ...blueprint },
      architect,
      provider: { _provider_type: 'mock' },
      task: {
        task_name: 'served-test',
        task_title: 'Served',
        task_description: 'A run with its server',
        task_reward: 0.01,
        task_tags: 'test',
      },
    },
  });
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('startServedTaskRun', () => {
  it('serves the run on the local architect’s address, which the links name; a worker completes it over HTTP', async () => {
    const served = await startServedTaskRun({
      store,
      config: config({ _architect_type: 'local', hostname: '127.0.0.1', port: 0 }),
      taskDir: dir,
      taskData: [{ text: 'only item' }],
      dataDir: dir,
    });
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(served.run.links()).toEqual([expect.stringMatching(new RegExp(`^${served.url}/\\?worker_id=`))]);
      const config = (await (await fetch(`${served.url}/task_config.json`)).json()) as Record<
        string,
        unknown
      >;
      expect(config).toMatchObject({ html: 'task.html', mephisto_task_version: '2.0.4' });

      const details = (await (
        await post(`${served.url}/request_agent`, {
          provider_data: {
            worker_name: 'alice',
            agent_registration_id: 'a1-alice',
            assignment_id: 'a1',
            provider_type: 'mock',
          },
        })
      ).json()) as { data: { agent_id: string; init_task_data: Record<string, unknown> } };
      expect(details.data.init_task_data).toMatchObject({ text: 'only item' });
      const submit = await post(`${served.url}/submit_task`, {
        USED_AGENT_ID: details.data.agent_id,
        final_data: { answer: 42 },
      });
      expect(submit.status).toBe(200);
      expect((await served.run.ended).reason).toBe('completed');
      expect((await store.getAgentSubmission(details.data.agent_id))?.data).toEqual({ answer: 42 });
    } finally {
      await served.operator.shutdown();
      await served.close();
    }
    await expect(fetch(`${served.url}/is_alive`)).rejects.toThrow();
  });

  it('serves nothing with the mock architect without a server, and links still name a URL', async () => {
    const served = await startServedTaskRun({
      store,
      config: config({ _architect_type: 'mock', port: 4999 }),
      taskDir: dir,
      taskData: [{ text: 'x' }],
    });
    try {
      expect(served.server).toBeUndefined();
      expect(served.url).toBe('http://localhost:4999');
      expect(served.run.links()[0]).toMatch(/^http:\/\/localhost:4999\/\?worker_id=/);
    } finally {
      await served.operator.shutdown();
      await served.close();
    }
  });

  it('releases the bound address when the launch fails', async () => {
    const cfg = config(
      { _architect_type: 'local', hostname: '127.0.0.1', port: 0 },
      { task_source: join(dir, 'missing.html') },
    );
    await expect(
      startServedTaskRun({ store, config: cfg, taskDir: dir, taskData: [{ text: 'x' }] }),
    ).rejects.toMatchObject({
      code: 'MEPHISTO_ERR_TASK_FILE_NOT_FOUND',
    });
  });
});
