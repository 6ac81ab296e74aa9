/**
 * What the task server serves to a worker's browser besides the API: the task page, the task's bundle
 * and assets, and the provider's `wrap_crowd_source.js`. Built by the architect from the run's
 * blueprint and provider.
 */
export interface StaticSite {
  /** Folder whose files are served as-is (the built task: index.html, bundle.js, assets). */
  readonly root: string;
}
