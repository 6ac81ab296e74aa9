/** Browser checks behind the `no_mobile` and `no_websockets` blocks. */

/** True on a phone or tablet, by the same user-agent test as mephisto-task. */
export function isMobile(): boolean {
  if (typeof navigator === 'undefined') return false;
  return /Android|webOS|iPhone|iPad|iPod|BlackBerry|IEMobile|Opera Mini/i.test(navigator.userAgent);
}

/**
 * True when the browser has the standard (RFC 6455) WebSocket API. mephisto-task compared browser
 * versions with bowser; this detects the feature instead. The pre-standard API of old browsers had no
 * CLOSING state, so its CLOSED constant was 2 rather than 3.
 */
export function doesSupportWebsockets(): boolean {
  const socketClass: unknown = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof socketClass === 'function' && (socketClass as { CLOSED?: unknown }).CLOSED === 3;
}
