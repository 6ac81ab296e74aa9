/**
 * The config layer: schemas and validation (from core/config, which does no I/O) plus the loader that
 * reads YAML files, expands defaults lists, applies overrides and resolves interpolations. The tree,
 * defaults-list and interpolation helpers stay internal to the package.
 */
export * from '../core/config/index.js';
export { configToYaml } from './config-yaml.js';
export type { ConfigFileSystem } from './defaults-list.js';
export * from './load-task-config.js';
export { nodeConfigFileSystem } from './locate-config.js';
export { renderConfigReference } from './reference-doc.js';
