/**
 * `mephisto register`, in-process against a SQLite file and the MTurk and Prolific fakes: good
 * credentials show where they came from and the balance; bad ones exit 1 with the provider's error and
 * remedy while the requester stays registered; credentials on the command line are refused; a name of
 * another provider, registering again, --no-check, --json and unknown types. Last, the point of it all:
 * the operator accepts an MTurk run naming the requester registered here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MturkFake } from '@mephisto-ts/testing/mturk-fake';
import { ProlificFake } from '@mephisto-ts/testing/prolific-fake';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RegisterReport } from '../../src/cli/commands/register.js';
import { MturkProvider } from '../../src/providers/mturk/mturk-provider.js';
import { createProvider } from '../../src/providers/provider-registry.js';
import { Operator } from '../../src/run/index.js';
import { openStore } from '../../src/store/open-store.js';
import { TEST_SERVER_URL } from '../providers/provider-fixtures.js';
import { TEST_ENV, TEST_KEYS } from '../providers/mturk/mturk-test-kit.js';
import { FakeBlueprint, items, makeConfig } from '../run/engine-fakes.js';
import { runMephisto, tempDir, type CliResult } from './run-cli.js';

let mturk: MturkFake;
let prolific: ProlificFake;
beforeAll(async () => {
  mturk = await MturkFake.start({ credentials: [TEST_KEYS], balance: 1234.5 });
  prolific = await ProlificFake.start({ balanceCents: 250_075 });
});
afterAll(async () => {
  await mturk.close();
  await prolific.close();
});

let dir: string;
let cleanup: () => void;
let db: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'database.db');
});
afterEach(() => {
  cleanup();
});

/** A private data directory and home, so no real AWS file or database is looked at. */
const register = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runMephisto(['--db', db, 'register', ...args], { env: { MEPHISTO_DATA_DIR: dir, HOME: dir, ...env } });
const registerMturk = (args: string[], env: NodeJS.ProcessEnv = TEST_ENV) =>
  register(['mturk_sandbox', ...args, '--endpoint', mturk.endpoint], env);
const registerProlific = (args: string[], env: NodeJS.ProcessEnv = { PROLIFIC_API_TOKEN: prolific.token }) =>
  register(['prolific', ...args, '--endpoint', prolific.url], env);

async function requesters(): Promise<{ name: string; providerType: string }[]> {
  const store = await openStore({ kind: 'sqlite', path: db });
  try {
    return (await store.findRequesters()).map((r) => ({ name: r.name, providerType: r.providerType }));
  } finally {
    await store.close();
  }
}

