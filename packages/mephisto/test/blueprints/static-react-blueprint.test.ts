import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlueprintContext } from '../../src/blueprints/blueprint-context.js';
import { BlueprintArgsError } from '../../src/blueprints/blueprint-errors.js';
import { StaticReactBlueprint } from '../../src/blueprints/static-react/static-react-blueprint.js';
import { collect, FakeAgentSession, isSettled, TEST_UNIT } from './fake-agent-session.js';
import { FIXTURE_ITEMS, FIXTURE_TASK_DIR, staticReactArgs } from './task-data-files.js';

const context: BlueprintContext = { taskDir: FIXTURE_TASK_DIR };

function build(fields: Record<string, unknown>, ctx: BlueprintContext = context): StaticReactBlueprint {
  return new StaticReactBlueprint(staticReactArgs({ data_jsonl: 'data.jsonl', ...fields }), ctx);
}

describe('static_react_task blueprint', () => {
  it('has type static_react_task and resolves the bundle path without requiring it to exist yet', () => {
    const blueprint = build({ link_task_source: true });
    expect(blueprint.type).toBe('static_react_task');
    expect(blueprint.taskSourcePath).toBe(join(FIXTURE_TASK_DIR, 'webapp/build/bundle.js'));
    expect(blueprint.linkTaskSource).toBe(true);
    expect(build({}).linkTaskSource).toBe(false);
  });

  it('refuses an empty task_source', () => {
    expect(() => build({ task_source: '  ' })).toThrow(
      new BlueprintArgsError(
        'static_react_task: task_source is empty; set it to the built bundle, e.g. ${task_dir}/webapp/build/bundle.js',
      ),
    );
  });

  it('yields one assignment per data item', async () => {
    const data = await collect(build({ units_per_assignment: 3 }).initializationData());
    expect(data).toEqual(FIXTURE_ITEMS.map((shared) => ({ shared, unitData: [{}, {}, {}] })));
  });

  it("gives a unit its assignment's shared data as is", () => {
    const shared = { text: 'Hi' };
    expect(build({}).initDataForUnit({ shared, unitData: [{}] }, TEST_UNIT)).toBe(shared);
  });

  it('gives the front end a copy of the run script task_config', () => {
    const taskConfig = { instructions: 'Be kind' };
    const args = build({}, { ...context, sharedState: { taskConfig } }).frontendArgs();
    expect(args).toEqual(taskConfig);
    expect(args).not.toBe(taskConfig);
    expect(build({}).frontendArgs()).toEqual({});
  });

  it('runUnit resolves once the worker submits', async () => {
    const session = new FakeAgentSession();
    const running = build({}).runUnit(session);
    expect(await isSettled(running)).toBe(false);
    session.workerSubmits({ answer: 1 });
    await expect(running).resolves.toBeUndefined();
  });
});
