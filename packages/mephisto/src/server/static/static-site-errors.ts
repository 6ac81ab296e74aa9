/**
 * Errors of the pages and assets served to workers' browsers. Their codes are in the ERROR_CODES
 * registry (docs/errors.md). A build error is raised when the run is set up, before any worker arrives;
 * a missing file is raised while answering a browser, as a 500 naming the path.
 */
import { MephistoError } from '../../core/index.js';

/** The site cannot be built from the blueprint and provider given. */
export class SiteBuildError extends MephistoError {
  constructor(message: string) {
    super('MEPHISTO_ERR_SITE_BUILD', message);
  }
}

/** A file the page loads is gone (or unreadable) when a browser asks for it. */
export class SiteFileMissingError extends MephistoError {
  constructor(
    /** The blueprint argument that names the file, e.g. `task_source`. */
    readonly argument: string,
    /** The absolute path that was read. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      'MEPHISTO_ERR_SITE_FILE_MISSING',
      `${argument}: ${path} cannot be read` +
        (argument === 'task_source' && path.endsWith('.js') ? ' (has the task bundle been built?)' : ''),
      options,
    );
  }
}
