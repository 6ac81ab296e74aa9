/** The Prolific crowd provider and its API client. */
export {
  PROLIFIC_DEFAULT_APP_URL,
  PROLIFIC_PROVIDER_TYPE,
  ProlificProvider,
  type ProlificProviderOptions,
} from './prolific-provider.js';
export {
  PROLIFIC_DEFAULT_API_BASE_URL,
  PROLIFIC_TOKEN_ENV,
  ProlificApiClient,
  prolificApiBaseUrl,
  prolificTokenFrom,
  type ProlificApiClientOptions,
} from './prolific-api-client.js';
export { ProlificApiError, ProlificCredentialsError, ProlificRegistrationError } from './prolific-errors.js';
export { PROLIFIC_SERVICE_FEE_RATE, prolificFee, rejectionTerms } from './prolific-review-terms.js';
