export type { Architect } from './architect.js';
export { ArchitectListenError } from './architect-errors.js';
export {
  ArchitectRegistry,
  createArchitect,
  createArchitectRegistry,
  defaultArchitectRegistry,
  type ArchitectFactory,
} from './architect-registry.js';
export { LocalArchitect } from './local-architect.js';
export { MockArchitect } from './mock-architect.js';
