/**
 * `mock`: a blueprint for tests (Mephisto's MockBlueprint). It has no data and no front end: each of
 * `num_assignments` assignments has two units, and a unit's server side waits for one live update from
 * the (simulated) worker, echoes it back, and returns, leaving the engine to wait
 * `submission_timeout` for the submit.
 *
 * `is_concurrent` is accepted for config compatibility, but mephisto-ts runs every unit on its own:
 * with `is_concurrent: true` the two units of an assignment are not paired (Mephisto would start them
 * together once both had an agent).
 */
import type { MockBlueprintArgs } from '../../core/config/blueprint-args.js';
import type { Scheduler, Timer, Unit } from '../../core/index.js';
import { createSystemScheduler, systemClock } from '../../core/index.js';
import type { AgentSession, Blueprint, InitializationData, TaskDataSource } from '../blueprint.js';
import type { BlueprintContext } from '../blueprint-context.js';

export const MOCK_BLUEPRINT_TYPE = 'mock';
/** Units per mock assignment, as in Mephisto. */
export const MOCK_UNITS_PER_ASSIGNMENT = 2;

const NO_UPDATE = Symbol('no live update');

export class MockBlueprint implements Blueprint {
  readonly type = MOCK_BLUEPRINT_TYPE;
  readonly #scheduler: Scheduler;
  readonly #taskConfig: Readonly<Record<string, unknown>>;

  constructor(
    readonly args: MockBlueprintArgs,
    context: BlueprintContext,
  ) {
    this.#scheduler = context.scheduler ?? createSystemScheduler(systemClock);
    this.#taskConfig = { ...context.sharedState?.taskConfig };
  }

  /** `num_assignments` empty assignments of two units each; iterable any number of times. */
  initializationData(): TaskDataSource {
    const count = this.args.num_assignments;
    return {
      *[Symbol.iterator]() {
        for (let i = 0; i < count; i++) {
          yield { shared: {}, unitData: Array.from({ length: MOCK_UNITS_PER_ASSIGNMENT }, () => ({})) };
        }
      },
    };
  }

  /** Mock units carry no data. */
  initDataForUnit(_data: InitializationData, _unit: Unit): unknown {
    return {};
  }

  frontendArgs(): Readonly<Record<string, unknown>> {
    return { ...this.#taskConfig };
  }

  /**
   * Waits for the worker's first live update (at most `timeout_time` seconds when that is above 0,
   * after which it returns without one, as Mephisto's mock runner does), sends it back to the worker,
   * and returns. Rejects as the session's waits do when the agent goes away.
   */
  async runUnit(session: AgentSession): Promise<void> {
    const update = await this.#firstLiveUpdate(session);
    if (typeof update === 'object' && update !== null && !Array.isArray(update)) {
      session.sendLiveUpdate(update as Readonly<Record<string, unknown>>);
    }
  }

  /**
   * Whether a mock onboarding submission passes: its `should_pass` field is `true` (Mephisto's mock
   * validate_onboarding). For the engine's onboarding step and tests.
   */
  validateOnboarding(data: unknown): boolean {
    return (
      typeof data === 'object' && data !== null && (data as { should_pass?: unknown }).should_pass === true
    );
  }

  async #firstLiveUpdate(session: AgentSession): Promise<unknown> {
    const update = session.nextLiveUpdate();
    const seconds = this.args.timeout_time;
    if (seconds <= 0) return update;
    // If the timer wins, the pending wait may still reject later (the agent leaves): keep that from
    // surfacing as an unhandled rejection.
    update.catch(() => undefined);
    let timer: Timer | undefined;
    const timeout = new Promise<typeof NO_UPDATE>((resolve) => {
      timer = this.#scheduler.setTimer(seconds * 1000, () => {
        resolve(NO_UPDATE);
      });
    });
    try {
      const result = await Promise.race([update, timeout]);
      return result === NO_UPDATE ? undefined : result;
    } finally {
      timer?.cancel();
    }
  }
}
