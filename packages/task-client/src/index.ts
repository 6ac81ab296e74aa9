export * from './wire/index.js';
export * from './routes.js';
