/**
 * `mephisto mturk cleanup`, in-process against a SQLite file and the MTurk fake: it lists the account's
 * open HITs with what each is to the database, changes nothing without `--yes`, then expires the HITs no
 * live unit needs (a unit expired in the store, a unit this database does not have), keeps the live
 * one, and leaves HITs mephisto-ts did not create alone unless asked.
 */
import { CreateHITTypeCommand, CreateHITWithHITTypeCommand, MTurkClient } from '@aws-sdk/client-mturk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Unit } from '../../../src/core/index.js';
import type { ProviderRunContext } from '../../../src/providers/crowd-provider.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { runMephisto } from '../../cli/run-cli.js';
import { Fixtures } from '../../store/fixtures.js';
import { TEST_SERVER_URL } from '../provider-fixtures.js';
import {
  hitOf,
  startMturkHarness,
  TEST_ENV,
  TEST_KEYS,
  TestClock,
  type MturkHarness,
} from './mturk-test-kit.js';

let dir: string;
let db: string;
let store: Store;
let h: MturkHarness;
/** HIT ids by role. */
let hits: { live: string; stale: string; unknown: string; foreign: string };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mephisto-ts-mturk-cleanup-'));
  db = join(dir, 'database.db');
  store = await openStore({ kind: 'sqlite', path: db });
  h = await startMturkHarness({ store, clock: new TestClock(Date.now()) });
  const fixtures = new Fixtures(() => store);
  const run = await fixtures.taskRun({ providerType: 'mturk_sandbox' });
  const assignment = await fixtures.assignment({ taskRunId: run.id });
  const units: Unit[] = [];
  for (let i = 0; i < 2; i++) {
    const unit = await store.createUnit({ assignmentId: assignment.id, unitIndex: i, payAmount: 0.3 });
    units.push(await store.transitionUnit(unit.id, { from: 'created', to: 'launched' }));
  }
  const [live, stale] = units;
  if (live === undefined || stale === undefined) throw new Error('no units');
  // A unit the database does not have (launched from another database, or lost in a rollback).
  const stranger: Unit = { ...live, id: '987654321' };
  const ctx: ProviderRunContext = {
    taskRun: run,
    providerArgs: {},
    taskArgs: { task_title: 'Rate', task_description: 'Rate sentences', task_reward: 0.3, task_tags: 'rate' },
    serverUrl: TEST_SERVER_URL,
  };
  await h.provider.setupRun(ctx);
  await h.provider.launchUnits(ctx, [live, stale, stranger]);
  // The run died before expiring `stale`, which the store had already expired.
  await store.transitionUnit(stale.id, { from: 'launched', to: 'expired' });
  // A HIT made on the requester site or by another tool.
  const client = new MTurkClient({ endpoint: h.fake.endpoint, region: 'us-east-1', credentials: TEST_KEYS });
  const { HITTypeId } = await client.send(
    new CreateHITTypeCommand({
      Title: 'Other',
      Description: 'd',
      Reward: '0.10',
      AssignmentDurationInSeconds: 60,
    }),
  );
  const { HIT: foreign } = await client.send(
    new CreateHITWithHITTypeCommand({
      HITTypeId,
      LifetimeInSeconds: 3600,
      Question:
        '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">' +
        '<ExternalURL>https://example.org/task</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>',
    }),
  );
  client.destroy();
  hits = {
    live: await hitOf(h.provider, live.id),
    stale: await hitOf(h.provider, stale.id),
    unknown: await hitOf(h.provider, stranger.id),
    foreign: foreign?.HITId ?? '',
  };
  await store.close();
});
afterEach(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const cleanup = (...args: string[]) =>
  runMephisto(['--db', db, 'mturk', 'cleanup', '--sandbox', '--endpoint', h.fake.endpoint, ...args], {
    env: { ...TEST_ENV, MEPHISTO_DATA_DIR: dir, HOME: dir },
  });

function statuses(): Record<keyof typeof hits, string> {
  return {
    live: h.fake.hit(hits.live).status,
    stale: h.fake.hit(hits.stale).status,
    unknown: h.fake.hit(hits.unknown).status,
    foreign: h.fake.hit(hits.foreign).status,
  };
}

describe('mephisto mturk cleanup', () => {
  it('lists the open HITs and what would happen; without --yes nothing changes', async () => {
    const result = await cleanup();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^Listing open HITs on the sandbox MTurk account \(http:\/\/127\.0\.0\.1:\d+\)…$/m,
    );
    expect(result.stdout).toMatch(/^HIT\s+Status\s+Run\s+Unit\s+Action\s+Why$/m);
    expect(result.stdout).toMatch(
      new RegExp(`^${hits.live}\\s+Assignable\\s+\\d+\\s+\\d+\\s+keep\\s+unit \\d+ is launched$`, 'm'),
    );
    expect(result.stdout).toMatch(
      new RegExp(`^${hits.stale}\\s+Assignable.*expire\\s+unit \\d+ is expired$`, 'm'),
    );
    expect(result.stdout).toMatch(
      new RegExp(`^${hits.unknown}\\s.*expire\\s+unit 987654321 is not in this database`, 'm'),
    );
    expect(result.stdout).toMatch(
      new RegExp(`^${hits.foreign}\\s+Assignable\\s+not ours\\s+not created by mephisto-ts$`, 'm'),
    );
    expect(result.stdout).toContain('Note: 1 HIT(s) belong to units this database does not have.');
    expect(result.stdout).toContain('2 HIT(s) would be expired. Run again with --yes to expire them.');
    expect((await cleanup('--dry-run', '--yes')).stdout).toContain('Dry run: 2 HIT(s) would be expired.');
    expect(Object.values(statuses())).toEqual(['Assignable', 'Assignable', 'Assignable', 'Assignable']);
  });

  it('--yes expires the HITs no live unit needs, with progress and a summary; running again finds nothing', async () => {
    const result = await cleanup('--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\[1\/2\] expired \w+ \(unit \d+ is expired\)$/m);
    expect(result.stdout).toMatch(/^\[2\/2\] expired \w+ \(unit 987654321 is not in this database/m);
    expect(result.stdout).toContain(
      'Expired 2 HIT(s); kept 1 offering live units; left 1 not created by mephisto-ts alone (--include-foreign expires them).',
    );
    expect(statuses()).toEqual({
      live: 'Assignable',
      stale: 'Reviewable',
      unknown: 'Reviewable',
      foreign: 'Assignable',
    });
    const reopened = await openStore({ kind: 'sqlite', path: db });
    try {
      const record = await reopened.getProviderRecord('mturk_sandbox', 'hit', hits.stale);
      expect(record?.data).toMatchObject({ expired: true });
    } finally {
      await reopened.close();
    }
    const again = await cleanup('--yes');
    expect(again.stdout).toContain('Nothing to expire: 1 HIT(s) offer live units.');

    const all = await cleanup('--yes', '--include-foreign');
    expect(all.stdout).toContain('Expired 1 HIT(s); kept 1 offering live units.');
    expect(statuses().foreign).toBe('Reviewable');
  });

  it('refuses a database that does not exist, and reports refused credentials with their code', async () => {
    const missing = await runMephisto(
      ['--db', join(dir, 'nope.db'), 'mturk', 'cleanup', '--sandbox', '--endpoint', h.fake.endpoint],
      { env: { ...TEST_ENV, HOME: dir } },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/there is no database at .*nope\.db/);
    const refused = await runMephisto(
      ['--db', db, 'mturk', 'cleanup', '--sandbox', '--endpoint', h.fake.endpoint],
      {
        env: { AWS_ACCESS_KEY_ID: 'AKIDNOBODY', AWS_SECRET_ACCESS_KEY: 'x', HOME: dir },
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/MEPHISTO_ERR_PROVIDER_CREDENTIALS/);
    expect(refused.stderr).toMatch(/AKIDNOBODY/);
  });

  it('is listed in the help', async () => {
    const help = await runMephisto(['mturk', 'cleanup', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--sandbox', '--endpoint <url>', '--dry-run', '--yes', '--include-foreign'])
      expect(help.stdout).toContain(option);
  });
});
