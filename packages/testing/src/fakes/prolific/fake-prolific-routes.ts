/**
 * The fake's API routes under `/api/v1/`: Prolific's paths (trailing slash optional), each named for
 * failure injection, each a call into {@link ProlificFakeState}. Lists come back in Prolific's envelope
 * (`results`, `_links`, `meta.count`), all on one page.
 */
import type { ProlificFakeState } from './fake-prolific-state.js';
import type { ProlificFakeRoute } from './fake-prolific-types.js';

export interface RouteReply {
  readonly status: number;
  /** JSON body; undefined for 204. */
  readonly body?: unknown;
}

interface RouteContext {
  readonly params: readonly string[];
  readonly body: unknown;
  readonly query: URLSearchParams;
  /** The request's own URL, for `_links.self`. */
  readonly href: string;
}

export interface FakeRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly pattern: RegExp;
  readonly name: Exclude<ProlificFakeRoute, 'any'>;
  readonly handle: (state: ProlificFakeState, context: RouteContext) => RouteReply;
}

const ID = '([^/]+)';

function path(template: string): RegExp {
  return new RegExp(`^/api/v1${template}/?$`);
}

function list(results: readonly unknown[], href: string): RouteReply {
  return {
    status: 200,
    body: {
      results,
      _links: {
        self: { href, title: 'Current' },
        next: { href: null, title: 'Next' },
        previous: { href: null, title: 'Previous' },
        last: { href, title: 'Last' },
      },
      meta: { count: results.length },
    },
  };
}

function ok(body: unknown, status = 200): RouteReply {
  return { status, body };
}

function param(context: RouteContext, index: number): string {
  return decodeURIComponent(context.params[index] ?? '');
}

