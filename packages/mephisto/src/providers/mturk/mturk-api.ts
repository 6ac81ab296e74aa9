/**
 * The MTurk requester API as the provider calls it: an `@aws-sdk/client-mturk` client with a request
 * timeout, and one retry policy for what is worth retrying (AWS throttling, MTurk's ServiceFault and
 * other 5xx replies, timeouts and dropped connections), with exponential backoff. The SDK's own retries
 * are turned off (maxAttempts 1) so there is one policy, with an injectable sleep: tests of a dozen
 * failures run in milliseconds.
 *
 * Retrying is safe because every call the provider makes is idempotent or carries MTurk's
 * UniqueRequestToken; the provider handles the "already done" answers a retry of an operation that
 * did take effect can get. What is not retried (MTurk's RequestError, validation errors) or still fails
 * after the last attempt becomes an {@link MturkApiError} quoting MTurk; refused credentials an
 * {@link MturkCredentialsError}; MTurk's "insufficient funds" an {@link MturkInsufficientFundsError}.
 */
import { MTurkClient, type MTurkClientConfig } from '@aws-sdk/client-mturk';
import {
  CREDENTIALS_REMEDY,
  describeCredentialSource,
  type MturkCredentialSource,
} from './mturk-credentials.js';
import {
  MturkApiError,
  MturkCredentialsError,
  MturkInsufficientFundsError,
  type MturkFailure,
} from './mturk-errors.js';

export interface MturkRetryPolicy {
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles with each one. @default 250 */
  readonly baseDelayMs: number;
  /** Longest delay between attempts. @default 8000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_MTURK_RETRY: MturkRetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };
/** How long one request may take before it is abandoned (and retried). */
export const DEFAULT_MTURK_REQUEST_TIMEOUT_MS = 20_000;

export interface MturkApiOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: MturkCredentialSource;
  readonly retry?: Partial<MturkRetryPolicy>;
  /** @default {@link DEFAULT_MTURK_REQUEST_TIMEOUT_MS} */
  readonly requestTimeoutMs?: number;
  /** Waits between attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1): each delay is scaled by 0.5 + random/2. @default Math.random */
  readonly random?: () => number;
  /** Told about each retry, for the log. */
  readonly onRetry?: (info: {
    operation: string;
    attempt: number;
    delayMs: number;
    failure: MturkFailure;
  }) => void;
}

/** Why a failed call failed, as far as retrying goes. */
type FailureKind = 'retry' | 'credentials' | 'funds' | 'final';

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'AccessDeniedException',
]);
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const TRANSIENT_ERRORS = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceFault',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** MTurk's answer in a thrown SDK error (or a network error). */
export function failureOf(error: unknown): MturkFailure {
  const name = typeof field(error, 'name') === 'string' ? (field(error, 'name') as string) : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const turkErrorCode = field(error, 'TurkErrorCode');
  const metadata = field(error, '$metadata');
  const httpStatus = field(metadata, 'httpStatusCode');
  return {
    name,
    message,
    ...(typeof turkErrorCode === 'string' ? { turkErrorCode } : {}),
    ...(typeof httpStatus === 'number' ? { httpStatus } : {}),
  };
}

function classify(error: unknown, failure: MturkFailure): FailureKind {
  if (CREDENTIAL_ERRORS.has(failure.name)) return 'credentials';
  if (/insufficient funds/i.test(failure.message)) return 'funds';
  if (THROTTLING_ERRORS.has(failure.name) || failure.httpStatus === 429) return 'retry';
  if (/rate exceeded|throttl/i.test(failure.message)) return 'retry';
  if (TRANSIENT_ERRORS.has(failure.name)) return 'retry';
  if (failure.httpStatus !== undefined && failure.httpStatus >= 500) return 'retry';
  const code = field(error, 'code');
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'retry';
  if (failure.httpStatus === undefined && /socket hang up|ECONNRESET|ECONNREFUSED/i.test(failure.message))
    return 'retry';
  return 'final';
}

function clientConfig(options: MturkApiOptions): MTurkClientConfig {
  const timeout = options.requestTimeoutMs ?? DEFAULT_MTURK_REQUEST_TIMEOUT_MS;
  const source = options.credentials;
  return {
    endpoint: options.endpoint,
    region: options.region,
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: timeout,
      connectionTimeout: Math.min(timeout, 10_000),
      throwOnRequestTimeout: true,
    },
    ...(source.kind === 'keys'
      ? {
          credentials: {
            accessKeyId: source.accessKeyId,
            secretAccessKey: source.secretAccessKey,
            ...(source.sessionToken === undefined ? {} : { sessionToken: source.sessionToken }),
          },
        }
      : source.kind === 'profile'
        ? { profile: source.profile }
        : {}),
  };
}

export class MturkApi {
  readonly client: MTurkClient;
  readonly endpoint: string;
  readonly #options: MturkApiOptions;
  readonly #retry: MturkRetryPolicy;

  constructor(options: MturkApiOptions, client?: MTurkClient) {
    this.#options = options;
    this.endpoint = options.endpoint;
    this.#retry = { ...DEFAULT_MTURK_RETRY, ...options.retry };
    this.client = client ?? new MTurkClient(clientConfig(options));
  }

  /**
   * Runs `send` (one SDK command) with the retry policy. Throws {@link MturkApiError} (MTurk refused, or
   * the retries ran out), {@link MturkCredentialsError} or {@link MturkInsufficientFundsError}.
   */
  async call<T>(operation: string, send: (client: MTurkClient) => Promise<T>): Promise<T> {
    const sleep = this.#options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const random = this.#options.random ?? Math.random;
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(this.client);
      } catch (error) {
        const failure = failureOf(error);
        const kind = classify(error, failure);
        if (kind === 'credentials')
          throw new MturkCredentialsError(
            `MTurk refused the credentials (${describeCredentialSource(this.#options.credentials)}) on ` +
              `${operation}: ${failure.name}: ${failure.message}. ${CREDENTIALS_REMEDY}`,
            { cause: error },
          );
        if (kind === 'funds') throw new MturkInsufficientFundsError(operation, failure, { cause: error });
        if (kind === 'final' || attempt >= this.#retry.maxAttempts)
          throw new MturkApiError(operation, failure, attempt, { cause: error });
        const ceiling = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1));
        const delayMs = Math.round(ceiling * (0.5 + random() / 2));
        this.#options.onRetry?.({ operation, attempt, delayMs, failure });
        await sleep(delayMs);
      }
    }
  }

  /** Releases the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }
}

/** Whether an API error is MTurk's RequestError (the request was understood and refused). */
export function isRequestError(error: unknown): error is MturkApiError {
  return error instanceof MturkApiError && error.failure.name === 'RequestError';
}

/**
 * Every item of a paged MTurk list: `page` is asked for each page in turn (with the previous page's
 * NextToken), until a page is empty or has no NextToken (whether MTurk sends one on the last page is
 * not known).
 */
export async function allPages<T>(
  page: (nextToken: string | undefined) => Promise<{ items: T[] | undefined; nextToken: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const read = await page(nextToken);
    items.push(...(read.items ?? []));
    nextToken = read.items !== undefined && read.items.length > 0 ? read.nextToken : undefined;
  } while (nextToken !== undefined);
  return items;
}
