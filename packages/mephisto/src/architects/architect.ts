/**
 * The Architect port: where the worker-facing server runs and which URL workers open (Mephisto's
 * architect: `local`, `mock`, later hosted ones). Implementations live beside this file and are looked up
 * by type string (`mephisto.architect._architect_type`) in the architect registry.
 *
 * The order matters: the provider puts the server's URL into the links it hands out while the run
 * launches, and the task server can only be built once the run exists. So an architect first
 * {@link Architect.reserve}s its address (binding the port, answering 503 "starting" meanwhile), then
 * the run is launched with that URL, then {@link Architect.attach} hands the port to the task server.
 */
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface Architect {
  /** `local`, `mock`, … */
  readonly type: string;
  /**
   * Binds the address and resolves with the base URL workers open (no trailing slash). Until
   * {@link attach} every request is answered 503 with a plain "starting" message.
   * @throws ArchitectListenError when the address cannot be bound (port in use, unknown host, …)
   */
  reserve(): Promise<string>;
  /**
   * The bound HTTP server to build the task server on (Fastify's `serverFactory`), or undefined when
   * this architect serves nothing (the mock architect without a server).
   */
  readonly httpServer: Server | undefined;
  /** Serves `app` (built on {@link httpServer}) from now on; resolves once it is ready. */
  attach(app: FastifyInstance): Promise<void>;
  /** Stops serving and releases the address. Idempotent. */
  shutdown(): Promise<void>;
}
