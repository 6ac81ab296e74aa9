/**
 * `mephisto register <provider_type> name=NAME [--endpoint URL] [--no-check] [--json]`: registers the
 * requester a run of an MTurk or Prolific provider bills (Mephisto's `mephisto register`), then proves
 * the provider's credentials work by asking the platform for the account's balance.
 *
 * Unlike Mephisto, it takes no credentials: Mephisto wrote the keys given on the command line into
 * ~/.aws/credentials, which left them in the shell's history and, on re-registering, silently kept the
 * old ones (Mephisto issue #528). mephisto-ts never stores credentials; the providers read them from the
 * environment (or AWS profiles) each time, so a key given here is refused with what to set instead.
 *
 * Registering is idempotent: a requester already registered for the provider is reported as such (and
 * its credentials checked again). A failed check leaves the requester registered: fixing the
 * credentials needs no new registration.
 */
import type { Command } from 'commander';
import { AlreadyExistsError, ERROR_CODES, MephistoError, type Requester } from '../../core/index.js';
import type { CrowdProvider } from '../../providers/crowd-provider.js';
import type { ProviderRegistry } from '../../providers/provider-registry.js';
import { resolveStoreConfig } from '../../store/store-config.js';
import type { Store } from '../../store/store.js';
import { EXIT_FAILURE, EXIT_USAGE, formatError } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';

/** Providers whose requester the operator creates on first use: registering is allowed, not needed. */
const LOCAL_REQUESTERS: Readonly<Record<string, string>> = {
  mock: 'MOCK_REQUESTER',
  inhouse: 'INHOUSE_REQUESTER',
};

/** Argument names that look like a credential (`access_key_id`, `secret_access_key`, `api_key`, `token`, …). */
const SECRET_NAME = /key|secret|token|passw|credential|session/i;

/** The environment variable holding the Prolific token (prolific-api-client.ts, not imported: it is loaded lazily). */
const PROLIFIC_TOKEN_ENV = 'PROLIFIC_API_TOKEN';

export interface RegisterOptions {
  name?: string;
  endpoint?: string;
  /** False with `--no-check`. */
  check: boolean;
  json?: boolean;
}

/** What `mephisto register --json` prints. */
export interface RegisterReport {
  requester: { id: string; name: string; providerType: string };
  /** False when the requester was already registered for the provider. */
  created: boolean;
  check: RegisterCheck;
}

export type RegisterCheck =
  | {
      status: 'ok';
      /** Where the credentials came from, in words (never the secret). */
      credentials: string;
      /** The API address asked. */
      endpoint: string;
      /**
       * The balance the platform reports (MTurk: dollars; Prolific: the workspace's available balance,
       * in its currency), or null when it reports none.
       */
      balance: number | null;
    }
  | {
      status: 'skipped';
      /** `no-check` (asked not to), `not-needed` (mock, inhouse) or `unsupported` (no balance to ask for). */
      reason: 'no-check' | 'not-needed' | 'unsupported';
      /** Where the credentials would come from, when the provider reads any. */
      credentials?: string;
    }
  | {
      status: 'failed';
      credentials: string | null;
      endpoint: string | null;
      error: { code: string; message: string; remedy: string | null };
    };

/** A credential given on the command line: refused, never stored or checked. */
export class SecretOnCommandLineError extends MephistoError {
  constructor(
    readonly providerType: string,
    readonly names: readonly string[],
  ) {
    super(
      'MEPHISTO_ERR_SECRET_ON_COMMAND_LINE',
      `refusing ${names.map((n) => `"${n}"`).join(', ')} on the command line: mephisto-ts never stores ` +
        'credentials. A key typed into a command stays in your shell history, and a stored copy goes stale ' +
        'when the key is rotated (Mephisto kept old keys on re-registering, its issue #528). Nothing was ' +
        `registered. Instead, ${whereCredentialsGo(providerType)}, then run \`mephisto register ${providerType} ` +
        'name=<requester>` without the key.',
    );
  }
}

/** What to set instead of passing a credential, for the provider type. */
function whereCredentialsGo(providerType: string): string {
  const mturk =
    'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, or AWS_PROFILE to a profile of ' +
    '~/.aws/credentials, or add a profile named like the requester to ~/.aws/credentials (as Mephisto did)';
  const prolific = `set ${PROLIFIC_TOKEN_ENV} in the environment (export ${PROLIFIC_TOKEN_ENV}=…)`;
  if (providerType === 'mturk' || providerType === 'mturk_sandbox') return `for MTurk ${mturk}`;
  if (providerType === 'prolific') return `for Prolific ${prolific}`;
  return `for MTurk ${mturk}; for Prolific ${prolific}`;
}