export const FAKE_ROUTES: readonly FakeRoute[] = [
  { method: 'GET', pattern: path('/users/me'), name: 'users.me', handle: (s) => ok(s.me()) },
  {
    method: 'GET',
    pattern: path('/workspaces'),
    name: 'workspaces.list',
    handle: (s, c) => list(s.listWorkspaces(), c.href),
  },
  {
    method: 'POST',
    pattern: path('/workspaces'),
    name: 'workspaces.create',
    handle: (s, c) => ok(s.createWorkspace(c.body), 201),
  },
  {
    method: 'GET',
    pattern: path(`/workspaces/${ID}/balance`),
    name: 'workspaces.balance',
    handle: (s, c) => ok(s.workspaceBalance(param(c, 0))),
  },
  {
    method: 'GET',
    pattern: path(`/workspaces/${ID}/projects`),
    name: 'projects.list',
    handle: (s, c) => list(s.listProjects(param(c, 0)), c.href),
  },
  {
    method: 'POST',
    pattern: path(`/workspaces/${ID}/projects`),
    name: 'projects.create',
    handle: (s, c) => ok(s.createProject(param(c, 0), c.body), 201),
  },
  {
    method: 'GET',
    pattern: path(`/workspaces/${ID}`),
    name: 'workspaces.get',
    handle: (s, c) => ok(s.getWorkspace(param(c, 0))),
  },
  {
    method: 'GET',
    pattern: path(`/projects/${ID}/studies`),
    name: 'projects.studies',
    handle: (s, c) => list(s.listStudies(param(c, 0)), c.href),
  },
  {
    method: 'GET',
    pattern: path(`/projects/${ID}`),
    name: 'projects.get',
    handle: (s, c) => ok(s.getProject(param(c, 0))),
  },
  {
    method: 'GET',
    pattern: path('/studies'),
    name: 'studies.list',
    handle: (s, c) => list(s.listStudies(), c.href),
  },
  {
    method: 'POST',
    pattern: path('/studies'),
    name: 'studies.create',
    handle: (s, c) => ok(s.createStudy(c.body), 201),
  },
  {
    method: 'POST',
    pattern: path(`/studies/${ID}/transition`),
    name: 'studies.transition',
    handle: (s, c) => ok(s.transitionStudy(param(c, 0), c.body)),
  },
  {
    method: 'GET',
    pattern: path(`/studies/${ID}/submissions`),
    name: 'studies.submissions',
    handle: (s, c) => list(s.listSubmissions(param(c, 0)), c.href),
  },
  {
    method: 'GET',
    pattern: path(`/studies/${ID}`),
    name: 'studies.get',
    handle: (s, c) => ok(s.getStudy(param(c, 0))),
  },
  {
    method: 'PATCH',
    pattern: path(`/studies/${ID}`),
    name: 'studies.update',
    handle: (s, c) => ok(s.updateStudy(param(c, 0), c.body)),
  },
  {
    method: 'DELETE',
    pattern: path(`/studies/${ID}`),
    name: 'studies.delete',
    handle: (s, c) => {
      s.deleteStudy(param(c, 0));
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: path('/submissions/bonus-payments'),
    name: 'bonuses.create',
    handle: (s, c) => ok(s.createBulkBonus(c.body), 201),
  },
  {
    method: 'GET',
    pattern: path('/submissions'),
    name: 'submissions.list',
    handle: (s, c) =>
      list(s.listSubmissions(c.query.get('study') ?? c.query.get('study_id') ?? undefined), c.href),
  },
  {
    method: 'POST',
    pattern: path(`/submissions/${ID}/transition`),
    name: 'submissions.transition',
    handle: (s, c) => ok(s.transitionSubmission(param(c, 0), c.body)),
  },
  {
    method: 'GET',
    pattern: path(`/submissions/${ID}`),
    name: 'submissions.get',
    handle: (s, c) => ok(s.getSubmission(param(c, 0))),
  },
  {
    method: 'POST',
    pattern: path(`/bulk-bonus-payments/${ID}/pay`),
    name: 'bonuses.pay',
    handle: (s, c) => ok(s.payBulkBonus(param(c, 0)), 202),
  },
  {
    method: 'GET',
    pattern: path('/participant-groups'),
    name: 'groups.list',
    handle: (s, c) =>
      list(
        s.listGroups(c.query.get('workspace_id') ?? c.query.get('filter[workspace_id]') ?? undefined),
        c.href,
      ),
  },
  {
    method: 'POST',
    pattern: path('/participant-groups'),
    name: 'groups.create',
    handle: (s, c) => ok(s.createGroup(c.body), 201),
  },
  {
    method: 'GET',
    pattern: path(`/participant-groups/${ID}/participants`),
    name: 'groups.participants.list',
    handle: (s, c) => list(s.listMembers(param(c, 0)), c.href),
  },
  {
    method: 'POST',
    pattern: path(`/participant-groups/${ID}/participants`),
    name: 'groups.participants.add',
    handle: (s, c) => ok({ results: s.addMembers(param(c, 0), c.body) }),
  },
  {
    method: 'DELETE',
    pattern: path(`/participant-groups/${ID}/participants`),
    name: 'groups.participants.remove',
    handle: (s, c) => ok({ results: s.removeMembers(param(c, 0), c.body) }),
  },
  {
    method: 'GET',
    pattern: path(`/participant-groups/${ID}`),
    name: 'groups.get',
    handle: (s, c) => ok(s.getGroup(param(c, 0))),
  },
  {
    method: 'DELETE',
    pattern: path(`/participant-groups/${ID}`),
    name: 'groups.delete',
    handle: (s, c) => {
      s.deleteGroup(param(c, 0));
      return { status: 204 };
    },
  },
];

/** The route for a request, or whether the path exists under another method (405). */
export function matchRoute(
  method: string,
  pathname: string,
): { route: FakeRoute; params: string[] } | { route: null; pathKnown: boolean } {
  let pathKnown = false;
  for (const route of FAKE_ROUTES) {
    const match = route.pattern.exec(pathname);
    if (match === null) continue;
    if (route.method === method) return { route, params: match.slice(1) };
    pathKnown = true;
  }
  return { route: null, pathKnown };
}
