/**
 * The review session token. `mephisto review` prints a link `http://host:port/#token=…`: the token is in
 * the fragment so it never reaches server logs or a Referer header. The app takes it from there once,
 * keeps it in sessionStorage (this tab only, gone when the tab closes) so a reload still works, and
 * removes it from the address bar and the current history entry.
 */
const STORAGE_KEY = 'mephisto-review-token';

/** Used when sessionStorage is unavailable (storage disabled): the token then lives for this page load. */
let memoryToken: string | null = null;

/**
 * Returns the session token: from a `#token=` fragment if the URL has one (replacing any stored token,
 * since a new link means a new review session), else the one stored earlier in this tab, else null.
 * Idempotent, so it is safe where React may call it twice (StrictMode state initializers).
 */
export function takeSessionToken(win: Window = window): string | null {
  const fromFragment = tokenInFragment(win.location.hash);
  if (fromFragment !== null) {
    store(win, fromFragment);
    const { pathname, search } = win.location;
    win.history.replaceState(win.history.state, '', `${pathname}${search}`);
    return fromFragment;
  }
  return stored(win);
}

/** Drops the stored token (after the server refused it), so a reload does not try it again. */
export function forgetSessionToken(win: Window = window): void {
  memoryToken = null;
  try {
    win.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled: nothing was stored.
  }
}

/** The token of a `#token=…` fragment (other `&name=value` pairs allowed), or null. */
function tokenInFragment(hash: string): string | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  if (fragment.startsWith('/')) return null; // an app route such as #/runs/7
  const token = new URLSearchParams(fragment).get('token');
  return token === null || token === '' ? null : token;
}

function store(win: Window, token: string): void {
  try {
    win.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    memoryToken = token; // storage disabled: this page load still has it
  }
}

function stored(win: Window): string | null {
  try {
    return win.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return memoryToken;
  }
}
