/**
 * `mock`: for tests. Without `should_run_server` nothing listens and links point at
 * `http://localhost:<port>` (Mephisto's MOCK_DEPLOY_URL role); with it, the real task server runs on
 * 127.0.0.1:<port>, so tests can act as workers over HTTP and WebSocket.
 */
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { MockArchitectArgs } from '../core/config/architect-args.js';
import type { Architect } from './architect.js';
import { ReservedServer } from './reserved-server.js';

export class MockArchitect implements Architect {
  readonly type = 'mock';
  readonly #args: MockArchitectArgs;
  readonly #reserved: ReservedServer | undefined;
  #url: string | undefined;

  constructor(args: MockArchitectArgs) {
    this.#args = args;
    this.#reserved = args.should_run_server ? new ReservedServer() : undefined;
  }

  get httpServer(): Server | undefined {
    return this.#reserved?.server;
  }

  async reserve(): Promise<string> {
    if (this.#url !== undefined) return this.#url;
    // With a server, the URL names the address actually bound: `localhost` may resolve to ::1 first.
    this.#url = this.#reserved
      ? `http://127.0.0.1:${await this.#reserved.listen('127.0.0.1', this.#args.port)}`
      : `http://localhost:${this.#args.port}`;
    return this.#url;
  }

  async attach(app: FastifyInstance): Promise<void> {
    if (this.#reserved) await this.#reserved.attach(app);
  }

  async shutdown(): Promise<void> {
    await this.#reserved?.close();
  }
}
