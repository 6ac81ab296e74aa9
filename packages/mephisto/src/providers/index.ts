export * from './crowd-provider.js';
export * from './inhouse/inhouse-provider.js';
export * from './mock/mock-provider.js';
export * from './mturk/index.js';
export * from './provider-errors.js';
export * from './provider-links.js';
export * from './provider-registry.js';
export * from './prolific/index.js';
