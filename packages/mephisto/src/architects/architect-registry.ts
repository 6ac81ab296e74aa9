/**
 * Architect type string → implementation (Mephisto's registry lookup by `ARCHITECT_TYPE`). Open like the
 * provider registry: an application registers its own architect after adding its args schema.
 */
import type { ArchitectArgs, ArchitectArgsByType } from '../core/config/architect-args.js';
import { InvalidArgumentError } from '../core/errors.js';
import { TypeRegistry, type TypeFactory } from '../core/type-registry.js';
import type { Architect } from './architect.js';
import { LocalArchitect } from './local-architect.js';
import { MockArchitect } from './mock-architect.js';

/** Builds an architect from its validated args. */
export type ArchitectFactory<A> = TypeFactory<A, undefined, Architect>;

export class ArchitectRegistry extends TypeRegistry<
  ArchitectArgsByType,
  ArchitectArgs,
  undefined,
  Architect
> {
  constructor() {
    super({
      noun: 'architect',
      typeOf: (args) => args._architect_type,
      notAvailable: (type, implemented) =>
        new InvalidArgumentError(
          `architect "${type}" is not available in mephisto-ts yet; use one of: ${implemented.join(', ')}`,
        ),
      unknown: (type, implemented) =>
        new InvalidArgumentError(`unknown architect type "${type}"; known types: ${implemented.join(', ')}`),
    });
  }
}

/** A registry with the built-in architects (a fresh one, so tests can register types freely). */
export function createArchitectRegistry(): ArchitectRegistry {
  return new ArchitectRegistry()
    .register('local', (args) => new LocalArchitect(args))
    .register('mock', (args) => new MockArchitect(args));
}

export const defaultArchitectRegistry: ArchitectRegistry = createArchitectRegistry();

/** Builds the architect a run's `mephisto.architect` section selects. */
export function createArchitect(
  args: ArchitectArgs,
  registry: ArchitectRegistry = defaultArchitectRegistry,
): Architect {
  return registry.create(args, undefined);
}
