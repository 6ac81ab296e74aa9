/** Building the links workers open. */

/**
 * `base` with `params` appended as a query string: after `?`, or after `&` when `base` already has a
 * query. Values are URI-encoded; placeholders such as `WORKER_USERNAME` are left readable.
 */
export function linkWithQuery(base: string, params: Readonly<Record<string, string>>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  if (!base.includes('?')) return `${base}?${query}`;
  return base.endsWith('?') || base.endsWith('&') ? `${base}${query}` : `${base}&${query}`;
}
