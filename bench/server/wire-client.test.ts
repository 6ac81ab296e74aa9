/**
 * The benchmark's raw-socket client against Node's HTTP server and the `ws` server: what it reads, and
 * that a reply it cannot read or an abnormal end is reported, never misread (it decides what the server
 * benchmark counts as errors).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { HttpConnection, WireSocket, type Origin } from './wire-client.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
});

async function listen(server: Server): Promise<Origin> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

interface SocketEnd {
  readonly code: number;
  readonly cleanly: boolean;
  readonly messages: string[];
  readonly errors: string[];
}

/** Opens a WireSocket, runs `onOpen`, and resolves when the connection has ended. */
function socketSession(origin: Origin, onOpen: (socket: WireSocket) => void): Promise<SocketEnd> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    const errors: string[] = [];
    const socket: WireSocket = new WireSocket(origin, '/', {
      open: () => {
        onOpen(socket);
      },
      message: (text) => {
        messages.push(text);
        if (text === 'echo: bye') socket.close(1000);
      },
      error: (error) => errors.push(error.message),
      close: (code, cleanly) => {
        resolve({ code, cleanly, messages, errors });
      },
    });
  });
}

describe('HttpConnection', () => {
  it('posts JSON and reads each reply, on one kept-alive connection', async () => {
    const sockets = new Set<unknown>();
    const origin = await listen(
      createServer((request, response) => {
        sockets.add(request.socket);
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        request.on('end', () => {
          const reply = JSON.stringify({ path: request.url, got: JSON.parse(body) as unknown, note: 'é' });
          response.writeHead(201, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(reply),
          });
          response.end(reply);
        });
      }),
    );
    const connection = new HttpConnection(origin);
    const first = await connection.postJson('/one', { n: 1 });
    const second = await connection.postJson('/two', { n: 2 });
    expect(first).toEqual({ status: 201, body: JSON.stringify({ path: '/one', got: { n: 1 }, note: 'é' }) });
    expect(JSON.parse(second.body)).toEqual({ path: '/two', got: { n: 2 }, note: 'é' });
    expect(sockets.size).toBe(1);
    connection.close();
  });

  it('refuses a chunked reply instead of misreading it', async () => {
    const origin = await listen(
      createServer((_request, response) => {
        response.write('{"part":');
        response.end('1}');
      }),
    );
    const connection = new HttpConnection(origin);
    await expect(connection.postJson('/', {})).rejects.toThrow('chunked replies are not supported');
  });

  it('fails the request when the server closes the connection before answering', async () => {
    const origin = await listen(
      createServer((request) => {
        request.socket.destroy();
      }),
    );
    const connection = new HttpConnection(origin);
    await expect(connection.postJson('/', {})).rejects.toThrow();
  });
});

describe('WireSocket', () => {
  async function echoServer(onConnection?: (socket: WebSocket) => void): Promise<Origin> {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => {
      socket.on('message', (data: RawData) => {
        // Text frames arrive as one Buffer (no fragmentation here).
        socket.send(`echo: ${(data as Buffer).toString('utf8')}`);
      });
      onConnection?.(socket);
    });
    server.on('close', () => {
      wss.close();
    });
    return listen(server);
  }

  it('completes the handshake, exchanges masked text frames and closes cleanly', async () => {
    const origin = await echoServer();
    const end = await socketSession(origin, (socket) => {
      socket.send('hello');
      socket.send('x'.repeat(300)); // a 16-bit length both ways
      socket.send('bye');
    });
    expect(end).toEqual({
      code: 1000,
      cleanly: true,
      messages: ['echo: hello', `echo: ${'x'.repeat(300)}`, 'echo: bye'],
      errors: [],
    });
  });

  it('answers a close the server starts, with the server’s code', async () => {
    const origin = await echoServer((socket) => {
      socket.close(1001, 'going away');
    });
    const end = await socketSession(origin, () => undefined);
    expect(end).toMatchObject({ code: 1001, cleanly: true, errors: [] });
  });

  it('reports an end without a close frame as 1006, not cleanly', async () => {
    const origin = await echoServer((socket) => {
      socket.terminate();
    });
    const end = await socketSession(origin, () => undefined);
    expect(end).toMatchObject({ code: 1006, cleanly: false });
  });

  it('reports a refused handshake as an error', async () => {
    const origin = await listen(
      createServer((_request, response) => {
        response.writeHead(404, { 'Content-Length': 0 });
        response.end();
      }),
    );
    const end = await socketSession(origin, () => undefined);
    expect(end.errors).toEqual(['the server answered the WebSocket handshake with 404']);
    expect(end.cleanly).toBe(false);
  });
});
