/** Any fragment the app does not know. Test ids: `not-found`. */
import { hrefs } from '../routing/app-route.js';
import { ScreenTitle } from './screen-title.js';

export function NotFoundScreen({ path }: { path: string }) {
  return (
    <section data-testid="not-found">
      <ScreenTitle>Nothing here</ScreenTitle>
      <p>
        There is no screen at <code>{path}</code>. <a href={hrefs.tasks()}>Go to the tasks</a>.
      </p>
    </section>
  );
}
