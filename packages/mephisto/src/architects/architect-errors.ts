/** Errors of the architects. Codes are in the ERROR_CODES registry (docs/errors.md). */
import { MephistoError } from '../core/index.js';

/** The server could not bind its address. */
export class ArchitectListenError extends MephistoError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
  ) {
    super(
      'MEPHISTO_ERR_ARCHITECT_LISTEN',
      `the task server cannot listen on ${host}:${port}: ${reason}` +
        (reason.includes('EADDRINUSE')
          ? `; another program uses port ${port}: stop it, or set mephisto.architect.port to another port (0 picks a free one)`
          : ''),
    );
  }
}
