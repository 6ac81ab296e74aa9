import type { TestProject } from 'vitest/node';
import { probePostgres } from './postgres-probe.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a reachable PostgreSQL server for the store suites, or null when they are skipped. */
    pgUrl: string | null;
  }
}

/**
 * Probes the optional services once per run. On a user's machine without PostgreSQL the PostgreSQL
 * suites are skipped with a notice; with MEPHISTO_TEST_REQUIRE_PG=1 (CI) an unreachable server fails
 * the run instead.
 */
export default async function setup(project: TestProject): Promise<void> {
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
