/**
 * Data for the fake review server: two tasks, run 7 with 60 units (ids 101–160, so three pages of 50
 * would be two: 50 + 10), run 8 with two; three workers; two qualifications; a monitor snapshot. Unit
 * 101's submission carries markup that must show as text. Run 7 has its spend in parts; run 8 only its
 * total, as an older server sends it.
 */
import type {
  MonitorSnapshot,
  QualificationSummary,
  SpendDetail,
  TaskSummary,
  UnitDetail,
  UnitStatusName,
  WorkerDetail,
} from 'mephisto-ts/review-api';

export const HOSTILE_TEXT = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned=true">';

const WORKERS = [
  { id: '11', name: 'alice' },
  { id: '12', name: 'bob' },
  { id: '13', name: 'carol' },
] as const;

const RUN7_STATUSES: UnitStatusName[] = ['completed', 'completed', 'accepted', 'assigned', 'soft_rejected'];

/** Run 7's spend in parts: paid + pending + owed = rewards + bonuses + fees = 12.50, against a $50 budget. */
const RUN7_SPEND: SpendDetail = {
  paid: 10,
  pending: 0.5,
  owed: 2,
  rewards: 9,
  bonuses: 2,
  fees: 1.5,
  total: 12.5,
  budget: 50,
  awaitingReview: 12,
  awaitingReviewUnits: 24,
};

export interface ReviewFixtures {
  tasks: TaskSummary[];
  units: UnitDetail[];
  workers: WorkerDetail[];
  qualifications: QualificationSummary[];
  monitors: MonitorSnapshot[];
}

export function unitDetail(overrides: Partial<UnitDetail> & { unitId: string }): UnitDetail {
  return {
    assignmentId: `a${overrides.unitId}`,
    runId: '7',
    status: 'completed',
    workerId: '11',
    workerName: 'alice',
    agentId: `g${overrides.unitId}`,
    assignedAt: '2025-05-01T10:00:00.000Z',
    submittedAt: '2025-05-01T10:05:00.000Z',
    pay: 0.5,
    review: { status: null, feedback: null, bonus: 0, reviewedAt: null },
    inputData: { text: `Sentence ${overrides.unitId}` },
    submission: { label: 'positive' },
    files: [],
    history: [],
    ...overrides,
  };
}

export function reviewFixtures(): ReviewFixtures {
  const units: UnitDetail[] = [];
  for (let n = 101; n <= 160; n++) {
    const worker = WORKERS[n % WORKERS.length] ?? WORKERS[0];
    const status = RUN7_STATUSES[n % RUN7_STATUSES.length] ?? 'completed';
    units.push(
      unitDetail({
        unitId: String(n),
        status,
        workerId: worker.id,
        workerName: worker.name,
        submittedAt: status === 'assigned' ? null : '2025-05-01T10:05:00.000Z',
      }),
    );
  }
  const first = units[0];
  if (first) {
    first.submission = { answer: HOSTILE_TEXT, nested: { notes: ['fine', HOSTILE_TEXT] } };
    first.inputData = { text: 'Label <b>this</b>', image: 'cat.png' };
    first.files = [{ name: 'photo <1>.png', size: 2048, url: '/api/units/101/files/photo%20%3C1%3E.png' }];
    first.history = [
      { action: 'soft_reject', at: '2025-05-02T09:00:00.000Z', feedback: 'Too short', amount: null },
    ];
  }
  units.push(unitDetail({ unitId: '201', runId: '8', workerId: '12', workerName: 'bob' }));
  units.push(
    unitDetail({ unitId: '202', runId: '8', status: 'accepted', workerId: '13', workerName: 'carol' }),
  );

  const countsOf = (runId: string): Partial<Record<UnitStatusName, number>> => {
    const counts: Partial<Record<UnitStatusName, number>> = {};
    for (const unit of units) if (unit.runId === runId) counts[unit.status] = (counts[unit.status] ?? 0) + 1;
    return counts;
  };

  return {
    tasks: [
      {
        id: '1',
        name: 'Sentiment labels',
        taskType: 'static-react',
        runs: [
          {
            id: '7',
            taskId: '1',
            created: '2025-05-01T09:00:00.000Z',
            ended: false,
            unitsByStatus: countsOf('7'),
            spend: 12.5,
            spendDetail: RUN7_SPEND,
          },
        ],
      },
      {
        id: '2',
        name: 'Image captions',
        taskType: 'static-html',
        runs: [
          {
            id: '8',
            taskId: '2',
            created: '2025-04-01T09:00:00.000Z',
            ended: true,
            unitsByStatus: countsOf('8'),
            spend: 1,
          },
        ],
      },
    ],
    units,
    workers: WORKERS.map((worker) => ({
      id: worker.id,
      name: worker.name,
      providerType: 'mock',
      blocked: false,
      blockReason: null,
      qualifications: worker.id === '11' ? [{ name: 'trusted', value: 1 }] : [],
      units: units
        .filter((unit) => unit.workerId === worker.id)
        .slice(0, 3)
        .map((unit) => ({ ...unit, taskName: unit.runId === '7' ? 'Sentiment labels' : 'Image captions' })),
      totals: { units: 20, accepted: 15, rejected: 2, earned: 9.75 },
    })),
    qualifications: [
      { name: 'trusted', description: 'Did good work before', granted: 1 },
      { name: 'blocked-from-labels', description: null, granted: 0 },
    ],
    monitors: [
      {
        runId: '7',
        taskName: 'Sentiment labels',
        at: '2025-05-01T11:00:00.000Z',
        ended: false,
        unitsByStatus: countsOf('7'),
        activeWorkers: 3,
        submissionsPerMinute: Array.from({ length: 60 }, (_, index) => ({
          minute: new Date(Date.UTC(2025, 4, 1, 10, index)).toISOString(),
          count: index % 7,
        })),
        spend: 12.5,
        spendDetail: RUN7_SPEND,
        recentErrors: [
          { at: '2025-05-01T10:59:00.000Z', code: 'MEPHISTO_ERR_PROVIDER', message: 'Bonus API timed out' },
        ],
        recentRefusals: [
          {
            at: '2025-05-01T10:58:00.000Z',
            workerName: 'dave',
            code: 'MEPHISTO_ERR_NO_UNITS',
            message: 'No units left <b>now</b>',
          },
        ],
      },
    ],
  };
}
