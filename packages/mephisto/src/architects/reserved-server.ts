/**
 * An HTTP server that binds its port before the application that will serve it exists, answering 503
 * until then. Shared by the architects that listen.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ArchitectListenError } from './architect-errors.js';

/**
 * Connections the kernel queues before the server accepts them (Node's default is 511). When many
 * workers open a task at once (a batch of HITs, 2,000 browsers in the server benchmark) a full queue
 * drops handshakes, and a client that already sent data is later reset (ECONNRESET). The kernel caps
 * it at net.core.somaxconn (4096 on current Linux).
 */
const LISTEN_BACKLOG = 4096;

const STARTING_MESSAGE = 'The task is starting; please reload this page in a few seconds.\n';

function answerStarting(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '2' });
  response.end(STARTING_MESSAGE);
}

export class ReservedServer {
  readonly server: Server;
  #attached = false;
  #closed = false;

  constructor() {
    this.server = createServer();
    this.server.on('request', answerStarting);
    // Longer than a browser's idle gaps, so a reused keep-alive connection is not closed under a request
    // ("socket hang up"); `close()` ends idle connections itself, so it never waits for this.
    this.server.keepAliveTimeout = 65_000;
  }

  /** Binds `host:port` (port 0 picks a free one) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(new ArchitectListenError(host, port, error.code ?? error.message));
      };
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Hands the server to `app`, which was built with `serverFactory` returning {@link server} and so has
   * added its own request listener; the 503 answer is removed once the app is ready.
   */
  async attach(app: FastifyInstance): Promise<void> {
    if (this.#attached) throw new Error('a task server is already attached');
    await app.ready();
    this.server.off('request', answerStarting);
    this.#attached = true;
  }

  /** Closes the server (and every open connection). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }
}
