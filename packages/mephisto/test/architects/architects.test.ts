/**
 * The architects: an address is bound before the run exists (503 "starting" meanwhile), then the task
 * server is attached to it; public URLs, port conflicts and the server-less mock architect.
 */
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ArchitectListenError, createArchitect, type Architect } from '../../src/architects/index.js';
import { LocalArchitectArgsSchema, MockArchitectArgsSchema } from '../../src/core/config/architect-args.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function local(args: Record<string, unknown>): Architect {
  const architect = createArchitect(LocalArchitectArgsSchema.parse({ _architect_type: 'local', ...args }));
  cleanups.push(() => architect.shutdown());
  return architect;
}

function appOn(architect: Architect) {
  const httpServer = architect.httpServer;
  if (httpServer === undefined) throw new Error('no server');
  const app = Fastify({
    serverFactory: (handler) => {
      httpServer.on('request', handler);
      return httpServer;
    },
  });
  app.get('/is_alive', () => ({ status: 'Alive!' }));
  cleanups.push(() => app.close());
  return app;
}

describe('local architect', () => {
  it('binds a free port for port 0, answers 503 until the server is attached, then serves it', async () => {
    const architect = local({ hostname: '127.0.0.1', port: 0 });
    const url = await architect.reserve();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await architect.reserve()).toBe(url);

    const before = await fetch(`${url}/is_alive`);
    expect(before.status).toBe(503);
    expect(before.headers.get('retry-after')).toBe('2');
    expect(await before.text()).toMatch(/starting/);

    await architect.attach(appOn(architect));
    const after = await fetch(`${url}/is_alive`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'Alive!' });

    await architect.shutdown();
    await expect(fetch(`${url}/is_alive`)).rejects.toThrow();
    await architect.shutdown();
  });

  it('gives public_url (without its trailing slash) as the workers’ URL', async () => {
    const architect = local({
      hostname: '127.0.0.1',
      port: 0,
      public_url: 'https://tasks.example.org/run1/',
    });
    expect(await architect.reserve()).toBe('https://tasks.example.org/run1');
  });

  it('binds listen_host while links keep hostname', async () => {
    const architect = local({ hostname: 'workers.lan', listen_host: '127.0.0.1', port: 0 });
    expect(await architect.reserve()).toMatch(/^http:\/\/workers\.lan:\d+$/);
  });

  it('names the port and the remedy when the port is taken', async () => {
    const first = local({ hostname: '127.0.0.1', port: 0 });
    const port = Number(new URL(await first.reserve()).port);
    const second = local({ hostname: '127.0.0.1', port });
    const error = await second.reserve().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchitectListenError);
    expect((error as ArchitectListenError).code).toBe('MEPHISTO_ERR_ARCHITECT_LISTEN');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toMatch(/EADDRINUSE.*mephisto\.architect\.port/);
  });

  it('rejects a public_url that is not an http(s) URL when the config is validated', () => {
    const parsed = LocalArchitectArgsSchema.safeParse({ _architect_type: 'local', public_url: 'ftp://x' });
    expect(parsed.success).toBe(false);
  });
});

describe('mock architect', () => {
  it('serves nothing without should_run_server and still gives a URL for links', async () => {
    const architect = createArchitect(MockArchitectArgsSchema.parse({ _architect_type: 'mock', port: 4567 }));
    expect(await architect.reserve()).toBe('http://localhost:4567');
    expect(architect.httpServer).toBeUndefined();
    await architect.shutdown();
  });

  it('runs a real server on localhost with should_run_server', async () => {
    const architect = createArchitect(
      MockArchitectArgsSchema.parse({ _architect_type: 'mock', should_run_server: true, port: 0 }),
    );
    cleanups.push(() => architect.shutdown());
    const url = await architect.reserve();
    await architect.attach(appOn(architect));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/is_alive`)).status).toBe(200);
  });
});
