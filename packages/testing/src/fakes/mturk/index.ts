/** The MTurk requester API fake (see mturk-fake.ts). Has no dependency on mephisto-ts. */
export {
  AMZ_JSON_CONTENT_TYPE,
  ASSIGNMENT_ID_NOT_AVAILABLE,
  EXTERNAL_SUBMIT_PATH,
  MTURK_TARGET_PREFIX,
  MturkFake,
  mturkDollars,
  type AcceptedHit,
  type AcceptHitOptions,
  type MturkFakeCall,
  type MturkFakeCredentials,
  type MturkFakeHitView,
  type MturkFakeOptions,
} from './mturk-fake.js';
export type { MturkFaultKind, MturkFaultOptions } from './fault-injection.js';
export type {
  AssignmentState,
  FakeAssignment,
  FakeBonus,
  FakeHit,
  FakeHitType,
  FakeLedgerEntry,
  FakeQualificationScore,
  FakeQualificationType,
  FakeWorkerBlock,
  HitStatus,
  QualificationRequirement,
} from './mturk-fake-model.js';
export {
  LOCALE_QUALIFICATION_TYPE_ID,
  MturkWorkerActionError,
  REQUEST_TOKEN_LIFETIME_MS,
  type MturkClock,
} from './mturk-fake-state.js';
export { SequentialMturkIds, type MturkIdKind, type MturkIdSource } from './mturk-ids.js';
export { MTURK_OPERATIONS, type MturkOperation } from './mturk-operations.js';
export { parseQuestionFormAnswers } from './mturk-xml.js';
export type { WorkerLocale } from './qualification-check.js';
