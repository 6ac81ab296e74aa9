/**
 * The MTurk fake as a client sees it: every call goes through `@aws-sdk/client-mturk` over real HTTP,
 * so the wire format (AWS JSON 1.1, SigV4, error shapes) is what the SDK accepts. The fake has no
 * dependency on mephisto-ts, so this file runs without a build.
 */
import {
  ApproveAssignmentCommand,
  AssociateQualificationWithWorkerCommand,
  CreateHITTypeCommand,
  CreateHITWithHITTypeCommand,
  CreateQualificationTypeCommand,
  CreateWorkerBlockCommand,
  DeleteHITCommand,
  DeleteWorkerBlockCommand,
  DisassociateQualificationFromWorkerCommand,
  GetAccountBalanceCommand,
  GetAssignmentCommand,
  GetHITCommand,
  ListAssignmentsForHITCommand,
  ListBonusPaymentsCommand,
  ListHITsCommand,
  ListQualificationTypesCommand,
  ListWorkerBlocksCommand,
  MTurkClient,
  RejectAssignmentCommand,
  SendBonusCommand,
  UpdateExpirationForHITCommand,
  UpdateHITReviewStatusCommand,
  paginateListHITs,
  type HIT,
  type QualificationRequirement,
} from '@aws-sdk/client-mturk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ASSIGNMENT_ID_NOT_AVAILABLE,
  MturkFake,
  MturkWorkerActionError,
  parseQuestionFormAnswers,
  type MturkFakeOptions,
} from '../src/fakes/mturk/index.js';

const KEYS = { accessKeyId: 'AKIDFAKEMTURK', secretAccessKey: 'fake-secret' };

class TestClock {
  constructor(public ms = Date.UTC(2026, 0, 5, 12)) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

let fakes: MturkFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

async function startFake(options: MturkFakeOptions = {}): Promise<MturkFake> {
  const fake = await MturkFake.start({ credentials: [KEYS], ...options });
  fakes.push(fake);
  return fake;
}

function clientFor(
  fake: MturkFake,
  options: { maxAttempts?: number; credentials?: typeof KEYS; requestTimeout?: number } = {},
): MTurkClient {
  return new MTurkClient({
    endpoint: fake.endpoint,
    region: 'us-east-1',
    credentials: options.credentials ?? KEYS,
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.requestTimeout === undefined
      ? {}
      : { requestHandler: { requestTimeout: options.requestTimeout, throwOnRequestTimeout: true } }),
  });
}

function externalQuestion(url: string, frameHeight = 650): string {
  return (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">' +
    `<ExternalURL>${url.replace(/&/g, '&amp;')}</ExternalURL><FrameHeight>${frameHeight}</FrameHeight></ExternalQuestion>`
  );
}

async function createHit(
  client: MTurkClient,
  options: {
    reward?: string;
    maxAssignments?: number;
    token?: string;
    duration?: number;
    autoApprove?: number;
    requirements?: QualificationRequirement[];
    lifetime?: number;
  } = {},
): Promise<HIT> {
  const { HITTypeId } = await client.send(
    new CreateHITTypeCommand({
      Title: 'Rate sentences',
      Description: 'Say whether each sentence reads well.',
      Keywords: 'rating,sentences',
      Reward: options.reward ?? '0.50',
      AssignmentDurationInSeconds: options.duration ?? 600,
      AutoApprovalDelayInSeconds: options.autoApprove ?? 3600,
      QualificationRequirements: options.requirements ?? [],
    }),
  );
  const { HIT: hit } = await client.send(
    new CreateHITWithHITTypeCommand({
      HITTypeId,
      MaxAssignments: options.maxAssignments ?? 1,
      LifetimeInSeconds: options.lifetime ?? 3600,
      Question: externalQuestion('http://127.0.0.1:9/task?x=1&y=2', 700),
      RequesterAnnotation: 'unit-1',
      ...(options.token === undefined ? {} : { UniqueRequestToken: options.token }),
    }),
  );
  if (hit?.HITId === undefined) throw new Error('no HIT');
  return hit;
}

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number }; TurkErrorCode?: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected the call to fail');
}

