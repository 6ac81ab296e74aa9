/**
 * The Prolific fake's model: workspaces, projects, studies, submissions, bulk bonuses, participant groups
 * and balances, with Prolific's rules (as documented, and as Mephisto's `prolific_api_oddities.md`
 * records them):
 *
 * - A study is a draft (`UNPUBLISHED`) until `PUBLISH`; after that only `internal_name` and
 *   `total_available_places` may change, and places may only grow.
 * - A published study whose places are all taken reads `AWAITING REVIEW` (then `COMPLETED` once nothing
 *   is in progress or awaiting review); a returned, timed-out or rejected submission frees its place and
 *   more places reactivate it. `STOP` ends recruiting (no `STOPPED`/`EXPIRED` status exists); more places
 *   reactivate even a stopped study, as on Prolific.
 * - A submission completes only when the participant's browser arrives at the completion page with one
 *   of the study's codes; approval and rejection are API transitions (repeating one is ignored); a
 *   rejection needs a category and a message of at least 100 characters.
 * - Bulk bonus payments are set up, then paid; paying is NOT idempotent: each `pay` call pays again.
 * - Money: cents of the workspace's currency. The service fee is a third of the amount, rounded up to a
 *   hundredth of a cent (Prolific's documented example: 850 → 283.34). The available balance is the
 *   balance less what published studies may still pay; publishing, adding places and paying bonuses
 *   beyond it are refused.
 *
 * Reads through the API consume injected `PROCESSING` reads; the inspection views do not.
 */
