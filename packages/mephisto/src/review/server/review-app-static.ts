/**
 * Serving the built review app (packages/review-app/dist) at `/`, or, when it has not been built, a
 * plain page that says how to build it (no script: the CSP forbids inline script anyway). Paths the
 * app routes itself (no file extension) get its index.html, so a reload on a deep link works.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * packages/review-app/dist, found from this module: src/review/server and dist/review/server are both
 * four levels below packages/.
 */
export function defaultReviewAppDir(): string {
  return fileURLToPath(new URL('../../../../review-app/dist/', import.meta.url));
}

export function isReviewAppBuilt(appDir: string): boolean {
  return existsSync(join(appDir, 'index.html'));
}

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>mephisto-ts review: app not built</title></head>
<body>
<h1>The review app is not built</h1>
<p>The review API is running, but the page that uses it has not been built yet. From the mephisto-ts
checkout, run:</p>
<pre>npm run build -w @mephisto-ts/review-app</pre>
<p>then reload this page (keep the <code>#token=…</code> part of the address).</p>
</body>
</html>
`;

/** Registers the app's files (or the not-built page); returns the handler for other unknown paths. */
export async function registerReviewApp(
  app: FastifyInstance,
  appDir: string,
): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>> {
  const plainNotFound = (_request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    reply.status(404).type('text/plain; charset=utf-8').send('Not found\n');
  if (!isReviewAppBuilt(appDir)) {
    const page = (_request: FastifyRequest, reply: FastifyReply): FastifyReply =>
      reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    app.get('/', page);
    return plainNotFound;
  }
  await app.register(fastifyStatic, { root: appDir, prefix: '/', index: ['index.html'], dotfiles: 'deny' });
  return (request, reply) => {
    const last = (request.url.split('?')[0] ?? '').split('/').at(-1) ?? '';
    if (request.method === 'GET' && !last.includes('.'))
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    return plainNotFound(request, reply);
  };
}
