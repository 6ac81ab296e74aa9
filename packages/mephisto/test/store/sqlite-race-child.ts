/**
 * The other process of the two-process SQLite race in races.test.ts. It opens a store on the SQLite
 * file given, says `ready`, waits for a line on stdin, then asks for an agent on the unit for every
 * worker given, all at once, and prints one JSON line with the outcomes.
 *
 * Usage: node --import tsx sqlite-race-child.ts <database path> <unit id> <first id> <worker id>…
 */
import {
  ManualClock,
  MephistoError,
  SequentialIdGenerator,
  TransitionConflictError,
} from '../../src/core/index.js';
import { openStore } from '../../src/store/open-store.js';

export interface ChildOutcome {
  agentId?: string;
  error?: string;
  code?: string;
  actual?: string;
}

const [path, unitId, firstId, ...workerIds] = process.argv.slice(2);
if (path === undefined || unitId === undefined || firstId === undefined) {
  throw new Error('usage: sqlite-race-child.ts <database path> <unit id> <first id> <worker id>…');
}

const store = await openStore(
  { kind: 'sqlite', path },
  { clock: new ManualClock(), ids: new SequentialIdGenerator(BigInt(firstId)), migrate: false },
);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  process.stdin.once('data', () => {
    resolve();
  });
});

const settled = await Promise.allSettled(
  workerIds.map((workerId) => store.createAgent({ workerId, unitId })),
);
const outcomes: ChildOutcome[] = settled.map((s) => {
  if (s.status === 'fulfilled') return { agentId: s.value.id };
  const reason: unknown = s.reason;
  return {
    error: reason instanceof Error ? reason.name : String(reason),
    ...(reason instanceof MephistoError ? { code: reason.code } : {}),
    ...(reason instanceof TransitionConflictError ? { actual: reason.actual } : {}),
  };
});
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
await store.close();