describe('mephisto register', () => {
  it('mturk_sandbox with good keys: registers, says where the keys came from, prints the balance', async () => {
    const result = await registerMturk(['name=lab']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Registered requester lab for the mturk_sandbox provider \(id \d+\)\.$/m);
    expect(result.stdout).toContain(
      `Checking the credentials (the access key ${TEST_KEYS.accessKeyId} from AWS_ACCESS_KEY_ID) with ${mturk.endpoint}…`,
    );
    expect(result.stdout).toContain('Credentials work: available balance $1,234.50.');
    expect(result.stdout).toContain('Launch with mephisto.provider.requester_name=lab');
    expect(result.stdout).not.toContain(TEST_KEYS.secretAccessKey);
    expect(mturk.calls('GetAccountBalance').length).toBeGreaterThan(0);
    expect(await requesters()).toEqual([{ name: 'lab', providerType: 'mturk_sandbox' }]);
  });

  it('registering again is fine: says it was already registered and checks again', async () => {
    expect((await registerMturk(['name=lab'])).code).toBe(0);
    const again = await registerMturk(['--name', 'lab']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Requester lab was already registered for the mturk_sandbox provider/m);
    expect(again.stdout).toContain('Credentials work');
    expect(await requesters()).toHaveLength(1);
  });

  it('mturk_sandbox with refused keys: exit 1, the error and its remedy, the requester stays registered', async () => {
    const result = await registerMturk(['name=lab'], {
      AWS_ACCESS_KEY_ID: TEST_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Registered requester lab for the mturk_sandbox provider/m);
    expect(result.stdout).not.toContain('Credentials work');
    expect(result.stderr).toMatch(
      /^error \[MEPHISTO_ERR_PROVIDER_CREDENTIALS\]: MTurk refused the credentials/m,
    );
    expect(result.stderr).toContain('Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'); // the provider's remedy
    expect(result.stderr).toMatch(/^hint: MTurk: set AWS_ACCESS_KEY_ID/m); // the registry's
    expect(result.stderr).toContain(
      `Requester lab stays registered for mturk_sandbox; once the credentials are fixed, run ` +
        `\`mephisto register mturk_sandbox name=lab --endpoint ${mturk.endpoint}\` again to check them.`,
    );
    expect(result.stderr).not.toContain('not-the-secret');
    expect(await requesters()).toEqual([{ name: 'lab', providerType: 'mturk_sandbox' }]);
  });

  it('prolific with a good token: the token variable and the workspace balance', async () => {
    const result = await registerProlific(['name=lab-prolific']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Registered requester lab-prolific for the prolific provider/m);
    expect(result.stdout).toContain(
      `Checking the credentials (the token in PROLIFIC_API_TOKEN) with ${prolific.url}…`,
    );
    expect(result.stdout).toContain(
      'Credentials work: the workspace "My Workspace" has 2,500.75 available (in its currency).',
    );
    expect(result.stdout).not.toContain(prolific.token);
  });

  it('prolific with a refused or missing token: exit 1 with the remedy, still registered', async () => {
    const refused = await registerProlific(['name=lab-prolific'], { PROLIFIC_API_TOKEN: 'wrong-token' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error \[MEPHISTO_ERR_PROVIDER_CREDENTIALS\]: /m);
    expect(refused.stderr).toMatch(/^hint: .*Prolific: set PROLIFIC_API_TOKEN/m);
    expect(refused.stderr).toContain('Requester lab-prolific stays registered for prolific');
    expect(refused.stderr).not.toContain('wrong-token');

    const missing = await registerProlific(['name=lab-prolific'], {});
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^Requester lab-prolific was already registered/m);
    expect(missing.stdout).toContain('Checking the credentials (no token: PROLIFIC_API_TOKEN is not set)');
    expect(missing.stderr).toContain('no Prolific API token: set PROLIFIC_API_TOKEN');
    expect(await requesters()).toEqual([{ name: 'lab-prolific', providerType: 'prolific' }]);
  });

  it('refuses credentials on the command line, saying what to set instead; nothing is registered', async () => {
    const mturkKeys = await register([
      'mturk',
      'name=lab',
      'access_key_id=AKIAEXAMPLE',
      'secret_access_key=very-secret',
    ]);
    expect(mturkKeys.code).toBe(1);
    expect(mturkKeys.stdout).toBe('');
    expect(mturkKeys.stderr).toMatch(
      /^error \[MEPHISTO_ERR_SECRET_ON_COMMAND_LINE\]: refusing "access_key_id", "secret_access_key" on the command line: mephisto-ts never stores credentials/m,
    );
    expect(mturkKeys.stderr).toContain('shell history');
    expect(mturkKeys.stderr).toContain('#528');
    expect(mturkKeys.stderr).toContain('for MTurk set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(mturkKeys.stderr).toContain('AWS_PROFILE');
    expect(mturkKeys.stderr).toContain('a profile named like the requester');
    expect(mturkKeys.stderr).not.toContain('very-secret');
    expect(mturkKeys.stderr).not.toContain('AKIAEXAMPLE');

    const prolificKey = await register(['prolific', 'name=lab', 'api_key=very-secret']);
    expect(prolificKey.code).toBe(1);
    expect(prolificKey.stderr).toContain('refusing "api_key"');
    expect(prolificKey.stderr).toContain('for Prolific set PROLIFIC_API_TOKEN');
    // As an option too (commander would otherwise only call it unknown), with or without `=`.
    for (const args of [
      ['prolific', '--name', 'lab', '--token=very-secret'],
      ['mturk', 'name=lab', '--secret-access-key', 'very-secret'],
    ]) {
      const option = await register(args);
      expect(option.code).toBe(1);
      expect(option.stderr).toContain('[MEPHISTO_ERR_SECRET_ON_COMMAND_LINE]');
      expect(option.stderr).not.toContain('very-secret');
    }
    expect(await requesters()).toEqual([]);
  });

  it('a name taken by another provider type is refused, naming both', async () => {
    expect((await registerProlific(['name=lab'])).code).toBe(0);
    const taken = await registerMturk(['name=lab']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(
      /^error \[MEPHISTO_ERR_REQUESTER_ALREADY_EXISTS\]: requester "lab" is already registered for the prolific provider, so it cannot be registered for mturk_sandbox/m,
    );
    expect(await requesters()).toEqual([{ name: 'lab', providerType: 'prolific' }]);
  });

  it('--no-check registers without calling the provider, saying where the credentials would come from', async () => {
    mkdirSync(join(dir, '.aws'));
    writeFileSync(join(dir, '.aws', 'credentials'), '[offline]\naws_access_key_id = AKIDX\n');
    const before = mturk.calls().length;
    const result = await register(['mturk', 'name=offline', '--no-check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Credentials would come from the AWS profile "offline" (named like requester_name). Not checked ' +
        '(--no-check): run `mephisto register mturk name=offline` to check them.',
    );
    expect(mturk.calls().length).toBe(before);
    expect(await requesters()).toEqual([{ name: 'offline', providerType: 'mturk' }]);
  });

  it('--json prints the requester, whether it was created, and the check', async () => {
    const ok = await registerMturk(['name=lab', '--json']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as RegisterReport;
    expect(report).toEqual({
      requester: {
        id: expect.stringMatching(/^\d+$/) as unknown,
        name: 'lab',
        providerType: 'mturk_sandbox',
      },
      created: true,
      check: {
        status: 'ok',
        credentials: `the access key ${TEST_KEYS.accessKeyId} from AWS_ACCESS_KEY_ID`,
        endpoint: mturk.endpoint,
        balance: 1234.5,
      },
    });
    const skipped = JSON.parse(
      (await registerMturk(['name=lab', '--json', '--no-check'])).stdout,
    ) as RegisterReport;
    expect(skipped).toMatchObject({ created: false, check: { status: 'skipped', reason: 'no-check' } });
    const failed = await registerMturk(['name=lab', '--json'], {
      ...TEST_ENV,
      AWS_SECRET_ACCESS_KEY: 'wrong',
    });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({
      created: false,
      check: { status: 'failed', error: { code: 'MEPHISTO_ERR_PROVIDER_CREDENTIALS' } },
    });
  });

  it('unknown provider types get the registry error; mock and inhouse need no registration but may have one', async () => {
    const unknown = await register(['mturkk', 'name=lab']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'error [MEPHISTO_ERR_UNKNOWN_TYPE]: unknown provider type "mturkk"; available: inhouse, mock, mturk, mturk_sandbox, prolific',
    );
    const mock = await register(['mock', 'name=local']);
    expect(mock.code).toBe(0);
    expect(mock.stdout).toContain(
      'The mock provider needs no registration: a run without requester_name uses MOCK_REQUESTER',
    );
    expect(await requesters()).toEqual([{ name: 'local', providerType: 'mock' }]);
  });

  it('usage errors: no name, a bare value, an unknown key, two names, --endpoint for a provider without one', async () => {
    const cases: [string[], string][] = [
      [['mturk'], "missing the requester's name: mephisto register mturk name=NAME"],
      [['mturk', 'lab'], 'unexpected argument without a key: write the requester as name=NAME'],
      [['mturk', 'name=lab', 'region=us-east-1'], "unknown argument 'region=…'"],
      [['mturk', 'name=a', '--name', 'b'], 'two names given: name=a and --name b'],
      [['mock', 'name=a', '--endpoint', 'http://x'], '--endpoint does not apply to the mock provider'],
    ];
    for (const [args, message] of cases) {
      const result = await register(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(`error [MEPHISTO_ERR_USAGE]: ${message}`);
    }
    const help = await runMephisto(['register', '--help']);
    expect(help.stdout).toMatch(/^Usage: mephisto register \[options\] <provider_type> \[name=NAME\]/);
    expect(help.stdout).toContain('mephisto register mturk_sandbox');
    expect(help.stdout).toContain('PROLIFIC_API_TOKEN');
  });
});

describe('launching after mephisto register', () => {
  it('the operator accepts an mturk_sandbox run naming the registered requester (and refused it before)', async () => {
    const config = makeConfig({
      providerType: 'mturk_sandbox',
      provider: { requester_name: 'lab', endpoint: mturk.endpoint },
    });
    const launchRun = async () => {
      const store = await openStore({ kind: 'sqlite', path: db });
      const provider = createProvider(config.mephisto.provider, { store, env: TEST_ENV });
      const operator = new Operator({ store });
      try {
        const run = await operator.launch({
          config,
          taskDir: dir,
          blueprint: new FakeBlueprint('static_task', items(1)),
          provider,
          serverUrl: TEST_SERVER_URL,
        });
        const requester = await store.getRequester(run.taskRun.requesterId);
        return { requester };
      } finally {
        await operator.shutdown();
        if (provider instanceof MturkProvider) provider.close();
        await store.close();
      }
    };
    await expect(launchRun()).rejects.toMatchObject({ code: 'MEPHISTO_ERR_REQUESTER_NOT_FOUND' });

    expect((await registerMturk(['name=lab'])).code).toBe(0);
    const { requester } = await launchRun();
    expect(requester).toMatchObject({ name: 'lab', providerType: 'mturk_sandbox' });
    expect(mturk.calls('CreateHITWithHITType').length).toBeGreaterThan(0);
  });
});
