/**
 * The Prolific fake's records (what it keeps of workspaces, projects, studies, submissions, bonuses and
 * groups), its fake researcher, and the money rule it applies (Prolific's service fee).
 */
import type { FakeCompletionCode, FakeStudyFilter, FakeSubmissionStatus } from './fake-prolific-types.js';

/** Prolific's service fee on `cents`, in cents with two decimals (a third, rounded up). */
export function serviceFeeCents(cents: number): number {
  return Math.ceil(Math.round(cents * 10_000) / 3 / 100) / 100;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export interface WorkspaceRecord {
  readonly id: string;
  title: string;
  description: string;
  /** Cents. */
  balance: number;
  readonly created: number;
}

export interface ProjectRecord {
  readonly id: string;
  title: string;
  description: string;
  readonly workspaceId: string;
}

export type StudyPhase = 'draft' | 'published' | 'paused' | 'stopped';

export interface StudyRecord {
  readonly id: string;
  name: string;
  internalName: string;
  description: string;
  externalStudyUrl: string;
  prolificIdOption: string;
  completionCodes: FakeCompletionCode[];
  totalAvailablePlaces: number;
  estimatedCompletionTime: number;
  maximumAllowedTime: number | null;
  reward: number;
  eligibilityRequirements: unknown[];
  filters: FakeStudyFilter[];
  deviceCompatibility: string[];
  maxSubmissionsPerParticipant: number;
  projectId: string;
  readonly workspaceId: string;
  readonly created: number;
  publishedAt: number | null;
  publishAt: number | null;
  phase: StudyPhase;
  processingReads: number;
}

export interface SubmissionRecord {
  readonly id: string;
  readonly studyId: string;
  readonly participantId: string;
  status: Exclude<FakeSubmissionStatus, 'PROCESSING'>;
  readonly startedAt: number;
  completedAt: number | null;
  enteredCode: string | null;
  readonly reward: number;
  readonly bonusPayments: number[];
  processingReads: number;
}

export interface BulkBonusRecord {
  readonly id: string;
  readonly studyId: string;
  readonly lines: { participantId: string; submissionId: string; cents: number }[];
  readonly amount: number;
  readonly fees: number;
  payCount: number;
}

export interface GroupRecord {
  readonly id: string;
  name: string;
  description: string;
  readonly workspaceId: string;
  isDeleted: boolean;
  readonly members: Map<string, number>;
}

/** Statuses that hold a study place. */
export const PLACE_HOLDING: ReadonlySet<string> = new Set([
  'RESERVED',
  'ACTIVE',
  'AWAITING REVIEW',
  'APPROVED',
]);
export const IN_PROGRESS: ReadonlySet<string> = new Set(['RESERVED', 'ACTIVE']);

export const FAKE_USER = {
  id: '60a0c0ffee0000000000a001',
  email: 'researcher@example.org',
  first_name: 'Fake',
  last_name: 'Researcher',
} as const;

/** An instant as Prolific writes it, or null. */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
