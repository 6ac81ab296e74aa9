import { describe, expect, it } from 'vitest';
import type { BlueprintContext } from '../../src/blueprints/blueprint-context.js';
import { MockBlueprint } from '../../src/blueprints/mock/mock-blueprint.js';
import type { MockBlueprintArgs } from '../../src/core/config/blueprint-args.js';
import { MockBlueprintArgsSchema } from '../../src/core/config/blueprint-args.js';
import { ManualClock } from '../../src/core/index.js';
import { collect, FakeAgentGone, FakeAgentSession, isSettled, TEST_UNIT } from './fake-agent-session.js';

function mockArgs(fields: Record<string, unknown> = {}): MockBlueprintArgs {
  return MockBlueprintArgsSchema.parse({ num_assignments: 3, ...fields });
}

function build(fields: Record<string, unknown> = {}, context: Partial<BlueprintContext> = {}): MockBlueprint {
  return new MockBlueprint(mockArgs(fields), { taskDir: '/nonexistent', ...context });
}

describe('mock blueprint', () => {
  it('yields num_assignments assignments of two units each, on every iteration', async () => {
    const blueprint = build();
    expect(blueprint.type).toBe('mock');
    const expected = Array.from({ length: 3 }, () => ({ shared: {}, unitData: [{}, {}] }));
    expect(await collect(blueprint.initializationData())).toEqual(expected);
    expect(await collect(blueprint.initializationData())).toEqual(expected);
    expect(await collect(build({ num_assignments: 0 }).initializationData())).toEqual([]);
  });

  it('gives units no data and the front end only the run script task_config', () => {
    expect(build().initDataForUnit({ shared: { a: 1 }, unitData: [{}] }, TEST_UNIT)).toEqual({});
    expect(build({}, { sharedState: { taskConfig: { k: 'v' } } }).frontendArgs()).toEqual({ k: 'v' });
  });

  it('runUnit waits for the first live update, echoes it, and returns without waiting for the submit', async () => {
    const session = new FakeAgentSession();
    const running = build().runUnit(session);
    expect(await isSettled(running)).toBe(false);
    session.workerSends({ text: 'hello' });
    await expect(running).resolves.toBeUndefined();
    expect(session.sent).toEqual([{ text: 'hello' }]);
    expect(session.calls).toEqual({ awaitSubmit: 0, nextLiveUpdate: 1 });
  });

  it('does not echo a live update that is not an object', async () => {
    const session = new FakeAgentSession();
    session.workerSends('just text');
    await build().runUnit(session);
    expect(session.sent).toEqual([]);
  });

  it('with timeout_time, returns without an update once the time has passed', async () => {
    const clock = new ManualClock();
    const session = new FakeAgentSession();
    const running = build({ timeout_time: 5 }, { scheduler: clock }).runUnit(session);
    await clock.tick(4_999);
    expect(await isSettled(running)).toBe(false);
    await clock.tick(1);
    await expect(running).resolves.toBeUndefined();
    expect(session.sent).toEqual([]);
    // The wait the timer beat may still fail later; that must not surface as an unhandled rejection.
    session.workerLeaves();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('with timeout_time, cancels its timer when the update comes first', async () => {
    const clock = new ManualClock();
    const session = new FakeAgentSession();
    const running = build({ timeout_time: 5 }, { scheduler: clock }).runUnit(session);
    session.workerSends({ ok: true });
    await running;
    expect(session.sent).toEqual([{ ok: true }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runUnit rejects as the session does when the worker leaves', async () => {
    const session = new FakeAgentSession();
    const running = build().runUnit(session);
    session.workerLeaves();
    await expect(running).rejects.toBeInstanceOf(FakeAgentGone);
  });

  it('passes onboarding when the submission has should_pass: true', () => {
    const blueprint = build({ use_onboarding: true });
    expect(blueprint.validateOnboarding({ should_pass: true })).toBe(true);
    expect(blueprint.validateOnboarding({ should_pass: false })).toBe(false);
    expect(blueprint.validateOnboarding({})).toBe(false);
    expect(blueprint.validateOnboarding(null)).toBe(false);
  });
});
