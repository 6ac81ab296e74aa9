/**
 * The review app: takes the session token, then shows the screen the URL fragment names inside a
 * header with the main navigation. A 401 from any request replaces everything with the expired-link
 * screen. Each screen is keyed by its ids, so moving to another run or worker starts from fresh state;
 * focus moves to the new screen's h1 and document.title follows the screen.
 *
 * Test ids: `skip-link`, `app-nav`, `nav-tasks`, `nav-qualifications`, `worker-jump-input`,
 * `worker-jump-submit`; each screen documents its own at the top of its file (screens/*.tsx).
 */
import { useEffect, useRef, useState } from 'react';
import { ReviewClient } from './api/review-client.js';
import { ReviewClientContext } from './api/review-client-context.js';
import { WorkerJumpForm } from './components/worker-jump-form.js';
import { hrefs, type AppRoute } from './routing/app-route.js';
import { useHashRoute } from './routing/use-hash-route.js';
import { MonitorScreen } from './screens/monitor-screen.js';
import { NotFoundScreen } from './screens/not-found-screen.js';
import { QualificationsScreen } from './screens/qualifications-screen.js';
import { RunUnitsScreen } from './screens/run-units-screen.js';
import { SessionExpiredScreen } from './screens/session-expired-screen.js';
import { TasksScreen } from './screens/tasks-screen.js';
import { WorkerScreen } from './screens/worker-screen.js';
import { forgetSessionToken, takeSessionToken } from './session/session-token.js';

export interface AppProps {
  /** Passed to ReviewClient: pauses before re-sending an action whose outcome is unknown. */
  retryDelaysMs?: readonly number[];
}

export function App({ retryDelaysMs }: AppProps) {
  const [token] = useState(takeSessionToken);
  const [rejected, setRejected] = useState(false);
  const [client] = useState(() =>
    token === null
      ? null
      : new ReviewClient({
          token,
          retryDelaysMs,
          onUnauthorized: () => {
            forgetSessionToken();
            setRejected(true);
          },
        }),
  );
  const route = useHashRoute();

  if (client === null) return <SessionExpiredScreen reason="missing" />;
  if (rejected) return <SessionExpiredScreen reason="rejected" />;
  return (
    <ReviewClientContext value={client}>
      <Layout route={route} />
    </ReviewClientContext>
  );
}

function Layout({ route }: { route: AppRoute }) {
  const screenKey = screenIdentity(route);
  const title = screenName(route);
  const openUnit = route.screen === 'run-units' ? route.unitId : null;
  const mounted = useRef(false);

  useEffect(() => {
    document.title = `${title} · mephisto-ts review`;
  }, [title]);

  useEffect(() => {
    // A new screen is like a new page: focus goes to its title (not on first load, where the browser
    // starts at the top anyway; not when a unit's panel opens with it, as the panel takes focus itself).
    if (mounted.current && openUnit === null) document.getElementById('screen-title')?.focus();
    mounted.current = true;
    // Only a different screen moves focus, not opening or closing a unit's panel: hence screenKey.
  }, [screenKey]);

  return (
    <>
      <a
        className="skip-link"
        href="#screen-title"
        data-testid="skip-link"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('screen-title')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href={hrefs.tasks()}>
          mephisto-ts review
        </a>
        <nav aria-label="Main" data-testid="app-nav">
          <a
            href={hrefs.tasks()}
            data-testid="nav-tasks"
            aria-current={route.screen === 'tasks' ? 'page' : undefined}
          >
            Tasks
          </a>
          <a
            href={hrefs.qualifications()}
            data-testid="nav-qualifications"
            aria-current={route.screen === 'qualifications' ? 'page' : undefined}
          >
            Qualifications
          </a>
        </nav>
        <WorkerJumpForm />
      </header>
      <main id="main">
        <Screen route={route} />
      </main>
    </>
  );
}

function Screen({ route }: { route: AppRoute }) {
  switch (route.screen) {
    case 'tasks':
      return <TasksScreen />;
    case 'run-units':
      return <RunUnitsScreen key={route.runId} runId={route.runId} unitId={route.unitId} />;
    case 'monitor':
      return <MonitorScreen key={route.runId} runId={route.runId} />;
    case 'worker':
      return <WorkerScreen key={route.workerId} workerId={route.workerId} />;
    case 'qualifications':
      return <QualificationsScreen />;
    case 'not-found':
      return <NotFoundScreen path={route.path} />;
  }
}

/** Which screen is showing, ignoring the open unit panel. */
function screenIdentity(route: AppRoute): string {
  switch (route.screen) {
    case 'run-units':
    case 'monitor':
      return `${route.screen}:${route.runId}`;
    case 'worker':
      return `worker:${route.workerId}`;
    case 'not-found':
      return `not-found:${route.path}`;
    default:
      return route.screen;
  }
}

function screenName(route: AppRoute): string {
  switch (route.screen) {
    case 'tasks':
      return 'Tasks';
    case 'run-units':
      return route.unitId === null ? `Run ${route.runId}` : `Unit ${route.unitId} · Run ${route.runId}`;
    case 'monitor':
      return `Monitor run ${route.runId}`;
    case 'worker':
      return `Worker ${route.workerId}`;
    case 'qualifications':
      return 'Qualifications';
    case 'not-found':
      return 'Not found';
  }
}
