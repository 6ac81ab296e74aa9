/**
 * Error replies in Prolific's shape: `{"error": {"status", "error_code", "title", "detail",
 * "additional_information"}}`, where `detail` is a string or, for a validation error, an object of
 * per-field message lists (`{"reward": ["…"]}`). The numeric `error_code`s are the fake's own: Prolific
 * does not publish its list, so clients must not rely on them.
 */

export type FakeErrorDetail = string | Readonly<Record<string, readonly string[]>>;

/** An error the fake's handlers throw; the server turns it into the reply. */
export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: FakeErrorDetail,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(typeof detail === 'string' ? detail : `${title}: ${JSON.stringify(detail)}`);
    this.name = 'FakeApiError';
  }
}

/** A 400 with messages per field (what Prolific's validation answers). */
export function validationError(fields: Readonly<Record<string, readonly string[]>>): FakeApiError {
  return new FakeApiError(400, 'Bad Request', fields);
}

/** A 400 with one message (a request that is well formed but not allowed now). */
export function badRequest(message: string): FakeApiError {
  return new FakeApiError(400, 'Bad Request', message);
}

export function notFound(what: string): FakeApiError {
  return new FakeApiError(404, 'Not Found', `${what} not found.`);
}

/** A fake-side code per status, so replies carry the field like Prolific's. */
const ERROR_CODES: Readonly<Record<number, number>> = {
  400: 140_001,
  401: 140_101,
  404: 140_401,
  405: 140_501,
  429: 142_901,
  500: 150_001,
  502: 150_201,
  503: 150_301,
};

/** The JSON body of an error reply. */
export function errorBody(error: FakeApiError): unknown {
  const code = ERROR_CODES[error.status] ?? 140_000;
  return {
    error: {
      status: error.status,
      error_code: code,
      title: error.title,
      detail: error.detail,
      additional_information: `/api/v1/errors/${String(code)}`,
    },
  };
}

/** A test hook was called for something the platform would not allow (not an HTTP error). */
export class ProlificFakeHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProlificFakeHookError';
  }
}
