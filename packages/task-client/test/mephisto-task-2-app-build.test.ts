// @vitest-environment happy-dom
/**
 * The example task page written against the published mephisto-task 2.0.4 bundles for the browser:
 * React 18 and mephisto-task from the example's own node_modules, nothing left to `require()`. Built
 * with its `mephisto-task` import answered by this package instead (the swap a user makes), the same
 * page runs its whole flow on React 18 against a fake server.
 */
import { fireEvent, waitFor } from '@testing-library/react';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildMephistoTask2App } from '../../../examples/mephisto-task-2-app/build.mjs';
import { agentDetails, FakeTaskServer, json } from './support/fake-task-server.js';
import { installWrapper } from './support/provider-wrapper.js';

const outDir = mkdtempSync(join(tmpdir(), 'mephisto-task-2-app-'));
const LEFTOVER_REQUIRE = /(?<![\w$.])require\s*\(/;

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});
afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

describe('examples/mephisto-task-2-app build', () => {
  it('bundles the app with React 18 and the unmodified mephisto-task, with no require() left', async () => {
    const built = await buildMephistoTask2App({ outfile: join(outDir, 'published.js') });
    expect(built.warnings).toEqual([]);
    for (const input of [
      'node_modules/mephisto-task/build/bundle.js',
      'node_modules/react/index.js',
      'node_modules/react-dom/client.js',
      'src/task-app.jsx',
      'src/main.jsx',
    ]) {
      expect(built.inputs).toContain(input);
    }
    const bundle = readFileSync(built.outfile, 'utf8');
    expect(bundle.length).toBe(built.bytes);
    expect(bundle).not.toMatch(LEFTOVER_REQUIRE);
    expect(bundle).not.toContain('process.env');
    expect(bundle).toContain('18.3.1'); // React's version
    expect(bundle).toContain('mephisto_task_version'); // mephisto-task's config request
    for (const id of ['task-blocked', 'blocked-explanation', 'task-data', 'answer-input', 'submit-button']) {
      expect(bundle).toContain(id);
    }
  });

  it('the same app, with the import answered by @mephisto-ts/task-client, runs on React 18', async () => {
    const built = await buildMephistoTask2App({
      outfile: join(outDir, 'swapped.js'),
      taskLibrary: 'task-client',
    });
    expect(built.inputs).not.toContain('node_modules/mephisto-task/build/bundle.js');
    expect(built.inputs).toContain('../../packages/task-client/src/index.ts');
    const bundle = readFileSync(built.outfile, 'utf8');
    expect(bundle).not.toMatch(LEFTOVER_REQUIRE);

    const server = new FakeTaskServer().install();
    server.on('POST', '/request_agent', () =>
      json(agentDetails({ worker_id: 'w1', agent_id: 'a1', init_task_data: { text: 'Is the sky blue?' } })),
    );
    const wrapper = installWrapper();
    document.body.innerHTML = '<div id="app"></div>';
    // The bundle is an IIFE for a page's <script>: run it in this (happy-dom) page's global scope.
    runInThisContext(bundle, { filename: built.outfile });

    await waitFor(() => {
      expect(document.getElementById('task-data-text')?.textContent).toBe('Is the sky blue?');
    });
    expect(document.getElementById('task-form')?.getAttribute('data-agent-id')).toBe('a1');
    fireEvent.change(document.getElementById('answer-input') as HTMLInputElement, {
      target: { value: 'yes' },
    });
    document.getElementById('submit-button')?.click();
    await waitFor(() => {
      expect(wrapper.handleSubmitToProvider).toHaveBeenCalledOnce();
    });
    expect(document.getElementById('task-submitted')).not.toBeNull();
    expect(server.to('/submit_task')[0]?.body).toMatchObject({
      USED_AGENT_ID: 'a1',
      final_data: { answer: 'yes', fields_seen: ['text'] },
    });
    expect(server.to('/task_config.json')[0]?.url.searchParams.get('mephisto_task_version')).toBe('2.0.4');
  });
});
