/** The `:name` parameters of a route path such as `/api/units/:unitId/files/:filename`. */
export type RouteParamName<Route extends string> = Route extends `${string}:${infer Name}/${infer Rest}`
  ? Name | RouteParamName<`/${Rest}`>
  : Route extends `${string}:${infer Name}`
    ? Name
    : never;

/**
 * Fills the `:name` parameters of a REVIEW_ROUTES path. Every value is URI-encoded, so an id or a
 * qualification name can never add path segments or a query string.
 */
export function routePath<Route extends string>(
  route: Route,
  params: Record<RouteParamName<Route>, string>,
): string {
  const values: Record<string, string> = params;
  return route.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`routePath: no value for :${name} in ${route}`);
    return encodeURIComponent(value);
  });
}

/** Appends the set values of `query` (skipping undefined, null and '') as a URL query string. */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}
