import type { TestProject } from 'vitest/node';
import { existsSync } from 'node:fs';
import { probePostgres } from './postgres-probe.js';

/** Debian's Chromium, driven by playwright-core (never a downloaded browser). */
const CHROMIUM_PATH = process.env.MEPHISTO_TEST_CHROMIUM ?? '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a reachable PostgreSQL server for the store suites, or null when they are skipped. */
    pgUrl: string | null;
    /** Path of a Chromium binary for the browser suites, or null when they are skipped. */
    chromiumPath: string | null;
  }
}

/**
 * Probes the optional services once per run. On a user's machine without PostgreSQL the PostgreSQL
 * suites are skipped with a notice; with MEPHISTO_TEST_REQUIRE_PG=1 (CI) an unreachable server fails
 * the run instead.
 */
export default async function setup(project: TestProject): Promise<void> {
  probeChromium(project);
  const pg = await probePostgres();
  if (pg.ok) {
    project.provide('pgUrl', pg.url);
    return;
  }
  if (process.env.MEPHISTO_TEST_REQUIRE_PG === '1') {
    throw new Error(`MEPHISTO_TEST_REQUIRE_PG=1 but PostgreSQL is unreachable at ${pg.url}: ${pg.reason}`);
  }
  process.stdout.write(
    `\n[mephisto-ts] PostgreSQL unreachable at ${pg.url} (${pg.reason}): the PostgreSQL suites are SKIPPED.\n` +
      `[mephisto-ts] Set MEPHISTO_TEST_PG_URL=postgres://user@host:5432/db to run them.\n\n`,
  );
  project.provide('pgUrl', null);
}

/**
 * The browser suites need Chromium: skipped with a notice when it is missing, a failure with
 * MEPHISTO_TEST_REQUIRE_CHROMIUM=1 (CI).
 */
function probeChromium(project: TestProject): void {
  if (existsSync(CHROMIUM_PATH)) {
    project.provide('chromiumPath', CHROMIUM_PATH);
    return;
  }
  if (process.env.MEPHISTO_TEST_REQUIRE_CHROMIUM === '1') {
    throw new Error(`MEPHISTO_TEST_REQUIRE_CHROMIUM=1 but there is no Chromium at ${CHROMIUM_PATH}`);
  }
  process.stdout.write(
    `\n[mephisto-ts] No Chromium at ${CHROMIUM_PATH}: the browser suites are SKIPPED.\n` +
      `[mephisto-ts] Install it (Debian/Ubuntu: apt-get install -y chromium) or set MEPHISTO_TEST_CHROMIUM.\n\n`,
  );
  project.provide('chromiumPath', null);
}