/** `value` as one shell word (quoted when it has anything but safe characters). */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command that registers (and checks) the requester again. */
function registerAgain(request: Pick<RegisterRequest, 'providerType' | 'name' | 'endpoint'>): string {
  const endpoint = request.endpoint === undefined ? '' : ` --endpoint ${shellWord(request.endpoint)}`;
  return `mephisto register ${request.providerType} name=${shellWord(request.name)}${endpoint}`;
}

/** The name an argument gives (`name=x` → `name`, `--api-key=x` → `api-key`). */
function argumentName(operand: string): string {
  return operand.replace(/^-+/, '').split('=')[0] ?? '';
}

interface ParsedOperands {
  name?: string;
  secrets: string[];
  /** Usage problems, reported only when no secret was given (a secret is the worse problem). */
  problems: string[];
}

/**
 * Mephisto's `key=value` arguments (only `name` is taken), and options commander did not know (let
 * through so that `--api-key=…` is refused as a secret rather than as an unknown option).
 */
function parseOperands(operands: readonly string[]): ParsedOperands {
  const parsed: ParsedOperands = { secrets: [], problems: [] };
  for (const operand of operands) {
    const named = operand.startsWith('-') || operand.includes('=');
    const key = argumentName(operand);
    // Only names are looked at: a bare value is never echoed (it may be the key itself).
    if (named && SECRET_NAME.test(key)) {
      if (!parsed.secrets.includes(key)) parsed.secrets.push(key);
    } else if (operand.startsWith('-')) {
      parsed.problems.push(`unknown option '${operand.split('=')[0] ?? operand}'`);
    } else if (!operand.includes('=')) {
      // Not echoed: a bare value given here may well be a key.
      parsed.problems.push('unexpected argument without a key: write the requester as name=NAME');
    } else if (key === 'name') {
      const value = operand.slice('name='.length).trim();
      if (parsed.name !== undefined && parsed.name !== value) parsed.problems.push('name= is given twice');
      parsed.name = value;
    } else {
      parsed.problems.push(
        `unknown argument '${key}=…': mephisto register takes name=NAME (and options such as --endpoint URL)`,
      );
    }
  }
  return parsed;
}

export function registerRegisterCommand(program: Command, context: CommandContext): void {
  program
    .command('register')
    .description("register the requester a provider's runs bill, and check its credentials")
    .argument('<provider_type>', 'mturk, mturk_sandbox or prolific (mock and inhouse need no registration)')
    .argument('[name=NAME]', "the requester's name (Mephisto's key=value syntax; or --name)")
    .option('--name <name>', "the requester's name")
    .option('--endpoint <url>', "the provider's API address (MTurk's endpoint, Prolific's api_base_url)")
    .option('--no-check', 'register without calling the provider to check the credentials')
    .option('--json', 'print the result as JSON')
    // Unknown options reach the action, so that `--api-key=…` is refused as a credential.
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      '\nmephisto-ts never stores credentials: the providers read them from the environment each time.\n' +
        '  mturk, mturk_sandbox  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or a profile of\n' +
        '                        ~/.aws/credentials named like the requester, or the default profile\n' +
        `  prolific              ${PROLIFIC_TOKEN_ENV}\n` +
        'Unless --no-check, the account balance is read to prove they work (exit 1 if not; the requester\n' +
        'stays registered). Runs name the requester with mephisto.provider.requester_name (without it, the\n' +
        'requester registered last for the provider is used).\n' +
        '\nExamples:\n' +
        '  AWS_PROFILE=lab mephisto register mturk_sandbox name=lab-sandbox\n' +
        '  mephisto register mturk name=lab                  keys from ~/.aws/credentials [lab]\n' +
        `  ${PROLIFIC_TOKEN_ENV}=… mephisto register prolific name=lab-prolific\n` +
        '  mephisto register mturk_sandbox --name ci --endpoint http://127.0.0.1:9324 --no-check\n',
    )
    .action(async (providerType: string, _first: unknown, options: RegisterOptions, command: Command) => {
      // Every operand after the type (key=value arguments, unknown options and their values).
      const operands = command.args.slice(1);
      const usage: (message: string) => never = (message) =>
        command.error(message, { code: 'mephisto.register', exitCode: EXIT_USAGE });
      const parsed = parseOperands(providerType.startsWith('-') ? [providerType, ...operands] : operands);
      if (parsed.secrets.length > 0) throw new SecretOnCommandLineError(providerType, parsed.secrets);
      if (providerType.startsWith('-')) usage('missing the provider type (mturk, mturk_sandbox or prolific)');
      if (parsed.problems.length > 0) usage(parsed.problems.join('; '));
      const fromOption = options.name?.trim();
      if (fromOption !== undefined && parsed.name !== undefined && fromOption !== parsed.name)
        usage(`two names given: name=${parsed.name} and --name ${fromOption}`);
      const name = fromOption ?? parsed.name;
      if (name === undefined || name === '')
        usage(`missing the requester's name: mephisto register ${providerType} name=NAME`);
      const globals = command.optsWithGlobals<GlobalOptions>();
      await register(context, globals, {
        providerType,
        name,
        debug: globals.debug === true,
        endpoint: options.endpoint,
        check: options.check,
        json: options.json === true,
        usage,
      });
    });
}

