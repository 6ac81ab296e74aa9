export * from './core/index.js';
export * from './store/store.js';
export * from './store/store-config.js';
export * from './store/open-store.js';
export * from './config/index.js';