describe('MTurk fake: the protocol', () => {
  it('answers a signed call as MTurk does (the sandbox balance)', async () => {
    const fake = await startFake();
    const balance = await clientFor(fake).send(new GetAccountBalanceCommand({}));
    expect(balance.AvailableBalance).toBe('10000.00');
    expect(balance.$metadata.httpStatusCode).toBe(200);
    expect(fake.calls('GetAccountBalance')).toHaveLength(1);
  });

  it('refuses a request without an Authorization header, as AWS does', async () => {
    const fake = await startFake();
    const response = await fetch(fake.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'MTurkRequesterServiceV20170117.GetAccountBalance',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
  });

  it('verifies the signature: an unknown key and a wrong secret are refused', async () => {
    const fake = await startFake();
    const unknown = await rejection(
      clientFor(fake, { credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' } }).send(
        new GetAccountBalanceCommand({}),
      ),
    );
    expect(unknown.name).toBe('UnrecognizedClientException');
    const wrong = await rejection(
      clientFor(fake, { credentials: { ...KEYS, secretAccessKey: 'wrong' } }).send(
        new GetAccountBalanceCommand({}),
      ),
    );
    expect(wrong.name).toBe('InvalidSignatureException');
    expect(wrong.$metadata?.httpStatusCode).toBe(400);
  });

  /** A signed-looking call of an operation MTurk does not have. */
  function unknownOperation(endpoint: string): Promise<Response> {
    return fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260105/us-east-1/mturk-requester/aws4_request, ' +
          `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': '20260105T120000Z',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'MTurkRequesterServiceV20170117.LaunchRockets',
      },
      body: '{}',
    });
  }

  it('refuses an unknown operation and a missing required member', async () => {
    const fake = await startFake();
    const response = await unknownOperation(fake.endpoint);
    // Shape-only checking: this fake has credentials, so the made-up key is refused first.
    expect(response.status).toBe(400);
    const open = await startFake({ credentials: undefined });
    const again = await unknownOperation(open.endpoint);
    expect(((await again.json()) as { __type: string }).__type).toBe(
      'com.amazon.coral.service#UnknownOperationException',
    );
    const invalid = await rejection(clientFor(fake).send(new GetHITCommand({ HITId: undefined })));
    expect(invalid.name).toBe('ValidationException');
  });
});

describe('MTurk fake: HITs', () => {
  it('creates a HIT from an ExternalQuestion; identical HIT types are one type', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const first = await createHit(client);
    const second = await createHit(client);
    expect(first.HITTypeId).toBe(second.HITTypeId);
    expect(first.HITGroupId).toBe(second.HITGroupId);
    expect(first.HITId).not.toBe(second.HITId);
    expect(first.HITStatus).toBe('Assignable');
    expect(first.Reward).toBe('0.50');
    expect(first.MaxAssignments).toBe(1);
    expect(first.NumberOfAssignmentsAvailable).toBe(1);
    expect(first.RequesterAnnotation).toBe('unit-1');
    expect(first.Expiration?.getTime()).toBe((first.CreationTime?.getTime() ?? 0) + 3600 * 1000);
    const view = fake.hit(first.HITId ?? '');
    expect(view.externalUrl).toBe('http://127.0.0.1:9/task?x=1&y=2');
    expect(view.frameHeight).toBe(700);
  });

  it('honours UniqueRequestToken for 24 hours: a repeat is refused with the existing HIT id', async () => {
    const clock = new TestClock();
    const fake = await startFake({ clock });
    const client = clientFor(fake);
    const hit = await createHit(client, { token: 'unit-42-1' });
    const repeat = await rejection(createHit(client, { token: 'unit-42-1' }));
    expect(repeat.name).toBe('RequestError');
    expect(repeat.TurkErrorCode).toBe('AWS.MechanicalTurk.HitAlreadyExists');
    expect(repeat.message).toContain(hit.HITId ?? 'none');
    expect(fake.hits()).toHaveLength(1);
    clock.advance(24 * 3600 + 1);
    await createHit(client, { token: 'unit-42-1' });
    expect(fake.hits()).toHaveLength(2);
  });

  it('refuses a plain-http ExternalURL on a public host (MTurk frames https pages only)', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const { HITTypeId } = await client.send(
      new CreateHITTypeCommand({
        Title: 't',
        Description: 'd',
        Reward: '0.10',
        AssignmentDurationInSeconds: 60,
      }),
    );
    const error = await rejection(
      client.send(
        new CreateHITWithHITTypeCommand({
          HITTypeId,
          LifetimeInSeconds: 60,
          Question: externalQuestion('http://example.com/task'),
        }),
      ),
    );
    expect(error.name).toBe('RequestError');
    expect(error.message).toMatch(/must use https/);
  });

  it('pages ListHITs with NextToken and MaxResults, and leaves disposed HITs out', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    for (let i = 0; i < 5; i++) await createHit(client);
    const first = await client.send(new ListHITsCommand({ MaxResults: 2 }));
    expect(first.HITs).toHaveLength(2);
    expect(first.NumResults).toBe(2);
    expect(first.NextToken).toBeDefined();
    const ids: string[] = [];
    for await (const page of paginateListHITs({ client, pageSize: 2 }, {}))
      ids.push(...(page.HITs ?? []).map((h) => h.HITId ?? ''));
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    const gone = ids[0] ?? '';
    await client.send(new UpdateExpirationForHITCommand({ HITId: gone, ExpireAt: new Date(0) }));
    await client.send(new DeleteHITCommand({ HITId: gone }));
    const all = await client.send(new ListHITsCommand({ MaxResults: 100 }));
    expect(all.HITs?.map((h) => h.HITId)).not.toContain(gone);
    expect((await client.send(new GetHITCommand({ HITId: gone }))).HIT?.HITStatus).toBe('Disposed');
  });

  it('expires a HIT with UpdateExpirationForHIT (repeatable) and only deletes a reviewed one', async () => {
    const clock = new TestClock();
    const fake = await startFake({ clock });
    const client = clientFor(fake);
    const hit = await createHit(client);
    const hitId = hit.HITId ?? '';
    const early = await rejection(client.send(new DeleteHITCommand({ HITId: hitId })));
    expect(early.message).toMatch(/currently in the state 'Assignable'/);
    const { assignmentId } = fake.acceptHit(hitId, 'A1WORKER');
    await client.send(new UpdateExpirationForHITCommand({ HITId: hitId, ExpireAt: new Date(0) }));
    await client.send(new UpdateExpirationForHITCommand({ HITId: hitId, ExpireAt: new Date(0) }));
    // Expired with work in progress: Unassignable until the worker submits.
    expect(fake.hit(hitId).status).toBe('Unassignable');
    expect((await rejection(client.send(new DeleteHITCommand({ HITId: hitId })))).message).toMatch(
      /Unassignable/,
    );
    fake.submitAssignment(assignmentId, { answer: 'yes' });
    expect(fake.hit(hitId).status).toBe('Reviewable');
    const unreviewed = await rejection(client.send(new DeleteHITCommand({ HITId: hitId })));
    expect(unreviewed.message).toMatch(/not yet approved or rejected/);
    await client.send(new ApproveAssignmentCommand({ AssignmentId: assignmentId }));
    await client.send(new DeleteHITCommand({ HITId: hitId }));
    expect(fake.hit(hitId).status).toBe('Disposed');
    const afterDispose = await rejection(
      client.send(new UpdateExpirationForHITCommand({ HITId: hitId, ExpireAt: new Date(0) })),
    );
    expect(afterDispose.message).toMatch(/Disposed/);
  });
});

describe('MTurk fake: the Reviewing state and returned work', () => {
  it('marks a Reviewable HIT Reviewing and back; a returned assignment frees the HIT for others', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const hit = await createHit(client);
    const hitId = hit.HITId ?? '';
    const first = fake.acceptHit(hitId, 'A1QUITTER');
    expect(fake.hit(hitId).status).toBe('Unassignable');
    fake.returnAssignment(first.assignmentId);
    expect(fake.assignment(first.assignmentId).state).toBe('Returned');
    expect(fake.hit(hitId).status).toBe('Assignable');
    const second = fake.acceptHit(hitId, 'A1FINISHER');
    fake.submitAssignment(second.assignmentId, { a: '1' });
    const early = await rejection(client.send(new UpdateHITReviewStatusCommand({ HITId: 'nope' })));
    expect(early.message).toMatch(/does not exist/);
    await client.send(new UpdateHITReviewStatusCommand({ HITId: hitId, Revert: false }));
    expect((await client.send(new GetHITCommand({ HITId: hitId }))).HIT?.HITStatus).toBe('Reviewing');
    await client.send(new UpdateHITReviewStatusCommand({ HITId: hitId, Revert: true }));
    expect(fake.hit(hitId).status).toBe('Reviewable');
  });
});

describe('MTurk fake: assignments and money', () => {
  it('gives the worker URL on accept, submits through externalSubmit, and pays reward + 20% on approval', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const hit = await createHit(client, { reward: '0.50' });
    const hitId = hit.HITId ?? '';
    const preview = new URL(fake.previewUrl(hitId));
    expect(preview.searchParams.get('assignmentId')).toBe(ASSIGNMENT_ID_NOT_AVAILABLE);
    expect(preview.searchParams.get('workerId')).toBeNull();
    const accepted = fake.acceptHit(hitId, 'A1WORKER');
    const url = new URL(accepted.url);
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9/task');
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('assignmentId')).toBe(accepted.assignmentId);
    expect(url.searchParams.get('hitId')).toBe(hitId);
    expect(url.searchParams.get('workerId')).toBe('A1WORKER');
    expect(url.searchParams.get('turkSubmitTo')).toBe(fake.turkSubmitTo);
    expect(fake.hit(hitId).status).toBe('Unassignable');

    // Work in progress is invisible to the requester API.
    const early = await rejection(
      client.send(new GetAssignmentCommand({ AssignmentId: accepted.assignmentId })),
    );
    expect(early.message).toMatch(/status of: Reviewable,Approved,Rejected/);
    expect((await client.send(new ListAssignmentsForHITCommand({ HITId: hitId }))).Assignments).toEqual([]);

    const submitted = await fetch(`${fake.turkSubmitTo}/mturk/externalSubmit`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        assignmentId: accepted.assignmentId,
        rating: 'good',
        note: 'a & b',
      }).toString(),
    });
    expect(submitted.status).toBe(200);
    expect(fake.hit(hitId).status).toBe('Reviewable');
    const { Assignment: assignment } = await client.send(
      new GetAssignmentCommand({ AssignmentId: accepted.assignmentId }),
    );
    expect(assignment?.AssignmentStatus).toBe('Submitted');
    expect(parseQuestionFormAnswers(assignment?.Answer ?? '')).toEqual([
      ['rating', 'good'],
      ['note', 'a & b'],
    ]);

    await client.send(
      new ApproveAssignmentCommand({ AssignmentId: accepted.assignmentId, RequesterFeedback: 'ok' }),
    );
    expect(fake.balance).toBeCloseTo(10000 - 0.6, 6);
    const again = await rejection(
      client.send(new ApproveAssignmentCommand({ AssignmentId: accepted.assignmentId })),
    );
    expect(again.name).toBe('RequestError');
    expect(again.message).toMatch(/This operation can be called with a status of: Submitted/);
    expect(fake.balance).toBeCloseTo(10000 - 0.6, 6);
  });

  it('charges 40% on rewards of HITs with 10 or more assignments, and at least a cent', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const big = await createHit(client, { reward: '1.00', maxAssignments: 10 });
    const small = await createHit(client, { reward: '0.01' });
    for (const [hit, worker] of [
      [big, 'A1BIG'],
      [small, 'A1SMALL'],
    ] as const) {
      const { assignmentId } = fake.acceptHit(hit.HITId ?? '', worker);
      fake.submitAssignment(assignmentId);
      await client.send(new ApproveAssignmentCommand({ AssignmentId: assignmentId }));
    }
    expect(fake.ledger().map((e) => [e.kind, e.cents])).toEqual([
      ['reward', -100],
      ['reward_fee', -40],
      ['reward', -1],
      ['reward_fee', -1],
    ]);
  });

  it('requires feedback to reject; a rejection can be overridden by approving', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const hit = await createHit(client);
    const { assignmentId } = fake.acceptHit(hit.HITId ?? '', 'A1WORKER');
    fake.submitAssignment(assignmentId);
    const noFeedback = await rejection(
      client.send(new RejectAssignmentCommand({ AssignmentId: assignmentId } as never)),
    );
    expect(noFeedback.name).toBe('ValidationException');
    await client.send(
      new RejectAssignmentCommand({ AssignmentId: assignmentId, RequesterFeedback: 'empty' }),
    );
    expect(fake.assignment(assignmentId).state).toBe('Rejected');
    expect(fake.balance).toBe(10000);
    const plain = await rejection(client.send(new ApproveAssignmentCommand({ AssignmentId: assignmentId })));
    expect(plain.message).toMatch(/status of: Submitted/);
    await client.send(new ApproveAssignmentCommand({ AssignmentId: assignmentId, OverrideRejection: true }));
    expect(fake.assignment(assignmentId).state).toBe('Approved');
    expect(fake.balance).toBeCloseTo(10000 - 0.6, 6);
  });

  it('abandons an assignment after its duration, and approves on its own after the auto-approval delay', async () => {
    const clock = new TestClock();
    const fake = await startFake({ clock });
    const client = clientFor(fake);
    const hit = await createHit(client, { duration: 60, autoApprove: 120 });
    const hitId = hit.HITId ?? '';
    const slow = fake.acceptHit(hitId, 'A1SLOW');
    clock.advance(61);
    expect(fake.assignment(slow.assignmentId).state).toBe('Abandoned');
    expect((await client.send(new GetHITCommand({ HITId: hitId }))).HIT?.HITStatus).toBe('Assignable');
    expect(() => {
      fake.submitAssignment(slow.assignmentId);
    }).toThrow(MturkWorkerActionError);

    const quick = fake.acceptHit(hitId, 'A1QUICK');
    fake.submitAssignment(quick.assignmentId);
    clock.advance(121);
    const { Assignment: assignment } = await client.send(
      new GetAssignmentCommand({ AssignmentId: quick.assignmentId }),
    );
    expect(assignment?.AssignmentStatus).toBe('Approved');
    expect(fake.assignment(quick.assignmentId).autoApproved).toBe(true);
    expect(fake.balance).toBeCloseTo(10000 - 0.6, 6);
    const late = await rejection(
      client.send(
        new RejectAssignmentCommand({ AssignmentId: quick.assignmentId, RequesterFeedback: 'late' }),
      ),
    );
    expect(late.message).toMatch(/status of: Submitted/);
  });

  it('pays a bonus once per UniqueRequestToken: a repeat is refused as already processed', async () => {
    const clock = new TestClock();
    const fake = await startFake({ clock });
    const client = clientFor(fake);
    const hit = await createHit(client);
    const { assignmentId } = fake.acceptHit(hit.HITId ?? '', 'A1WORKER');
    const inFlight = await rejection(
      client.send(
        new SendBonusCommand({
          WorkerId: 'A1WORKER',
          AssignmentId: assignmentId,
          BonusAmount: '1',
          Reason: 'r',
        }),
      ),
    );
    expect(inFlight.message).toMatch(/does not exist/);
    fake.submitAssignment(assignmentId);
    const bonus = {
      WorkerId: 'A1WORKER',
      AssignmentId: assignmentId,
      BonusAmount: '1.25',
      Reason: 'great work',
      UniqueRequestToken: 'bonus-key-1',
    };
    await client.send(new SendBonusCommand(bonus));
    const repeat = await rejection(client.send(new SendBonusCommand(bonus)));
    expect(repeat.name).toBe('RequestError');
    expect(repeat.message).toMatch(
      /The idempotency token "bonus-key-1" has already been processed\. \(\d+\)/,
    );
    expect(fake.bonuses()).toHaveLength(1);
    expect(fake.balance).toBeCloseTo(10000 - 1.25 - 0.25, 6);
    const listed = await client.send(new ListBonusPaymentsCommand({ AssignmentId: assignmentId }));
    expect(listed.BonusPayments?.map((b) => [b.BonusAmount, b.Reason, b.WorkerId])).toEqual([
      ['1.25', 'great work', 'A1WORKER'],
    ]);
    // MTurk forgets tokens after 24 hours: the same token pays again (callers keep their own record).
    clock.advance(24 * 3600 + 1);
    await client.send(new SendBonusCommand(bonus));
    expect(fake.bonuses()).toHaveLength(2);
  });
});

describe('MTurk fake: qualifications and blocks', () => {
  it('creates qualification types with unique names, grants and revokes scores, and enforces requirements', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const { QualificationType: type } = await client.send(
      new CreateQualificationTypeCommand({
        Name: 'blocked_sandbox',
        Description: 'd',
        QualificationTypeStatus: 'Active',
      }),
    );
    const typeId = type?.QualificationTypeId ?? '';
    const duplicate = await rejection(
      client.send(
        new CreateQualificationTypeCommand({
          Name: 'blocked_sandbox',
          Description: 'd',
          QualificationTypeStatus: 'Active',
        }),
      ),
    );
    expect(duplicate.message).toMatch(/^You have already created a QualificationType with this name\./);
    const found = await client.send(
      new ListQualificationTypesCommand({
        Query: 'blocked',
        MustBeRequestable: true,
        MustBeOwnedByCaller: true,
      }),
    );
    expect(found.QualificationTypes?.map((t) => t.Name)).toEqual(['blocked_sandbox']);

    const hit = await createHit(client, {
      requirements: [
        {
          QualificationTypeId: typeId,
          Comparator: 'DoesNotExist',
          ActionsGuarded: 'DiscoverPreviewAndAccept',
        },
      ],
    });
    await client.send(
      new AssociateQualificationWithWorkerCommand({
        QualificationTypeId: typeId,
        WorkerId: 'A1BAD',
        IntegerValue: 1,
      }),
    );
    expect(fake.qualificationScores('A1BAD')).toHaveLength(1);
    expect(() => fake.acceptHit(hit.HITId ?? '', 'A1BAD')).toThrow(/qualification requirement/);
    expect(() => fake.previewUrl(hit.HITId ?? '', 'A1BAD')).toThrow(MturkWorkerActionError);
    fake.acceptHit(hit.HITId ?? '', 'A1GOOD');

    await client.send(
      new DisassociateQualificationFromWorkerCommand({ QualificationTypeId: typeId, WorkerId: 'A1BAD' }),
    );
    const twice = await rejection(
      client.send(
        new DisassociateQualificationFromWorkerCommand({ QualificationTypeId: typeId, WorkerId: 'A1BAD' }),
      ),
    );
    expect(twice.message).toMatch(/does not exist/);
  });

  it('blocks and unblocks workers; a blocked worker cannot accept', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    await client.send(new CreateWorkerBlockCommand({ WorkerId: 'A1SPAM', Reason: 'spam' }));
    await client.send(new CreateWorkerBlockCommand({ WorkerId: 'A1SPAM', Reason: 'spam again' }));
    expect((await client.send(new ListWorkerBlocksCommand({}))).WorkerBlocks).toEqual([
      { WorkerId: 'A1SPAM', Reason: 'spam again' },
    ]);
    const hit = await createHit(client);
    expect(() => fake.acceptHit(hit.HITId ?? '', 'A1SPAM')).toThrow(/blocked/);
    await client.send(new DeleteWorkerBlockCommand({ WorkerId: 'A1SPAM', Reason: 'sorry' }));
    await client.send(new DeleteWorkerBlockCommand({ WorkerId: 'A1SPAM' }));
    expect(fake.blocks()).toEqual([]);
    fake.acceptHit(hit.HITId ?? '', 'A1SPAM');
  });
});

describe('MTurk fake: fault injection', () => {
  it('throttles with ThrottlingException (400), which the SDK retries', async () => {
    const fake = await startFake();
    fake.failNext('GetAccountBalance', 'throttling');
    const error = await rejection(clientFor(fake).send(new GetAccountBalanceCommand({})));
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    fake.failNext('GetAccountBalance', 'throttling');
    const retried = await clientFor(fake, { maxAttempts: 3 }).send(new GetAccountBalanceCommand({}));
    expect(retried.$metadata.attempts).toBe(2);
  });

  it('answers ServiceFault (500), optionally after the operation took effect', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    fake.failNext('CreateHITWithHITType', 'serviceFault');
    const error = await rejection(createHit(client));
    expect(error.name).toBe('ServiceFault');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(fake.hits()).toHaveLength(0);
    fake.failNext('CreateHITWithHITType', 'serviceFault', { afterEffect: true });
    await rejection(createHit(client, { token: 'tok' }));
    expect(fake.hits()).toHaveLength(1);
  });

  it('holds a reply back so a client with a shorter timeout gives up; the operation still happened', async () => {
    const fake = await startFake();
    fake.failNext('CreateWorkerBlock', 'slow', { delayMs: 2000 });
    const client = clientFor(fake, { requestTimeout: 150 });
    const error = await rejection(
      client.send(new CreateWorkerBlockCommand({ WorkerId: 'A1X', Reason: 'r' })),
    );
    expect(error.name).toBe('TimeoutError');
    expect(fake.blocks()).toEqual([{ workerId: 'A1X', reason: 'r' }]);
  });
});
