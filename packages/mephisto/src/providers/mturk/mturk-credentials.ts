/**
 * Where the MTurk provider's AWS credentials come from, in order:
 *
 * 1. `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) in the provider's
 *    environment (ProviderContext.env, else the process's);
 * 2. the profile `AWS_PROFILE` names, through the AWS SDK's default chain;
 * 3. a profile named like `requester_name`, when the shared credentials or config file has one: where
 *    Mephisto's `mephisto register mturk name=…` kept a requester's keys;
 * 4. the SDK's default chain (the `default` profile, SSO, container and instance roles).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type MturkCredentialSource =
  | {
      readonly kind: 'keys';
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    }
  | { readonly kind: 'profile'; readonly profile: string; readonly from: 'AWS_PROFILE' | 'requester_name' }
  | { readonly kind: 'default-chain' };

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Whether an AWS shared file declares the profile (`[name]`, or `[profile name]` in the config file). */
function fileHasProfile(path: string, profile: string): boolean {
  if (!existsSync(path)) return false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .some((line) => line === `[${profile}]` || line === `[profile ${profile}]`);
}

export function resolveMturkCredentials(env: Env, requesterName: string | undefined): MturkCredentialSource {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
    return {
      kind: 'keys',
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === undefined ? {} : { sessionToken }),
    };
  }
  const profile = nonEmpty(env.AWS_PROFILE);
  if (profile !== undefined) return { kind: 'profile', profile, from: 'AWS_PROFILE' };
  const requester = nonEmpty(requesterName);
  if (requester !== undefined) {
    const home = nonEmpty(env.HOME) ?? homedir();
    const credentialsFile = nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(home, '.aws', 'credentials');
    const configFile = nonEmpty(env.AWS_CONFIG_FILE) ?? join(home, '.aws', 'config');
    if (fileHasProfile(credentialsFile, requester) || fileHasProfile(configFile, requester))
      return { kind: 'profile', profile: requester, from: 'requester_name' };
  }
  return { kind: 'default-chain' };
}

/** The source in words, for error messages (never the secret). */
export function describeCredentialSource(source: MturkCredentialSource): string {
  switch (source.kind) {
    case 'keys':
      return `the access key ${source.accessKeyId} from AWS_ACCESS_KEY_ID`;
    case 'profile':
      return source.from === 'AWS_PROFILE'
        ? `the AWS profile "${source.profile}" (AWS_PROFILE)`
        : `the AWS profile "${source.profile}" (named like requester_name)`;
    case 'default-chain':
      return "the AWS SDK's default credential chain";
  }
}

/** What to do when no credentials were found, in one sentence. */
export const CREDENTIALS_REMEDY =
  'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or add a profile to ~/.aws/credentials ' +
  '(the keys of an IAM user with MTurk access, from an AWS account linked to your MTurk requester account).';
