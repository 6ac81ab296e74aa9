// @vitest-environment happy-dom
/**
 * The published mephisto-task 2.0.4 bundle (installed for examples/mephisto-task-2-app), loaded next to
 * this package: every export it has, this package has too, with the same constants and texts.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as taskClient from '../src/index.js';

// A path, not a URL: under happy-dom the global URL is the DOM's, which createRequire does not take.
const examplePackage = resolve(
  fileURLToPath(import.meta.url),
  '../../../../examples/mephisto-task-2-app/package.json',
);
const requireFromExample = createRequire(examplePackage);
const published = requireFromExample('mephisto-task') as Record<string, unknown>;

/** Exports of mephisto-task this package does not reproduce, and why. */
const NOT_REPRODUCED: Readonly<Record<string, string>> = {
  axiosInstance: 'requests go through fetch; getProviderURLParams merging is kept',
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parity with the published mephisto-task 2.0.4', () => {
  it('has every export of mephisto-task, of the same kind', () => {
    const ours = taskClient as Record<string, unknown>;
    for (const name of Object.keys(published)) {
      if (name in NOT_REPRODUCED) continue;
      expect(ours, name).toHaveProperty(name);
      expect(typeof ours[name], name).toBe(typeof published[name]);
    }
  });

  it('has the same constants and texts', () => {
    expect(taskClient.AGENT_STATUS).toEqual(published['AGENT_STATUS']);
    expect(taskClient.STATUS_TO_TEXT_MAP).toEqual(published['STATUS_TO_TEXT_MAP']);
    expect(taskClient.CONNECTION_STATUS).toEqual(published['CONNECTION_STATUS']);
    // The published 2.0.4 bundle was built with its version baked in as 2.0.3 (it asks the server for
    // task_config.json?mephisto_task_version=2.0.3); the server speaks 2.0.4, so that is ours.
    expect(published['libVersion']).toBe('2.0.3');
    expect(taskClient.libVersion).toBe('2.0.4');
    const explain = published['getBlockedExplanation'] as (reason: string) => string;
    for (const reason of ['no_mobile', 'no_websockets', 'null_agent_id', 'anything']) {
      expect(taskClient.getBlockedExplanation(reason)).toBe(explain(reason));
    }
  });

  it('agrees on mobile detection', () => {
    const isMobile = published['isMobile'] as () => boolean;
    for (const agent of [
      'Mozilla/5.0 (iPad; CPU OS 17_0)',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120',
    ]) {
      vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(agent);
      expect(taskClient.isMobile()).toBe(isMobile());
    }
  });
});
