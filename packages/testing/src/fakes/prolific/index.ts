/**
 * The Prolific fake (see prolific-fake.ts): a real HTTP server with Prolific's API, for testing the
 * Prolific provider and tasks that use it. Has no dependency on mephisto-ts. Names exported from the
 * package root carry `Prolific` where they would otherwise be ambiguous next to the MTurk fake's.
 */
export {
  PROLIFIC_FAKE_COMPLETION_PATH,
  PROLIFIC_FAKE_DEFAULT_TOKEN,
  PROLIFIC_FAKE_SESSION_COOKIE,
  PROLIFIC_FAKE_START_PATH,
  ProlificFake,
  type ProlificFakeOptions,
} from './prolific-fake.js';
export { serviceFeeCents as prolificServiceFeeCents } from './fake-prolific-records.js';
export { ProlificFakeHookError } from './fake-prolific-errors.js';
export type {
  FakeBulkBonus as ProlificFakeBulkBonus,
  FakeCompletion as ProlificFakeCompletion,
  FakeFailureKind as ProlificFakeFailureKind,
  FakeFailureOptions as ProlificFakeFailureOptions,
  FakeRequestLogEntry as ProlificFakeRequestLogEntry,
  FakeStartedSubmission as ProlificFakeStartedSubmission,
  FakeStudyStatus as ProlificFakeStudyStatus,
  FakeSubmissionStatus as ProlificFakeSubmissionStatus,
  ProlificFakeRoute,
} from './fake-prolific-types.js';
