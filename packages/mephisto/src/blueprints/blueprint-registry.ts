/**
 * Blueprint type string → implementation (Mephisto's registry lookup by `BLUEPRINT_TYPE`). Like the
 * config's ArgsRegistry it is open: an application registers its own blueprint type here after adding
 * its args schema there.
 */
import type { BlueprintArgs, BlueprintArgsByType } from '../core/config/blueprint-args.js';
import { TypeRegistry, type TypeFactory } from '../core/type-registry.js';
import type { Blueprint } from './blueprint.js';
import type { BlueprintContext } from './blueprint-context.js';
import { BlueprintNotAvailableError, UnknownBlueprintTypeError } from './blueprint-errors.js';
import { MockBlueprint } from './mock/mock-blueprint.js';
import { StaticHtmlBlueprint } from './static-html/static-html-blueprint.js';
import { StaticReactBlueprint } from './static-react/static-react-blueprint.js';

/** Builds a blueprint from its validated args. May throw (a missing task file, no data, …). */
export type BlueprintFactory<A> = TypeFactory<A, BlueprintContext, Blueprint>;

export class BlueprintRegistry extends TypeRegistry<
  BlueprintArgsByType,
  BlueprintArgs,
  BlueprintContext,
  Blueprint
> {
  constructor() {
    super({
      noun: 'blueprint',
      typeOf: (args) => args._blueprint_type,
      notAvailable: (type, implemented) => new BlueprintNotAvailableError(type, implemented),
      unknown: (type, implemented, notAvailable) =>
        new UnknownBlueprintTypeError(type, implemented, notAvailable),
    });
  }
}

/** A registry with the built-in blueprints (a fresh one, so tests can register types freely). */
export function createBlueprintRegistry(): BlueprintRegistry {
  return new BlueprintRegistry()
    .register('static_task', (args, context) => new StaticHtmlBlueprint(args, context))
    .register('static_react_task', (args, context) => new StaticReactBlueprint(args, context))
    .register('mock', (args, context) => new MockBlueprint(args, context))
    .markNotAvailable('remote_procedure');
}

/** The registry used when none is passed: built-in blueprints plus whatever the application registers. */
export const defaultBlueprintRegistry: BlueprintRegistry = createBlueprintRegistry();

/**
 * Builds the blueprint a run's `mephisto.blueprint` section selects.
 * @param context the task directory (relative paths are read against it) and the run script's state
 */
export function createBlueprint(
  args: BlueprintArgs,
  context: BlueprintContext,
  registry: BlueprintRegistry = defaultBlueprintRegistry,
): Blueprint {
  return registry.create(args, context);
}
