/**
 * `local`: the task server runs in this process on `hostname:port` (Mephisto's LocalArchitect, without
 * the separate router process). `public_url` serves the same server behind a TLS reverse proxy.
 */
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { LocalArchitectArgs } from '../core/config/architect-args.js';
import type { Architect } from './architect.js';
import { ReservedServer } from './reserved-server.js';

export class LocalArchitect implements Architect {
  readonly type = 'local';
  readonly #args: LocalArchitectArgs;
  readonly #reserved = new ReservedServer();
  #url: string | undefined;

  constructor(args: LocalArchitectArgs) {
    this.#args = args;
  }

  get httpServer(): Server {
    return this.#reserved.server;
  }

  async reserve(): Promise<string> {
    if (this.#url !== undefined) return this.#url;
    const host = this.#args.listen_host ?? this.#args.hostname;
    const port = await this.#reserved.listen(host, this.#args.port);
    this.#url = baseUrl(this.#args, port);
    return this.#url;
  }

  attach(app: FastifyInstance): Promise<void> {
    return this.#reserved.attach(app);
  }

  shutdown(): Promise<void> {
    return this.#reserved.close();
  }
}

/** `public_url` without its trailing slash, else `http://hostname:port` (IPv6 hosts bracketed). */
export function baseUrl(args: LocalArchitectArgs, port: number): string {
  if (args.public_url !== undefined) return args.public_url.replace(/\/+$/, '');
  const host =
    args.hostname.includes(':') && !args.hostname.startsWith('[') ? `[${args.hostname}]` : args.hostname;
  return `http://${host}:${port}`;
}
