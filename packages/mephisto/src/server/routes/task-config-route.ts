/**
 * `GET /task_config.json?mephisto_task_version=X`: the blueprint's front-end arguments plus the
 * `mephisto_task_version` the server speaks. Mephisto wrote this file once when it built the router, so
 * it is computed once here. A page built against another `mephisto-task` version (or sending none) is
 * logged as a version mismatch, as Mephisto's router reported it, and still served. The published
 * `mephisto-task` 2.0.4 package reports itself as 2.0.3 (its bundle was built before the version bump),
 * so both are accepted quietly.
 */
import { MEPHISTO_TASK_VERSION, ROUTES } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import type { Blueprint } from '../../blueprints/blueprint.js';
import { parseBody, taskConfigQuerySchema } from '../request-body.js';
import type { ServerContext } from '../server-context.js';

/** Client versions that speak this protocol: 2.0.4 and what its published bundle calls itself. */
const COMPATIBLE_CLIENT_VERSIONS: ReadonlySet<string> = new Set([MEPHISTO_TASK_VERSION, '2.0.3']);

export function taskConfigRoute(app: FastifyInstance, context: ServerContext, blueprint: Blueprint): void {
  const config: Readonly<Record<string, unknown>> = {
    ...blueprint.frontendArgs(),
    mephisto_task_version: MEPHISTO_TASK_VERSION,
  };
  app.get(ROUTES.taskConfig, (request) => {
    const query = parseBody(ROUTES.taskConfig, taskConfigQuerySchema, request.query);
    const version = query.mephisto_task_version;
    if (version === undefined || !COMPATIBLE_CLIENT_VERSIONS.has(version)) {
      context.log.warn(
        {
          error_type: 'version_mismatch',
          client_version: version ?? null,
          server_version: MEPHISTO_TASK_VERSION,
        },
        `the task page uses mephisto-task ${version ?? '(unknown)'}, the server expects ${MEPHISTO_TASK_VERSION}`,
      );
    }
    return config;
  });
}
