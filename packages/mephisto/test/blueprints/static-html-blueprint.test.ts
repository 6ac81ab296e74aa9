import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InitializationData } from '../../src/blueprints/blueprint.js';
import type { BlueprintContext } from '../../src/blueprints/blueprint-context.js';
import {
  BlueprintArgsError,
  TaskDataMissingError,
  TaskFileNotFoundError,
} from '../../src/blueprints/blueprint-errors.js';
import { StaticHtmlBlueprint } from '../../src/blueprints/static-html/static-html-blueprint.js';
import { collect, FakeAgentSession, FakeAgentGone, isSettled, TEST_UNIT } from './fake-agent-session.js';
import { FIXTURE_ITEMS, FIXTURE_TASK_DIR, staticTaskArgs, TempTaskDir } from './task-data-files.js';

const context: BlueprintContext = { taskDir: FIXTURE_TASK_DIR };
const temp = new TempTaskDir();
afterAll(() => {
  temp.remove();
});

function build(fields: Record<string, unknown>, ctx: BlueprintContext = context): StaticHtmlBlueprint {
  return new StaticHtmlBlueprint(staticTaskArgs({ data_csv: 'data.csv', ...fields }), ctx);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('static_task blueprint', () => {
  it('has type static_task and resolves its HTML files against the task directory', () => {
    const blueprint = build({ preview_source: 'preview.html', onboarding_source: 'onboarding.html' });
    expect(blueprint.type).toBe('static_task');
    expect(blueprint.taskSourcePath).toBe(join(FIXTURE_TASK_DIR, 'task.html'));
    expect(blueprint.previewSourcePath).toBe(join(FIXTURE_TASK_DIR, 'preview.html'));
    expect(blueprint.onboardingSourcePath).toBe(join(FIXTURE_TASK_DIR, 'onboarding.html'));
    expect(blueprint.htmlFileName).toBe('task.html');
  });

  it('previews with the task HTML when preview_source is unset, as Mephisto', () => {
    const blueprint = build({});
    expect(blueprint.previewSourcePath).toBe(blueprint.taskSourcePath);
    expect(blueprint.onboardingSourcePath).toBeUndefined();
  });

  it('yields one assignment per data row with units_per_assignment units', async () => {
    const data = await collect(build({ units_per_assignment: 2 }).initializationData());
    expect(data).toEqual(FIXTURE_ITEMS.map((shared) => ({ shared, unitData: [{}, {}] })));
  });

  it('gives a unit its assignment data plus html, without changing the stored data', () => {
    const data: InitializationData = { shared: { text: 'Hi' }, unitData: [{}] };
    expect(build({}).initDataForUnit(data, TEST_UNIT)).toEqual({ text: 'Hi', html: 'task.html' });
    expect(data.shared).toEqual({ text: 'Hi' });
  });

  it('gives the front end the run script task_config and the HTML file names', () => {
    const blueprint = build(
      { preview_source: 'preview.html', onboarding_source: 'onboarding.html' },
      { ...context, sharedState: { taskConfig: { instructions: 'Be kind', html: 'overridden' } } },
    );
    expect(blueprint.frontendArgs()).toEqual({
      instructions: 'Be kind',
      html: 'task.html',
      preview_html: 'preview.html',
      onboarding_html: 'onboarding.html',
    });
    expect(build({}).frontendArgs()).toEqual({ html: 'task.html', preview_html: 'task.html' });
  });

  it('uses run-script data when no data file is set', async () => {
    const blueprint = new StaticHtmlBlueprint(staticTaskArgs({}), {
      ...context,
      sharedState: { staticTaskData: [{ text: 'from script' }] },
    });
    expect((await collect(blueprint.initializationData())).map((d) => d.shared)).toEqual([
      { text: 'from script' },
    ]);
  });

  it('runUnit resolves once the worker submits', async () => {
    const session = new FakeAgentSession();
    const running = build({}).runUnit(session);
    expect(await isSettled(running)).toBe(false);
    session.workerSubmits({ rating: 'good' });
    await expect(running).resolves.toBeUndefined();
    expect(session.calls).toEqual({ awaitSubmit: 1, nextLiveUpdate: 0 });
  });

  it('runUnit rejects as the session does when the worker leaves', async () => {
    const session = new FakeAgentSession();
    const running = build({}).runUnit(session);
    session.workerLeaves();
    await expect(running).rejects.toBeInstanceOf(FakeAgentGone);
  });

  it('fails at construction when task_source does not exist', () => {
    const error = thrown(() => build({ task_source: 'missing.html' }));
    expect(error).toBeInstanceOf(TaskFileNotFoundError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_TASK_FILE_NOT_FOUND',
      message: `task_source: file ${join(FIXTURE_TASK_DIR, 'missing.html')} does not exist (given as "missing.html")`,
    });
  });

  it('fails at construction when preview_source or onboarding_source does not exist', () => {
    expect(() => build({ preview_source: 'nope.html' })).toThrow(
      `preview_source: file ${join(FIXTURE_TASK_DIR, 'nope.html')} does not exist (given as "nope.html")`,
    );
    expect(() => build({ onboarding_source: 'nope.html' })).toThrow(
      `onboarding_source: file ${join(FIXTURE_TASK_DIR, 'nope.html')} does not exist (given as "nope.html")`,
    );
  });

  it('needs onboarding_source when onboarding_qualification is set', () => {
    const error = thrown(() => build({ onboarding_qualification: 'knows-the-task' }));
    expect(error).toBeInstanceOf(BlueprintArgsError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_BLUEPRINT_ARGS',
      message:
        'static_task: onboarding_qualification "knows-the-task" is set but onboarding_source is not; ' +
        'onboarding needs an HTML page (set mephisto.blueprint.onboarding_source)',
    });
    expect(() =>
      build({ onboarding_qualification: 'knows-the-task', onboarding_source: 'onboarding.html' }),
    ).not.toThrow();
  });

  it('fails at construction when a data file is missing or there is no data', () => {
    expect(() => build({ data_csv: 'none.csv' })).toThrow(TaskFileNotFoundError);
    expect(() => new StaticHtmlBlueprint(staticTaskArgs({}), context)).toThrow(TaskDataMissingError);
  });

  it('reports a malformed data file when the data is read', async () => {
    temp.write('task.html', '<p>${x}</p>');
    const path = temp.write('rows.csv', 'x,y\n1\n');
    const blueprint = new StaticHtmlBlueprint(staticTaskArgs({ data_csv: 'rows.csv' }), {
      taskDir: temp.path,
    });
    await expect(collect(blueprint.initializationData())).rejects.toThrow(
      `${path}:2: row has 1 field but the header has 2`,
    );
  });
});
