export { createTaskServer, type TaskServerOptions, type TaskServerLimits } from './task-server.js';
export { DEFAULT_LIMITS } from './server-context.js';
export { httpFailureOf, type HttpFailure } from './error-handler.js';
export { AgentNotYoursError, EngineTimeoutError, InvalidRequestError } from './server-errors.js';
export { buildStaticSite, type StaticSite, type StaticSiteOptions } from './static/static-site.js';
