/**
 * Why a worker asking for work got none, and what they are told. One module, so the worker server, the
 * simulated workers and docs/engine.md all use the same codes and words.
 *
 * Mephisto answers every capped or empty request with one catch-all ("There is currently no available
 * work…"), although it defines texts for the caps it never sends. mephisto-ts says which rule applied.
 */

/** Stable codes, sent to the browser as `failure_code` beside the message. */
export const REFUSAL_CODES = [
  'no_units',
  'too_many_concurrent',
  'max_for_task',
  'blocked',
  'not_qualified',
  'run_over',
  'provider_refused',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** The figures a message may quote. */
export interface RefusalFigures {
  /** Units of this run the worker holds now. */
  readonly held?: number;
  /** The cap that applied (allowed_concurrent or maximum_units_per_worker). */
  readonly limit?: number;
}

function units(n: number): string {
  return n === 1 ? '1 unit' : `${n} units`;
}

/** The plain message a worker sees for `code`. */
export function refusalMessage(code: RefusalCode, figures: RefusalFigures = {}): string {
  switch (code) {
    case 'no_units':
      return 'There is no work available for you right now. Please try again later.';
    case 'too_many_concurrent': {
      const held = figures.held ?? figures.limit ?? 1;
      return (
        `You are already working on ${units(held)} of this task; ` +
        `finish ${held === 1 ? 'it' : 'one'} before taking another.`
      );
    }
    case 'max_for_task':
      return figures.limit === undefined
        ? 'You have reached the maximum number of units for this task.'
        : `You have reached the maximum of ${units(figures.limit)} for this task.`;
    case 'blocked':
      return 'You are not allowed to work on this task.';
    case 'not_qualified':
      return 'You do not have the qualifications this task requires.';
    case 'run_over':
      return 'This task is no longer accepting work.';
    case 'provider_refused':
      return (
        'This page was not opened the way the crowd platform hands out work (for example a preview ' +
        'that was not accepted). Accept the task on the platform and open it from there.'
      );
  }
}

/** One line per code: when it is sent. For docs/engine.md and the server's error documentation. */
export const REFUSAL_WHEN: { readonly [C in RefusalCode]: string } = {
  no_units:
    'Nothing is on offer that this worker may take (every launched unit is taken, or in an assignment they already worked on, or turned down by worker_can_do_unit).',
  too_many_concurrent: 'The worker already holds `allowed_concurrent` units of this run.',
  max_for_task:
    'The worker holds or has submitted `maximum_units_per_worker` units across every run of the task.',
  blocked:
    "The worker is blocked: in the store, by the provider, or by a grant of the blueprint's `block_qualification`.",
  not_qualified: "The worker fails one of the run's qualification requirements.",
  run_over: 'The run is shutting down, has ended, or its `task_lifetime_in_seconds` has passed.',
  provider_refused:
    "The provider refused the page's registration (`registerAgent`: an MTurk preview or a HIT of another run, a Prolific session of another study); the unit is offered again.",
};
