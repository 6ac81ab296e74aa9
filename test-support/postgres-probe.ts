import pg from 'pg';

/** The server the PostgreSQL suites use unless MEPHISTO_TEST_PG_URL names another. */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type PostgresProbe = { ok: true; url: string } | { ok: false; url: string; reason: string };

/** Connects once with a short timeout and reports whether the test server answers. */
export async function probePostgres(): Promise<PostgresProbe> {
  const url = process.env.MEPHISTO_TEST_PG_URL ?? DEFAULT_TEST_PG_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, url };
  } catch (error) {
    return { ok: false, url, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
