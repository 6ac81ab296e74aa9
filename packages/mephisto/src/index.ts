export * from './core/index.js';
export * from './store/store.js';
export * from './store/store-config.js';