import { badRequest, FakeApiError, notFound, ProlificFakeHookError } from './fake-prolific-errors.js';
import {
  bonusJson,
  groupJson,
  membersJson,
  projectJson,
  studyJson,
  submissionJson,
  submissionListJson,
  workspaceJson,
} from './fake-prolific-json.js';
import {
  FAKE_USER,
  IN_PROGRESS,
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
import {
  bodyObject,
  FieldErrors,
  parseCsvBonuses,
  readStringList,
  readString,
  readStudyFields,
  type JsonObject,
  type StudyFields,
} from './fake-prolific-body.js';
import {
  GROUP_ALLOWLIST_FILTER,
  GROUP_BLOCKLIST_FILTER,
  MIN_REJECTION_MESSAGE_LENGTH,
  REJECTION_CATEGORIES,
  STUDY_ACTIONS,
  SUBMISSION_ACTIONS,
  type FakeBulkBonus,
  type FakeCompletion,
  type FakeStudyFilter,
  type FakeStudyStatus,
  type FakeSubmissionStatus,
} from './fake-prolific-types.js';

export interface FakeStateOptions {
  readonly now: () => number;
  readonly newId: () => string;
  readonly currency: string;
  readonly initialBalanceCents: number;
  /** Create "My Workspace" with a "Project" (a new Prolific account has a workspace to start in). */
  readonly seedWorkspace: boolean;
  /** Reads that show `PROCESSING` after each successful transition. */
  readonly processingReadsAfterTransition: number;
}

export class ProlificFakeState {
  readonly #o: FakeStateOptions;
  readonly #workspaces = new Map<string, WorkspaceRecord>();
  readonly #projects = new Map<string, ProjectRecord>();
  readonly #studies = new Map<string, StudyRecord>();
  readonly #submissions = new Map<string, SubmissionRecord>();
  readonly #bonuses = new Map<string, BulkBonusRecord>();
  readonly #groups = new Map<string, GroupRecord>();
  /** Participants' arrivals on the completion page, in order. */
  readonly completions: FakeCompletion[] = [];

  constructor(options: FakeStateOptions) {
    this.#o = options;
    if (options.seedWorkspace) {
      const workspace = this.#newWorkspace('My Workspace', '');
      this.#newProject(workspace.id, 'Project', '');
    }
  }

  // --- users, workspaces, projects -----------------------------------------------------------------

  me(): unknown {
    const workspace = [...this.#workspaces.values()][0];
    const balance = workspace === undefined ? 0 : workspace.balance;
    const available = workspace === undefined ? 0 : this.#available(workspace.id);
    return {
      ...FAKE_USER,
      name: `${FAKE_USER.first_name} ${FAKE_USER.last_name}`,
      username: FAKE_USER.email,
      user_type: 'researcher',
      currency_code: this.#o.currency,
      balance: round2(balance),
      available_balance: round2(available),
      status: 'ACTIVE',
      roles: ['RESEARCHER'],
    };
  }

  listWorkspaces(): unknown[] {
    return [...this.#workspaces.values()].map((w) => this.#workspaceJson(w));
  }

  createWorkspace(body: unknown): unknown {
    const input = bodyObject(body);
    const errors = new FieldErrors();
    const title = readString(input, 'title', errors, { required: true });
    const description = readString(input, 'description', errors, { required: false, allowEmpty: true });
    errors.throwIfAny();
    return this.#workspaceJson(this.#newWorkspace(title ?? '', description ?? ''));
  }

  getWorkspace(id: string): unknown {
    return this.#workspaceJson(this.#workspace(id));
  }

  workspaceBalance(id: string): unknown {
    const workspace = this.#workspace(id);
    const available = this.#available(id);
    return {
      currency_code: this.#o.currency,
      total_balance: round2(workspace.balance),
      balance_breakdown: { rewards: round2(workspace.balance), fees: 0, vat: 0 },
      available_balance: round2(available),
      available_balance_breakdown: { rewards: round2(available), fees: 0, vat: 0 },
    };
  }

  listProjects(workspaceId: string): unknown[] {
    this.#workspace(workspaceId);
    return [...this.#projects.values()]
      .filter((p) => p.workspaceId === workspaceId)
      .map((p) => this.#projectJson(p));
  }

  createProject(workspaceId: string, body: unknown): unknown {
    this.#workspace(workspaceId);
    const input = bodyObject(body);
    const errors = new FieldErrors();
    const title = readString(input, 'title', errors, { required: true });
    const description = readString(input, 'description', errors, { required: false, allowEmpty: true });
    errors.throwIfAny();
    return this.#projectJson(this.#newProject(workspaceId, title ?? '', description ?? ''));
  }

  getProject(id: string): unknown {
    return this.#projectJson(this.#project(id));
  }

  // --- studies --------------------------------------------------------------------------------------

  listStudies(projectId?: string): unknown[] {
    if (projectId !== undefined) this.#project(projectId);
    return [...this.#studies.values()]
      .filter((s) => projectId === undefined || s.projectId === projectId)
      .map((s) => this.#studyJson(s, true));
  }

  createStudy(body: unknown): unknown {
    const fields = readStudyFields(bodyObject(body), true);
    const projectId = fields.project ?? [...this.#projects.values()][0]?.id;
    if (projectId === undefined || !this.#projects.has(projectId))
      throw new FakeApiError(400, 'Bad Request', { project: ['Project not found.'] });
    this.#checkGroupFilters(fields.filters ?? []);
    const project = this.#project(projectId);
    const study: StudyRecord = {
      id: this.#o.newId(),
      name: fields.name ?? '',
      internalName: fields.internal_name ?? fields.name ?? '',
      description: fields.description ?? '',
      externalStudyUrl: fields.external_study_url ?? '',
      prolificIdOption: fields.prolific_id_option ?? 'url_parameters',
      completionCodes: fields.completion_codes ?? [],
      totalAvailablePlaces: fields.total_available_places ?? 1,
      estimatedCompletionTime: fields.estimated_completion_time ?? 1,
      maximumAllowedTime: fields.maximum_allowed_time ?? null,
      reward: fields.reward ?? 0,
      eligibilityRequirements: fields.eligibility_requirements ?? [],
      filters: fields.filters ?? [],
      deviceCompatibility: fields.device_compatibility ?? ['desktop', 'tablet', 'mobile'],
      maxSubmissionsPerParticipant: fields.max_submissions_per_participant ?? 1,
      projectId,
      workspaceId: project.workspaceId,
      created: this.#o.now(),
      publishedAt: null,
      publishAt:
        fields.publish_at === undefined || fields.publish_at === null ? null : Date.parse(fields.publish_at),
      phase: 'draft',
      processingReads: 0,
    };
    this.#studies.set(study.id, study);
    return this.#studyJson(study, true);
  }

  getStudy(id: string): unknown {
    return this.#studyJson(this.#study(id), true);
  }

  /** `PATCH /studies/{id}/`: any field of a draft; after publishing only a name and more places. */
  updateStudy(id: string, body: unknown): unknown {
    const study = this.#study(id);
    const input = bodyObject(body);
    if (study.phase === 'draft') {
      const fields = readStudyFields(input, false);
      if (fields.project !== undefined && !this.#projects.has(fields.project))
        throw new FakeApiError(400, 'Bad Request', { project: ['Project not found.'] });
      if (fields.filters !== undefined) this.#checkGroupFilters(fields.filters);
      this.#applyDraftFields(study, fields);
      return this.#studyJson(study, true);
    }
    const locked = Object.keys(input).filter(
      (key) => key !== 'internal_name' && key !== 'total_available_places',
    );
    if (locked.length > 0) {
      const fields: Record<string, string[]> = {};
      for (const key of locked)
        fields[key] = ['This field cannot be changed once the study has been published.'];
      throw new FakeApiError(400, 'Bad Request', fields);
    }
    const errors = new FieldErrors();
    const name = readString(input, 'internal_name', errors, { required: false, allowEmpty: true });
    const places = input.total_available_places;
    if (places !== undefined && (typeof places !== 'number' || !Number.isInteger(places)))
      errors.add('total_available_places', 'A valid integer is required.');
    else if (typeof places === 'number' && places < study.totalAvailablePlaces)
      errors.add(
        'total_available_places',
        `You can only increase the total available places (currently ${String(study.totalAvailablePlaces)}).`,
      );
    errors.throwIfAny();
    if (typeof places === 'number' && places > study.totalAvailablePlaces) {
      const extra = places - study.totalAvailablePlaces;
      this.#requireFunds(study.workspaceId, extra * this.#perPlace(study));
      study.totalAvailablePlaces = places;
      // More places reactivate a study that was full or stopped (Prolific has no lasting "stopped").
      if (study.phase === 'stopped') study.phase = 'published';
    }
    if (name !== undefined) study.internalName = name;
    return this.#studyJson(study, true);
  }

  deleteStudy(id: string): void {
    const study = this.#study(id);
    if (study.phase !== 'draft') throw badRequest('Only unpublished studies can be deleted.');
    this.#studies.delete(id);
  }

  transitionStudy(id: string, body: unknown): unknown {
    const study = this.#study(id);
    const input = bodyObject(body);
    const action = input.action;
    if (typeof action !== 'string' || !(STUDY_ACTIONS as readonly string[]).includes(action))
      throw new FakeApiError(400, 'Bad Request', { action: [`"${String(action)}" is not a valid choice.`] });
    const status = this.#studyStatus(study);
    const refuse = (): never => {
      throw badRequest(`A study in status ${status} cannot be transitioned with ${action}.`);
    };
    switch (action) {
      case 'PUBLISH': {
        if (study.phase !== 'draft') refuse();
        if (study.completionCodes.length === 0) throw badRequest('The study needs a completion code.');
        this.#requireFunds(study.workspaceId, study.totalAvailablePlaces * this.#perPlace(study));
        study.phase = 'published';
        study.publishedAt = this.#o.now();
        break;
      }
      case 'PAUSE':
        if (study.phase !== 'published') refuse();
        study.phase = 'paused';
        break;
      case 'START':
        if (study.phase !== 'paused') refuse();
        study.phase = 'published';
        break;
      case 'STOP':
        if (study.phase !== 'published' && study.phase !== 'paused') refuse();
        study.phase = 'stopped';
        break;
    }
    study.processingReads = this.#o.processingReadsAfterTransition;
    return this.#studyJson(study, false);
  }

  // --- submissions ----------------------------------------------------------------------------------

  listSubmissions(studyId: string | undefined): unknown[] {
    if (studyId !== undefined) this.#study(studyId);
    return [...this.#submissions.values()]
      .filter((s) => studyId === undefined || s.studyId === studyId)
      .map((s) => this.#submissionListJson(s));
  }

  getSubmission(id: string): unknown {
    return this.#submissionJson(this.#submission(id), true);
  }

  transitionSubmission(id: string, body: unknown): unknown {
    const submission = this.#submission(id);
    const input = bodyObject(body);
    const action = input.action;
    if (typeof action !== 'string' || !(SUBMISSION_ACTIONS as readonly string[]).includes(action))
      throw new FakeApiError(400, 'Bad Request', { action: [`"${String(action)}" is not a valid choice.`] });
    if (action === 'REJECT') {
      const errors = new FieldErrors();
      const message = readString(input, 'message', errors, { required: true });
      if (message !== undefined && message.length < MIN_REJECTION_MESSAGE_LENGTH)
        errors.add(
          'message',
          `Ensure this field has at least ${String(MIN_REJECTION_MESSAGE_LENGTH)} characters.`,
        );
      const category = input.rejection_category;
      if (category === undefined || category === null)
        errors.add('rejection_category', 'This field is required.');
      else if (
        typeof category !== 'string' ||
        !(REJECTION_CATEGORIES as readonly string[]).includes(category)
      )
        errors.add('rejection_category', `"${JSON.stringify(category)}" is not a valid choice.`);
      errors.throwIfAny();
    }
    const target = action === 'APPROVE' ? 'APPROVED' : 'REJECTED';
    // Repeating a transition is ignored (Prolific documents the endpoint as idempotent).
    if (submission.status !== target) {
      if (submission.status !== 'AWAITING REVIEW')
        throw badRequest(`A submission in status ${submission.status} cannot be moved to ${target}.`);
      this.#settle(submission, target);
      submission.processingReads = this.#o.processingReadsAfterTransition;
    }
    return this.#submissionJson(submission, false);
  }

  // --- bonuses --------------------------------------------------------------------------------------

  createBulkBonus(body: unknown): unknown {
    const input = bodyObject(body);
    const errors = new FieldErrors();
    const studyId = readString(input, 'study_id', errors, { required: true });
    const csv = readString(input, 'csv_bonuses', errors, { required: true });
    errors.throwIfAny();
    const study = this.#studies.get(studyId ?? '');
    if (study === undefined) throw new FakeApiError(400, 'Bad Request', { study_id: ['Study not found.'] });
    const lines = parseCsvBonuses(csv ?? '', errors);
    errors.throwIfAny();
    const resolved: BulkBonusRecord['lines'] = [];
    const unknown: string[] = [];
    for (const line of lines) {
      const submission = [...this.#submissions.values()].find(
        (s) => s.studyId === study.id && (s.id === line.id || s.participantId === line.id),
      );
      if (submission === undefined) unknown.push(line.id);
      else
        resolved.push({
          participantId: submission.participantId,
          submissionId: submission.id,
          cents: line.cents,
        });
    }
    if (unknown.length > 0)
      throw new FakeApiError(400, 'Bad Request', {
        csv_bonuses: [`These ids have not taken part in study ${study.id}: ${unknown.join(', ')}`],
      });
    const amount = resolved.reduce((sum, l) => sum + l.cents, 0);
    const bonus: BulkBonusRecord = {
      id: this.#o.newId(),
      studyId: study.id,
      lines: resolved,
      amount,
      fees: serviceFeeCents(amount),
      payCount: 0,
    };
    this.#bonuses.set(bonus.id, bonus);
    return bonusJson(bonus);
  }

  /** `POST /bulk-bonus-payments/{id}/pay/`: pays every line again on every call (not idempotent). */
  payBulkBonus(id: string): string {
    const bonus = this.#bonuses.get(id);
    if (bonus === undefined) throw notFound('Bulk bonus payment');
    const study = this.#study(bonus.studyId);
    const total = bonus.amount + bonus.fees;
    this.#requireFunds(study.workspaceId, total);
    this.#workspace(study.workspaceId).balance -= total;
    for (const line of bonus.lines) this.#submission(line.submissionId).bonusPayments.push(line.cents);
    bonus.payCount += 1;
    return `Bulk bonus payment with ID ${id} is being processed asynchronously. Payments will be completed shortly.`;
  }

  // --- participant groups ---------------------------------------------------------------------------

  listGroups(workspaceId: string | undefined): unknown[] {
    return [...this.#groups.values()]
      .filter((g) => workspaceId === undefined || g.workspaceId === workspaceId)
      .map((g) => groupJson(g));
  }

  createGroup(body: unknown): unknown {
    const input = bodyObject(body);
    const errors = new FieldErrors();
    const name = readString(input, 'name', errors, { required: true });
    const description = readString(input, 'description', errors, { required: false, allowEmpty: true });
    let workspaceId = readString(input, 'workspace_id', errors, { required: false });
    const projectId = readString(input, 'project_id', errors, { required: false });
    if (workspaceId === undefined && projectId !== undefined)
      workspaceId = this.#projects.get(projectId)?.workspaceId;
    if (workspaceId === undefined)
      errors.add('workspace_id', 'Either a workspace or organisation ID must be specified.');
    else if (!this.#workspaces.has(workspaceId)) errors.add('workspace_id', 'Workspace not found.');
    const ids = input.participant_ids === undefined ? [] : readStringList(input, 'participant_ids', errors);
    errors.throwIfAny();
    const group: GroupRecord = {
      id: this.#o.newId(),
      name: name ?? '',
      description: description ?? '',
      workspaceId: workspaceId ?? '',
      isDeleted: false,
      members: new Map((ids ?? []).map((p) => [p, this.#o.now()])),
    };
    this.#groups.set(group.id, group);
    return groupJson(group);
  }

  getGroup(id: string): unknown {
    return groupJson(this.#group(id));
  }

  /** Deletion is soft, as on Prolific: the group stays listed, with `is_deleted`. */
  deleteGroup(id: string): void {
    this.#group(id).isDeleted = true;
  }

  listMembers(id: string): unknown[] {
    return membersJson(this.#group(id));
  }

  addMembers(id: string, body: unknown): unknown[] {
    const group = this.#group(id);
    const errors = new FieldErrors();
    const ids = readStringList(bodyObject(body), 'participant_ids', errors);
    errors.throwIfAny();
    for (const participant of ids ?? [])
      if (!group.members.has(participant)) group.members.set(participant, this.#o.now());
    return membersJson(group);
  }

  removeMembers(id: string, body: unknown): unknown[] {
    const group = this.#group(id);
    const errors = new FieldErrors();
    const ids = readStringList(bodyObject(body), 'participant_ids', errors);
    errors.throwIfAny();
    for (const participant of ids ?? []) group.members.delete(participant);
    return membersJson(group);
  }

  // --- participants' side (test hooks) --------------------------------------------------------------

  /** A participant opens the study from Prolific: a new `ACTIVE` submission takes a place. */
  startSubmission(studyId: string, participantId: string): { submissionId: string; url: string } {
    const study = this.#studies.get(studyId);
    if (study === undefined) throw new ProlificFakeHookError(`no study ${studyId}`);
    const status = this.#studyStatus(study);
    if (status !== 'ACTIVE')
      throw new ProlificFakeHookError(`study ${studyId} is ${status}, not ACTIVE: nobody can start it`);
    const refusal = this.#eligibilityRefusal(study, participantId);
    if (refusal !== null)
      throw new ProlificFakeHookError(`participant ${participantId} cannot take part: ${refusal}`);
    const taken = [...this.#submissions.values()].filter(
      (s) => s.studyId === studyId && s.participantId === participantId,
    ).length;
    if (study.maxSubmissionsPerParticipant !== -1 && taken >= study.maxSubmissionsPerParticipant)
      throw new ProlificFakeHookError(`participant ${participantId} already took part in study ${studyId}`);
    const submission: SubmissionRecord = {
      id: this.#o.newId(),
      studyId,
      participantId,
      status: 'ACTIVE',
      startedAt: this.#o.now(),
      completedAt: null,
      enteredCode: null,
      reward: study.reward,
      bonusPayments: [],
      processingReads: 0,
    };
    this.#submissions.set(submission.id, submission);
    const url = study.externalStudyUrl
      .replaceAll('{{%PROLIFIC_PID%}}', encodeURIComponent(participantId))
      .replaceAll('{{%STUDY_ID%}}', encodeURIComponent(studyId))
      .replaceAll('{{%SESSION_ID%}}', encodeURIComponent(submission.id));
    return { submissionId: submission.id, url };
  }

  /**
   * A participant's browser arrives at the completion page with `code`. `submissionId` is whose it is
   * (from the fake's cookie); null makes the fake take the one in-progress submission of a study with that
   * code, when there is exactly one.
   */
  complete(code: string, submissionId: string | null): FakeCompletion {
    let submission = submissionId === null ? undefined : this.#submissions.get(submissionId);
    if (submission === undefined && submissionId === null) {
      const candidates = [...this.#submissions.values()].filter(
        (s) =>
          IN_PROGRESS.has(s.status) && this.#study(s.studyId).completionCodes.some((c) => c.code === code),
      );
      if (candidates.length === 1) submission = candidates[0];
    }
    const record = (accepted: boolean): FakeCompletion => {
      const completion = { code, submissionId: submission?.id ?? null, accepted, at: this.#o.now() };
      this.completions.push(completion);
      return completion;
    };
    if (submission === undefined) return record(false);
    const study = this.#study(submission.studyId);
    const match = study.completionCodes.find((c) => c.code === code);
    if (submission.status === 'AWAITING REVIEW' || submission.status === 'APPROVED')
      return record(match !== undefined);
    if (!IN_PROGRESS.has(submission.status) || match === undefined) {
      if (IN_PROGRESS.has(submission.status)) submission.enteredCode = code;
      return record(false);
    }
    submission.enteredCode = code;
    submission.completedAt = this.#o.now();
    submission.status = 'AWAITING REVIEW';
    if (match.actions.some((a) => a.action === 'AUTOMATICALLY_APPROVE')) this.#settle(submission, 'APPROVED');
    return record(true);
  }

  /** The participant returns the submission (or it times out): its place is free again. */
  endSubmission(id: string, status: 'RETURNED' | 'TIMED-OUT'): void {
    const submission = this.#submissions.get(id);
    if (submission === undefined) throw new ProlificFakeHookError(`no submission ${id}`);
    if (!IN_PROGRESS.has(submission.status))
      throw new ProlificFakeHookError(`submission ${id} is ${submission.status}, not in progress`);
    submission.status = status;
  }

  /** The researcher approves or rejects in Prolific's web app (not through mephisto-ts). */
  reviewOnPlatform(id: string, action: 'APPROVE' | 'REJECT'): void {
    const submission = this.#submissions.get(id);
    if (submission === undefined) throw new ProlificFakeHookError(`no submission ${id}`);
    if (submission.status !== 'AWAITING REVIEW')
      throw new ProlificFakeHookError(`submission ${id} is ${submission.status}, not AWAITING REVIEW`);
    this.#settle(submission, action === 'APPROVE' ? 'APPROVED' : 'REJECTED');
  }

  /** The researcher stops the study in Prolific's web app. */
  stopOnPlatform(id: string): void {
    const study = this.#studies.get(id);
    if (study === undefined) throw new ProlificFakeHookError(`no study ${id}`);
    if (study.phase === 'published' || study.phase === 'paused') study.phase = 'stopped';
  }

  /** The next `reads` API reads of the study or submission `id` show `PROCESSING`. */
  setProcessing(id: string, reads: number): void {
    const target = this.#studies.get(id) ?? this.#submissions.get(id);
    if (target === undefined) throw new ProlificFakeHookError(`no study or submission ${id}`);
    target.processingReads = reads;
  }

  setBalance(cents: number, workspaceId?: string): void {
    const workspace =
      workspaceId === undefined ? [...this.#workspaces.values()][0] : this.#workspaces.get(workspaceId);
    if (workspace === undefined) throw new ProlificFakeHookError('no such workspace');
    workspace.balance = cents;
  }

  // --- inspection (does not consume PROCESSING reads) -----------------------------------------------

  studyView(id: string): JsonObject | undefined {
    const study = this.#studies.get(id);
    return study === undefined ? undefined : (this.#studyJson(study, false, false) as JsonObject);
  }

  studyViews(): JsonObject[] {
    return [...this.#studies.values()].map((s) => this.#studyJson(s, false, false) as JsonObject);
  }

  submissionViews(studyId?: string): JsonObject[] {
    return [...this.#submissions.values()]
      .filter((s) => studyId === undefined || s.studyId === studyId)
      .map((s) => this.#submissionListJson(s, false) as JsonObject);
  }

  bulkBonusViews(): FakeBulkBonus[] {
    return [...this.#bonuses.values()].map((b) => ({
      id: b.id,
      studyId: b.studyId,
      lines: b.lines.map((l) => ({ ...l })),
      amount: b.amount,
      fees: b.fees,
      vat: 0,
      payCount: b.payCount,
    }));
  }

  groupViews(): JsonObject[] {
    return [...this.#groups.values()].map((g) => groupJson(g) as JsonObject);
  }

  groupMembers(id: string): string[] {
    return [...(this.#groups.get(id)?.members.keys() ?? [])];
  }

  balanceView(workspaceId?: string): { total: number; available: number; currency: string } {
    const workspace =
      workspaceId === undefined ? [...this.#workspaces.values()][0] : this.#workspaces.get(workspaceId);
    if (workspace === undefined) return { total: 0, available: 0, currency: this.#o.currency };
    return {
      total: round2(workspace.balance),
      available: round2(this.#available(workspace.id)),
      currency: this.#o.currency,
    };
  }

  workspaceViews(): JsonObject[] {
    return this.listWorkspaces() as JsonObject[];
  }

  projectViews(): JsonObject[] {
    return [...this.#projects.values()].map((p) => this.#projectJson(p) as JsonObject);
  }

  // --- rules ----------------------------------------------------------------------------------------

  #studyStatus(study: StudyRecord): Exclude<FakeStudyStatus, 'PROCESSING'> {
    if (study.phase === 'draft') return 'UNPUBLISHED';
    if (study.phase === 'paused') return 'PAUSED';
    if (study.phase === 'published' && study.publishAt !== null && this.#o.now() < study.publishAt)
      return 'SCHEDULED';
    const submissions = [...this.#submissions.values()].filter((s) => s.studyId === study.id);
    const taken = submissions.filter((s) => PLACE_HOLDING.has(s.status)).length;
    const open = submissions.some((s) => IN_PROGRESS.has(s.status) || s.status === 'AWAITING REVIEW');
    if (study.phase === 'published' && taken < study.totalAvailablePlaces) return 'ACTIVE';
    // Full (Prolific flips a full study to AWAITING REVIEW) or stopped: done once nothing is pending.
    return open ? 'AWAITING REVIEW' : 'COMPLETED';
  }

  /** Moves an `AWAITING REVIEW` submission to its review outcome; an approval pays the reward and fee. */
  #settle(submission: SubmissionRecord, status: 'APPROVED' | 'REJECTED'): void {
    if (status === 'APPROVED') {
      const study = this.#study(submission.studyId);
      this.#workspace(study.workspaceId).balance -= submission.reward + serviceFeeCents(submission.reward);
    }
    submission.status = status;
  }

  #perPlace(study: StudyRecord): number {
    return study.reward + serviceFeeCents(study.reward);
  }

  /** Balance less what published studies may still pay (open places and submissions not yet reviewed). */
  #available(workspaceId: string): number {
    const workspace = this.#workspace(workspaceId);
    let committed = 0;
    for (const study of this.#studies.values()) {
      if (study.workspaceId !== workspaceId || study.phase === 'draft') continue;
      const submissions = [...this.#submissions.values()].filter((s) => s.studyId === study.id);
      const approved = submissions.filter((s) => s.status === 'APPROVED').length;
      const pending = submissions.filter(
        (s) => IN_PROGRESS.has(s.status) || s.status === 'AWAITING REVIEW',
      ).length;
      const places =
        study.phase === 'stopped' ? pending : Math.max(study.totalAvailablePlaces - approved, pending);
      committed += places * this.#perPlace(study);
    }
    return workspace.balance - committed;
  }

  #requireFunds(workspaceId: string, cents: number): void {
    const available = this.#available(workspaceId);
    if (available < cents)
      throw badRequest(
        `Insufficient balance: ${round2(cents).toFixed(2)} needed, ${round2(available).toFixed(2)} available (cents).`,
      );
  }

  #eligibilityRefusal(study: StudyRecord, participantId: string): string | null {
    const inGroup = (id: string): boolean => {
      const group = this.#groups.get(id);
      return group !== undefined && !group.isDeleted && group.members.has(participantId);
    };
    for (const filter of study.filters) {
      const groups = filter.selected_values ?? [];
      if (filter.filter_id === GROUP_BLOCKLIST_FILTER && groups.some(inGroup)) return 'in a blocklist group';
      if (filter.filter_id === GROUP_ALLOWLIST_FILTER && !groups.some(inGroup))
        return 'not in an allowlist group';
    }
    for (const requirement of study.eligibilityRequirements) {
      const entry =
        typeof requirement === 'object' && requirement !== null ? (requirement as JsonObject) : {};
      const cls = typeof entry._cls === 'string' ? entry._cls : '';
      const attributes = Array.isArray(entry.attributes) ? (entry.attributes as JsonObject[]) : [];
      const listed = (name: string): boolean =>
        attributes.some(
          (a) => a.name === name && Array.isArray(a.value) && (a.value as unknown[]).includes(participantId),
        );
      if (cls.endsWith('CustomBlacklistEligibilityRequirement') && listed('black_list'))
        return 'on the custom blocklist';
      if (cls.endsWith('CustomWhitelistEligibilityRequirement') && !listed('white_list'))
        return 'not on the custom allowlist';
      if (cls.endsWith('ParticipantGroupEligibilityRequirement')) {
        const ids = attributes.map((a) => a.id).filter((id): id is string => typeof id === 'string');
        if (ids.length > 0 && !ids.some(inGroup)) return 'not in the required participant group';
      }
    }
    return null;
  }

  #checkGroupFilters(filters: readonly FakeStudyFilter[]): void {
    for (const filter of filters) {
      if (filter.filter_id !== GROUP_ALLOWLIST_FILTER && filter.filter_id !== GROUP_BLOCKLIST_FILTER)
        continue;
      const missing = (filter.selected_values ?? []).filter((id) => !this.#groups.has(id));
      if (missing.length > 0)
        throw new FakeApiError(400, 'Bad Request', {
          filters: [`Unknown participant groups: ${missing.join(', ')}`],
        });
    }
  }

  #applyDraftFields(study: StudyRecord, fields: StudyFields): void {
    if (fields.name !== undefined) study.name = fields.name;
    if (fields.internal_name !== undefined) study.internalName = fields.internal_name;
    if (fields.description !== undefined) study.description = fields.description;
    if (fields.external_study_url !== undefined) study.externalStudyUrl = fields.external_study_url;
    if (fields.prolific_id_option !== undefined) study.prolificIdOption = fields.prolific_id_option;
    if (fields.completion_codes !== undefined) study.completionCodes = fields.completion_codes;
    if (fields.total_available_places !== undefined)
      study.totalAvailablePlaces = fields.total_available_places;
    if (fields.estimated_completion_time !== undefined)
      study.estimatedCompletionTime = fields.estimated_completion_time;
    if (fields.maximum_allowed_time !== undefined) study.maximumAllowedTime = fields.maximum_allowed_time;
    if (fields.reward !== undefined) study.reward = fields.reward;
    if (fields.eligibility_requirements !== undefined)
      study.eligibilityRequirements = fields.eligibility_requirements;
    if (fields.filters !== undefined) study.filters = fields.filters;
    if (fields.device_compatibility !== undefined) study.deviceCompatibility = fields.device_compatibility;
    if (fields.max_submissions_per_participant !== undefined)
      study.maxSubmissionsPerParticipant = fields.max_submissions_per_participant;
    if (fields.publish_at !== undefined)
      study.publishAt = fields.publish_at === null ? null : Date.parse(fields.publish_at);
  }

  // --- lookups --------------------------------------------------------------------------------------

  #newWorkspace(title: string, description: string): WorkspaceRecord {
    const workspace = {
      id: this.#o.newId(),
      title,
      description,
      balance: this.#o.initialBalanceCents,
      created: this.#o.now(),
    };
    this.#workspaces.set(workspace.id, workspace);
    return workspace;
  }

  #newProject(workspaceId: string, title: string, description: string): ProjectRecord {
    const project = { id: this.#o.newId(), title, description, workspaceId };
    this.#projects.set(project.id, project);
    return project;
  }

  #workspace(id: string): WorkspaceRecord {
    const workspace = this.#workspaces.get(id);
    if (workspace === undefined) throw notFound('Workspace');
    return workspace;
  }

  #project(id: string): ProjectRecord {
    const project = this.#projects.get(id);
    if (project === undefined) throw notFound('Project');
    return project;
  }

  #study(id: string): StudyRecord {
    const study = this.#studies.get(id);
    if (study === undefined) throw notFound('Study');
    return study;
  }

  #submission(id: string): SubmissionRecord {
    const submission = this.#submissions.get(id);
    if (submission === undefined) throw notFound('Submission');
    return submission;
  }

  #group(id: string): GroupRecord {
    const group = this.#groups.get(id);
    if (group === undefined) throw notFound('Participant group');
    return group;
  }

  // --- JSON (fake-prolific-json.ts, with the statuses decided here) ---------------------------------

  #workspaceJson(workspace: WorkspaceRecord): unknown {
    return workspaceJson(
      workspace,
      [...this.#projects.values()].filter((p) => p.workspaceId === workspace.id),
    );
  }

  #projectJson(project: ProjectRecord): unknown {
    return projectJson(
      project,
      [...this.#studies.values()].filter((s) => s.projectId === project.id),
    );
  }

  /** `consume`: an API read, which uses up an injected PROCESSING read; `countRead` false ignores them. */
  #studyJson(study: StudyRecord, consume: boolean, countRead = true): unknown {
    let status: FakeStudyStatus = this.#studyStatus(study);
    if (countRead && study.processingReads > 0) {
      status = 'PROCESSING';
      if (consume) study.processingReads -= 1;
    }
    const submissions = [...this.#submissions.values()].filter((s) => s.studyId === study.id);
    return studyJson(study, status, submissions, this.#o.currency);
  }

  #submissionStatus(submission: SubmissionRecord, consume: boolean): FakeSubmissionStatus {
    if (submission.processingReads > 0) {
      if (consume) submission.processingReads -= 1;
      return 'PROCESSING';
    }
    return submission.status;
  }

  #submissionJson(submission: SubmissionRecord, consume: boolean): unknown {
    return submissionJson(submission, this.#submissionStatus(submission, consume));
  }

  #submissionListJson(submission: SubmissionRecord, consume = true): unknown {
    return submissionListJson(submission, this.#submissionStatus(submission, consume), this.#o.now());
  }
}
