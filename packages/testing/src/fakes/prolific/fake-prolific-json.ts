/**
 * The Prolific fake's records as Prolific's API writes them (snake_case; money in cents). Statuses are
 * passed in: the state decides them (derived study statuses, injected `PROCESSING` reads).
 */
import {
  FAKE_USER,
  iso,
  PLACE_HOLDING,
  round2,
  serviceFeeCents,
  type BulkBonusRecord,
  type GroupRecord,
  type ProjectRecord,
  type StudyRecord,
  type SubmissionRecord,
  type WorkspaceRecord,
} from './fake-prolific-records.js';
import type { FakeStudyStatus, FakeSubmissionStatus } from './fake-prolific-types.js';

const RESEARCHER_NAME = `${FAKE_USER.first_name} ${FAKE_USER.last_name}`;

function users(): unknown[] {
  return [{ id: FAKE_USER.id, name: RESEARCHER_NAME, email: FAKE_USER.email, roles: ['WORKSPACE_ADMIN'] }];
}

export function workspaceJson(workspace: WorkspaceRecord, projects: readonly ProjectRecord[]): unknown {
  return {
    id: workspace.id,
    title: workspace.title,
    description: workspace.description,
    owner: FAKE_USER.id,
    users: users(),
    projects: projects.map((p) => ({
      id: p.id,
      title: p.title,
      description: p.description,
      owner: FAKE_USER.id,
      users: users(),
    })),
    wallet: `wallet-${workspace.id}`,
    naivety_distribution_rate: null,
  };
}

export function projectJson(project: ProjectRecord, studies: readonly StudyRecord[]): unknown {
  return {
    id: project.id,
    title: project.title,
    description: project.description,
    owner: FAKE_USER.id,
    users: users(),
    studies: studies.map((s) => ({ id: s.id, name: s.name })),
    workspace: project.workspaceId,
    naivety_distribution_rate: null,
  };
}

export function studyJson(
  study: StudyRecord,
  status: FakeStudyStatus,
  submissions: readonly SubmissionRecord[],
  currency: string,
): unknown {
  const perPlace = study.reward + serviceFeeCents(study.reward);
  return {
    id: study.id,
    name: study.name,
    internal_name: study.internalName,
    description: study.description,
    external_study_url: study.externalStudyUrl,
    prolific_id_option: study.prolificIdOption,
    completion_option: 'code',
    completion_codes: study.completionCodes,
    total_available_places: study.totalAvailablePlaces,
    places_taken: submissions.filter((s) => PLACE_HOLDING.has(s.status)).length,
    number_of_submissions: submissions.length,
    estimated_completion_time: study.estimatedCompletionTime,
    maximum_allowed_time: study.maximumAllowedTime ?? study.estimatedCompletionTime * 4 + 2,
    reward: study.reward,
    currency_code: currency,
    fees_per_submission: serviceFeeCents(study.reward),
    fees_percentage: 33.33,
    total_cost: round2(study.totalAvailablePlaces * perPlace),
    device_compatibility: study.deviceCompatibility,
    peripheral_requirements: [],
    eligibility_requirements: study.eligibilityRequirements,
    filters: study.filters,
    submissions_config: {
      max_submissions_per_participant: study.maxSubmissionsPerParticipant,
      max_concurrent_submissions: -1,
    },
    status,
    study_type: 'SINGLE',
    date_created: iso(study.created),
    published_at: iso(study.publishedAt),
    publish_at: iso(study.publishAt),
    project: study.projectId,
    workspace: study.workspaceId,
    researcher: { id: FAKE_USER.id, name: RESEARCHER_NAME, email: FAKE_USER.email, country: 'GB' },
    is_pilot: false,
    is_underpaying: null,
    share_id: null,
  };
}

/** The single-submission shape (`GET /submissions/{id}/`, a transition's reply). */
export function submissionJson(submission: SubmissionRecord, status: FakeSubmissionStatus): unknown {
  return {
    id: submission.id,
    study_id: submission.studyId,
    participant: submission.participantId,
    status,
    started_at: iso(submission.startedAt),
    completed_at: iso(submission.completedAt),
    entered_code: submission.enteredCode,
  };
}

/** The list shape, which Prolific makes different from the single one (`participant_id`, …). */
export function submissionListJson(
  submission: SubmissionRecord,
  status: FakeSubmissionStatus,
  now: number,
): unknown {
  const end = submission.completedAt ?? now;
  return {
    id: submission.id,
    participant_id: submission.participantId,
    status,
    started_at: iso(submission.startedAt),
    completed_at: iso(submission.completedAt),
    is_complete: submission.completedAt !== null,
    time_taken: Math.round((end - submission.startedAt) / 1000),
    reward: submission.reward,
    study_code: submission.enteredCode,
    entered_code: submission.enteredCode,
    star_awarded: false,
    bonus_payments: [...submission.bonusPayments],
    return_requested: null,
    has_siblings: false,
    ip: '127.0.0.1',
    strata: {},
  };
}

export function bonusJson(bonus: BulkBonusRecord): unknown {
  return {
    id: bonus.id,
    study: bonus.studyId,
    amount: bonus.amount,
    fees: bonus.fees,
    vat: 0,
    total_amount: round2(bonus.amount + bonus.fees),
  };
}

export function groupJson(group: GroupRecord): unknown {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    workspace_id: group.workspaceId,
    organisation_id: null,
    project_id: null,
    participant_count: group.members.size,
    is_deleted: group.isDeleted,
    feeder_studies: [],
  };
}

export function membersJson(group: GroupRecord): unknown[] {
  return [...group.members.entries()].map(([participant, at]) => ({
    participant_id: participant,
    datetime_created: iso(at),
  }));
}
