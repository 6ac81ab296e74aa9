import type { ReactNode } from 'react';

/**
 * A screen's h1 (`#screen-title`). It is focusable from script only (tabIndex -1) so that App can move
 * focus to it when the screen changes, as a page load would for screen-reader and keyboard users.
 */
export function ScreenTitle({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <h1 id="screen-title" tabIndex={-1} data-testid={testId}>
      {children}
    </h1>
  );
}
