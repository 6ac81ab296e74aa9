/**
 * The app's screens and their addresses. Routes live in the URL fragment (`#/runs/7/units/42`): the
 * server serves one index.html at `/` and needs no fallback route, and reload/back/forward just work.
 */
export type AppRoute =
  | { screen: 'tasks' }
  | { screen: 'run-units'; runId: string; unitId: string | null }
  | { screen: 'monitor'; runId: string }
  | { screen: 'worker'; workerId: string }
  | { screen: 'qualifications' }
  | { screen: 'not-found'; path: string };

const id = (value: string): string => encodeURIComponent(value);

/** Hrefs of each screen, ids URI-encoded. */
export const hrefs = {
  tasks: (): string => '#/',
  run: (runId: string, unitId?: string | null): string =>
    unitId ? `#/runs/${id(runId)}/units/${id(unitId)}` : `#/runs/${id(runId)}`,
  monitor: (runId: string): string => `#/runs/${id(runId)}/monitor`,
  worker: (workerId: string): string => `#/workers/${id(workerId)}`,
  qualifications: (): string => '#/qualifications',
};

/** Reads a route from `location.hash`; anything unrecognised (or badly encoded) is `not-found`. */
export function parseRoute(hash: string): AppRoute {
  const path = hash.replace(/^#/, '').replace(/^\/?/, '/').replace(/\/+$/, '') || '/';
  let segments: string[];
  try {
    segments = path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return { screen: 'not-found', path };
  }
  const [first, second, third, fourth, ...rest] = segments;
  if (first === undefined || first === '') return { screen: 'tasks' };
  if (first === 'qualifications' && second === undefined) return { screen: 'qualifications' };
  if (first === 'workers' && second && third === undefined) return { screen: 'worker', workerId: second };
  if (first === 'runs' && second && rest.length === 0) {
    if (third === undefined) return { screen: 'run-units', runId: second, unitId: null };
    if (third === 'monitor' && fourth === undefined) return { screen: 'monitor', runId: second };
    if (third === 'units' && fourth) return { screen: 'run-units', runId: second, unitId: fourth };
  }
  return { screen: 'not-found', path };
}
