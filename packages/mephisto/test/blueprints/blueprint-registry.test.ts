import { describe, expect, it } from 'vitest';
import type { Blueprint } from '../../src/blueprints/blueprint.js';
import {
  BlueprintNotAvailableError,
  UnknownBlueprintTypeError,
} from '../../src/blueprints/blueprint-errors.js';
import {
  BlueprintRegistry,
  createBlueprint,
  createBlueprintRegistry,
  defaultBlueprintRegistry,
} from '../../src/blueprints/blueprint-registry.js';
import { MockBlueprint } from '../../src/blueprints/mock/mock-blueprint.js';
import { StaticHtmlBlueprint } from '../../src/blueprints/static-html/static-html-blueprint.js';
import { StaticReactBlueprint } from '../../src/blueprints/static-react/static-react-blueprint.js';
import type { BlueprintArgs } from '../../src/core/config/blueprint-args.js';
import {
  MockBlueprintArgsSchema,
  RemoteProcedureBlueprintArgsSchema,
} from '../../src/core/config/blueprint-args.js';
import { InvalidArgumentError } from '../../src/core/index.js';
import { FIXTURE_TASK_DIR, staticReactArgs, staticTaskArgs } from './task-data-files.js';

const context = { taskDir: FIXTURE_TASK_DIR };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('blueprint registry', () => {
  it('builds each built-in blueprint from its args', () => {
    expect(createBlueprint(staticTaskArgs({ data_csv: 'data.csv' }), context)).toBeInstanceOf(
      StaticHtmlBlueprint,
    );
    expect(createBlueprint(staticReactArgs({ data_json: 'data.json' }), context)).toBeInstanceOf(
      StaticReactBlueprint,
    );
    expect(createBlueprint(MockBlueprintArgsSchema.parse({ num_assignments: 1 }), context)).toBeInstanceOf(
      MockBlueprint,
    );
  });

  it('lists the implemented types and the ones not available yet', () => {
    expect(defaultBlueprintRegistry.types()).toEqual(['mock', 'static_react_task', 'static_task']);
    expect(defaultBlueprintRegistry.notAvailableTypes()).toEqual(['remote_procedure']);
  });

  it('says a known but unimplemented type is not available yet', () => {
    const args = RemoteProcedureBlueprintArgsSchema.parse({ task_source: 'bundle.js' });
    const error = thrown(() => createBlueprint(args, context));
    expect(error).toBeInstanceOf(BlueprintNotAvailableError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_TYPE_NOT_AVAILABLE',
      message:
        'blueprint type "remote_procedure" is not available in mephisto-ts yet; ' +
        'available: mock, static_react_task, static_task',
    });
  });

  it('lists the known types for an unknown type', () => {
    const args = { _blueprint_type: 'parlai_chat' } as unknown as BlueprintArgs;
    const error = thrown(() => createBlueprint(args, context));
    expect(error).toBeInstanceOf(UnknownBlueprintTypeError);
    expect(error).toMatchObject({
      code: 'MEPHISTO_ERR_UNKNOWN_TYPE',
      message:
        'unknown blueprint type "parlai_chat"; available: mock, static_react_task, static_task ' +
        '(not available yet: remote_procedure)',
    });
  });

  it('passes what the factory throws through', () => {
    expect(() =>
      createBlueprint(staticTaskArgs({ task_source: 'none.html', data_csv: 'data.csv' }), context),
    ).toThrow(/task_source: file .*none\.html does not exist/);
  });

  it('takes registrations (which replace "not available yet") and refuses duplicates', () => {
    const registry = createBlueprintRegistry();
    const custom: Blueprint = {
      type: 'remote_procedure',
      initializationData: () => [],
      initDataForUnit: () => ({}),
      frontendArgs: () => ({}),
      runUnit: () => Promise.resolve(),
    };
    registry.register('remote_procedure', () => custom);
    expect(registry.notAvailableTypes()).toEqual([]);
    const args = RemoteProcedureBlueprintArgsSchema.parse({ task_source: 'bundle.js' });
    expect(createBlueprint(args, context, registry)).toBe(custom);
    expect(() => registry.register('mock', () => custom)).toThrow(InvalidArgumentError);
    // The default registry is untouched.
    expect(() => createBlueprint(args, context)).toThrow(BlueprintNotAvailableError);
  });

  it('starts empty when built directly', () => {
    const registry = new BlueprintRegistry();
    expect(registry.types()).toEqual([]);
    const error = thrown(() =>
      registry.create(MockBlueprintArgsSchema.parse({ num_assignments: 1 }), context),
    );
    expect(error).toMatchObject({ message: 'unknown blueprint type "mock"; available: ' });
  });
});
