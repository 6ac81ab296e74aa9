export * from './packet.js';
export * from './routes.js';