interface RegisterRequest {
  providerType: string;
  name: string;
  endpoint: string | undefined;
  check: boolean;
  json: boolean;
  debug: boolean;
  usage: (message: string) => never;
}

async function register(
  context: CommandContext,
  globals: GlobalOptions,
  request: RegisterRequest,
): Promise<void> {
  const { providerType, name } = request;
  // Loaded here: the providers pull in the AWS SDK, which would slow every other command's start.
  const { defaultProviderRegistry } = await import('../../providers/provider-registry.js');
  const { UnknownProviderTypeError, ProviderNotAvailableError } =
    await import('../../providers/provider-errors.js');
  const { defaultArgsRegistry } = await import('../../core/config/args-registry.js');
  const registry = defaultProviderRegistry;
  if (!registry.types().includes(providerType)) {
    if (registry.notAvailableTypes().includes(providerType))
      throw new ProviderNotAvailableError(providerType, registry.types());
    throw new UnknownProviderTypeError(providerType, registry.types(), registry.notAvailableTypes());
  }
  const schema = defaultArgsRegistry.get('provider', providerType);
  const fields = schema === undefined ? [] : Object.keys(schema.shape);
  const endpointField = ['endpoint', 'api_base_url'].find((field) => fields.includes(field));
  if (request.endpoint !== undefined && endpointField === undefined)
    request.usage(`--endpoint does not apply to the ${providerType} provider`);
  const rawArgs: Record<string, unknown> = {
    _provider_type: providerType,
    requester_name: name,
    ...(request.endpoint === undefined || endpointField === undefined
      ? {}
      : { [endpointField]: request.endpoint }),
  };
  const args = schema === undefined ? rawArgs : schema.parse(rawArgs);

  const out = (text: string): void => {
    if (!request.json) context.stdout.write(text);
  };
  const store = await context.openStore(resolveStoreConfig(globals.db, context.env));
  try {
    const { requester, created } = await findOrCreateRequester(store, name, providerType);
    out(
      created
        ? `Registered requester ${name} for the ${providerType} provider (id ${requester.id}).\n`
        : `Requester ${name} was already registered for the ${providerType} provider (id ${requester.id}).\n`,
    );
    const local = LOCAL_REQUESTERS[providerType];
    let check: RegisterCheck;
    if (local !== undefined) {
      out(
        `The ${providerType} provider needs no registration: a run without requester_name uses ${local}, ` +
          'created on first use. Runs bill this requester when they name it (mephisto.provider.requester_name=' +
          `${name}).\n`,
      );
      check = { status: 'skipped', reason: 'not-needed' };
    } else {
      const credentials = await describeCredentials(providerType, name, context.env);
      if (!request.check) {
        out(
          (credentials === undefined ? '' : `Credentials would come from ${credentials}. `) +
            `Not checked (--no-check): run \`${registerAgain(request)}\` to check them.\n`,
        );
        check = {
          status: 'skipped',
          reason: 'no-check',
          ...(credentials === undefined ? {} : { credentials }),
        };
      } else {
        check = await checkCredentials(context, store, registry, args, credentials, request);
      }
    }
    if (check.status === 'ok' || (check.status === 'skipped' && check.reason !== 'not-needed'))
      out(
        `Launch with mephisto.provider.requester_name=${shellWord(name)} (without it, the requester registered last ` +
          `for ${providerType} is used).\n`,
      );
    if (request.json) {
      const report: RegisterReport = {
        requester: { id: requester.id, name: requester.name, providerType: requester.providerType },
        created,
        check,
      };
      context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
  } finally {
    await store.close();
  }
}

/** The requester of that name for the provider: found, or created; a name of another provider is refused. */
async function findOrCreateRequester(
  store: Store,
  name: string,
  providerType: string,
): Promise<{ requester: Requester; created: boolean }> {
  const existing = async (): Promise<Requester | undefined> => {
    const found = (await store.findRequesters({ name }))[0];
    if (found !== undefined && found.providerType !== providerType)
      throw new AlreadyExistsError(
        'requester',
        name,
        `requester "${name}" is already registered for the ${found.providerType} provider, so it cannot be ` +
          `registered for ${providerType}: requester names are unique across providers. Choose another ` +
          `name for ${providerType} (e.g. ${name}-${providerType.replace(/_/g, '-')}).`,
      );
    return found;
  };
  const found = await existing();
  if (found !== undefined) return { requester: found, created: false };
  try {
    return { requester: await store.createRequester({ name, providerType }), created: true };
  } catch (error) {
    // Registered by another process meanwhile.
    const raced = error instanceof AlreadyExistsError ? await existing() : undefined;
    if (raced !== undefined) return { requester: raced, created: false };
    throw error;
  }
}

/** Where the provider will take its credentials from, in words (never the secret); offline. */
async function describeCredentials(
  providerType: string,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  if (providerType === 'mturk' || providerType === 'mturk_sandbox') {
    const { describeCredentialSource, resolveMturkCredentials } =
      await import('../../providers/mturk/mturk-credentials.js');
    return describeCredentialSource(resolveMturkCredentials(env, name));
  }
  if (providerType === 'prolific') {
    return (env[PROLIFIC_TOKEN_ENV]?.trim() ?? '') === ''
      ? `no token: ${PROLIFIC_TOKEN_ENV} is not set`
      : `the token in ${PROLIFIC_TOKEN_ENV}`;
  }
  return undefined;
}

/** The API address the provider will call, for the messages. */
async function describeEndpoint(providerType: string, args: Record<string, unknown>): Promise<string | null> {
  if (providerType === 'mturk' || providerType === 'mturk_sandbox') {
    const { apiEndpoint } = await import('../../providers/mturk/mturk-endpoints.js');
    return apiEndpoint(
      typeof args.endpoint === 'string' ? args.endpoint : '',
      providerType === 'mturk_sandbox',
    );
  }
  if (providerType === 'prolific') {
    const { prolificApiBaseUrl } = await import('../../providers/prolific/prolific-api-client.js');
    return prolificApiBaseUrl({
      api_base_url: typeof args.api_base_url === 'string' ? args.api_base_url : '',
    });
  }
  return null;
}

function formatBalance(providerType: string, balance: number | null, args: Record<string, unknown>): string {
  if (balance === null) return 'the platform reports no balance for the account';
  const amount = balance.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (providerType === 'prolific') {
    const workspace = typeof args.prolific_workspace_name === 'string' ? args.prolific_workspace_name : '';
    return `the workspace "${workspace}" has ${amount} available (in its currency)`;
  }
  return `available balance $${amount}`;
}

/** Builds the provider as a run would and reads the balance: the one call that proves the credentials. */
async function checkCredentials(
  context: CommandContext,
  store: Store,
  registry: ProviderRegistry,
  args: Record<string, unknown>,
  credentials: string | undefined,
  request: RegisterRequest,
): Promise<RegisterCheck> {
  const { providerType, name } = request;
  const { createProvider } = await import('../../providers/provider-registry.js');
  const endpoint = await describeEndpoint(providerType, args);
  const out = (text: string): void => {
    if (!request.json) context.stdout.write(text);
  };
  out(
    `Checking the credentials` +
      (credentials === undefined ? '' : ` (${credentials})`) +
      (endpoint === null ? '' : ` with ${endpoint}`) +
      '…\n',
  );
  let provider: CrowdProvider | undefined;
  try {
    // The registry checks the args' type; they were built from the type's own schema.
    provider = createProvider(
      args as Parameters<typeof createProvider>[0],
      { store, env: context.env },
      registry,
    );
    if (provider.availableBudget === undefined) {
      out(`The ${providerType} provider has no balance to ask for: credentials not checked.\n`);
      return {
        status: 'skipped',
        reason: 'unsupported',
        ...(credentials === undefined ? {} : { credentials }),
      };
    }
    const balance = await provider.availableBudget();
    out(`Credentials work: ${formatBalance(providerType, balance, args)}.\n`);
    return { status: 'ok', credentials: credentials ?? '', endpoint: endpoint ?? '', balance };
  } catch (error) {
    context.stderr.write(formatError(error, { debug: request.debug }));
    context.stderr.write(
      `Requester ${name} stays registered for ${providerType}; once the credentials are fixed, run ` +
        `\`${registerAgain(request)}\` again to check them.\n`,
    );
    context.setExitCode(EXIT_FAILURE);
    const mephisto = error instanceof MephistoError;
    return {
      status: 'failed',
      credentials: credentials ?? null,
      endpoint,
      error: {
        code: mephisto ? error.code : 'UNEXPECTED',
        message: error instanceof Error ? error.message : String(error),
        remedy: mephisto ? ERROR_CODES[error.code].remedy : null,
      },
    };
  } finally {
    closeProvider(provider);
  }
}

/** Releases what the provider holds open (the MTurk client's sockets). */
function closeProvider(provider: CrowdProvider | undefined): void {
  const close = (provider as { close?: unknown } | undefined)?.close;
  if (typeof close === 'function') (close as () => void).call(provider);
}
