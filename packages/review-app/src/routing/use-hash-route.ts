import { useMemo, useSyncExternalStore } from 'react';
import { parseRoute, type AppRoute } from './app-route.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  window.addEventListener('popstate', onChange);
  return () => {
    window.removeEventListener('hashchange', onChange);
    window.removeEventListener('popstate', onChange);
  };
}

const currentHash = (): string => window.location.hash;

/** The current route, re-rendering on every fragment change (links, back/forward, typed URLs). */
export function useHashRoute(): AppRoute {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return useMemo(() => parseRoute(hash), [hash]);
}
