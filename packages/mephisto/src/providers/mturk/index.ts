/** The MTurk crowd providers (`mturk`, `mturk_sandbox`), their API client and the account cleanup. */
export {
  MTURK_PROVIDER_TYPE,
  MTURK_SANDBOX_PROVIDER_TYPE,
  MturkProvider,
  type MturkProviderContext,
  type MturkProviderOptions,
} from './mturk-provider.js';
export { DEFAULT_MTURK_RETRY, MturkApi, type MturkApiOptions, type MturkRetryPolicy } from './mturk-api.js';
export {
  MturkApiError,
  MturkCredentialsError,
  MturkInsufficientFundsError,
  MturkRegistrationError,
  MturkReviewError,
  MturkSetupError,
  type MturkFailure,
} from './mturk-errors.js';
export { resolveMturkCredentials, type MturkCredentialSource } from './mturk-credentials.js';
export {
  MTURK_LIVE_ENDPOINT,
  MTURK_SANDBOX_ENDPOINT,
  apiEndpoint as mturkApiEndpoint,
  hitGroupLink,
  mturkFee,
} from './mturk-endpoints.js';
export {
  planCleanup as planMturkCleanup,
  withdrawHit,
  type CleanupEntry as MturkCleanupEntry,
} from './mturk-cleanup.js';
export { MturkRecords, type ProviderRecordStore } from './mturk-records.js';
