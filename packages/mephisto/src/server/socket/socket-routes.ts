/**
 * The WebSocket side of Mephisto's router protocol (spec §6.2, §6.4): `GET /` upgrades to the socket a
 * mephisto-task page opens at `ws[s]://<page host>:<port>/`, and answers plain HTTP with the task page.
 * The packets are handled by {@link SocketHub}; docs/protocol.md ("WebSocket") is the contract.
 *
 * Sockets are closed by the server only where the transport requires it: a message larger than
 * `socketMaxPayload` (1009, by ws), text that is not UTF-8 (1007, by ws), a WebSocket protocol error
 * (1002, by ws), a server failure while handling a socket (1011) and shutdown (1001). Every other
 * refusal is an `error` packet on an open socket.
 */
import fastifyWebsocket, { type WebSocket } from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { sendTaskPage } from '../static/static-routes.js';
import type { ServerContext } from '../server-context.js';
import { SocketHub } from './socket-hub.js';

/** Close codes the server sends itself (RFC 6455 §7.4.1). */
export const CLOSE_CODES = {
  goingAway: 1001,
  serverError: 1011,
} as const;

export function socketRoutes(app: FastifyInstance, context: ServerContext): void {
  const hub = new SocketHub(context);
  const log = context.log;
  void app.register(fastifyWebsocket, {
    options: {
      maxPayload: context.limits.socketMaxPayload,
      // Compression costs ~300 KB per socket in zlib state; packets are small.
      perMessageDeflate: false,
    },
    errorHandler: (error, socket) => {
      socketFailed(log, context.limits.socketMaxPayload, error, socket);
    },
    preClose: (done) => {
      hub.stop();
      for (const client of app.websocketServer.clients)
        client.close(CLOSE_CODES.goingAway, 'the task server is shutting down');
      app.websocketServer.close();
      done();
    },
  });
  // In a plugin registered after @fastify/websocket, so that its route hook sees the route.
  void app.register((scope, _options, done) => {
    scope.route({
      method: 'GET',
      url: '/',
      handler: (_request, reply) => {
        sendTaskPage(context, reply);
      },
      wsHandler: (socket) => {
        hub.attach(socket);
      },
    });
    done();
  });
}

/**
 * A socket's `error` (ws reports it, then closes the socket itself) or a throw from the socket
 * handler (then the socket is closed here with 1011). Errors a page can cause are logged at info.
 */
function socketFailed(log: Logger, maxPayload: number, error: Error, socket: WebSocket): void {
  const code = (error as { code?: unknown }).code;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
    log.info(
      { code: 'MEPHISTO_ERR_SOCKET_FRAME_TOO_LARGE', limit: maxPayload },
      'socket closed (1009): a message was larger than socketMaxPayload',
    );
  else if (typeof code === 'string' && (code.startsWith('WS_ERR_') || code.startsWith('E')))
    log.info({ err: error }, 'socket failed');
  else log.error({ err: error }, 'a socket handler failed');
  if (socket.readyState === socket.OPEN)
    socket.close(CLOSE_CODES.serverError, 'the server failed; see its log');
}
