/**
 * The pages and assets workers' browsers load: how a site is built from a blueprint and a provider
 * (and when it cannot be), every route it serves over real HTTP (content, Content-Type, headers), the
 * files it must never serve (undeclared task files, dotfiles, traversal in every spelling, links out of
 * extra_source_dir), and the provider wrappers' globals run in a VM.
 */
import { request as httpRequest } from 'node:http';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext, Script } from 'node:vm';
import type { ErrorReply } from '@mephisto-ts/task-client/wire';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { STATIC_TASK_RUNTIME } from '../../src/blueprints/static-html/page/static-task-runtime.js';
import { StaticHtmlBlueprint } from '../../src/blueprints/static-html/static-html-blueprint.js';
import { StaticReactBlueprint } from '../../src/blueprints/static-react/static-react-blueprint.js';
import { InhouseProvider } from '../../src/providers/inhouse/inhouse-provider.js';
import { MockProvider } from '../../src/providers/mock/mock-provider.js';
import { createTaskServer } from '../../src/server/index.js';
import { buildStaticSite, type StaticSite } from '../../src/server/static/static-site.js';
import { SiteBuildError } from '../../src/server/static/static-site-errors.js';
import { staticReactArgs, staticTaskArgs, TempTaskDir } from '../blueprints/task-data-files.js';
import { FakeBlueprint, FakeProvider, launch } from '../run/engine-fakes.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';

const MEMORY = STORE_TARGETS.find((t) => t.name === 'sqlite-memory');
if (!MEMORY) throw new Error('no sqlite-memory store target');

const silent = pino({ level: 'silent' });
const DATA = JSON.stringify([{ text: 'first' }, { text: 'second' }]);

/** A task folder with the three HTML files, data, an undeclared file and an extra_source_dir. */
function htmlTaskDir(): TempTaskDir {
  const dir = new TempTaskDir();
  dir.write('task.html', '<p>Rate: ${text}</p><input name="rating">');
  dir.write('preview.html', '<p>Preview</p>');
  dir.write('onboarding.html', '<p>Onboarding</p>');
  dir.write('data.json', DATA);
  dir.write('secret.txt', 'not for workers');
  mkdirSync(join(dir.path, 'extra', 'img', 'deep'), { recursive: true });
  mkdirSync(join(dir.path, 'extra', '.hidden'));
  dir.write('extra/style.css', 'p { color: red; }');
  dir.write('extra/img/pic.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  dir.write('extra/img/deep/note name.txt', 'spaced');
  dir.write('extra/.env', 'SECRET=1');
  dir.write('extra/.hidden/file.txt', 'hidden');
  symlinkSync(join(dir.path, 'secret.txt'), join(dir.path, 'extra', 'link-out.txt'));
  symlinkSync(join(dir.path, 'extra', 'style.css'), join(dir.path, 'extra', 'link-in.css'));
  return dir;
}

function htmlBlueprint(dir: TempTaskDir, fields: Record<string, unknown> = {}): StaticHtmlBlueprint {
  return new StaticHtmlBlueprint(
    staticTaskArgs({
      data_json: 'data.json',
      preview_source: 'preview.html',
      onboarding_source: 'onboarding.html',
      extra_source_dir: 'extra',
      ...fields,
    }),
    { taskDir: dir.path },
  );
}

function reactBlueprint(dir: TempTaskDir): StaticReactBlueprint {
  return new StaticReactBlueprint(staticReactArgs({ data_json: 'data.json' }), { taskDir: dir.path });
}

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('buildStaticSite', () => {
  const dirs: TempTaskDir[] = [];
  afterAll(() => {
    for (const dir of dirs) dir.remove();
  });
  function taskDir(): TempTaskDir {
    const dir = htmlTaskDir();
    dirs.push(dir);
    return dir;
  }

  it('static_task: the built-in page, its script, the wrapper, the declared HTML files and extra_source_dir', () => {
    const dir = taskDir();
    const site = buildStaticSite({
      blueprint: htmlBlueprint(dir),
      provider: new MockProvider(),
      taskDir: dir.path,
    });
    expect([...site.assets.keys()].sort()).toEqual(
      [
        '/mephisto_static_task.js',
        '/onboarding.html',
        '/preview.html',
        '/task.html',
        '/task_index',
        '/welcome',
        '/wrap_crowd_source.js',
      ].sort(),
    );
    expect(site.extraSourceDir).toBe(join(dir.path, 'extra'));
    const page = site.taskPage;
    expect(page.indexOf('src="/wrap_crowd_source.js"')).toBeGreaterThan(0);
    expect(page.indexOf('src="/mephisto_static_task.js"')).toBeGreaterThan(page.indexOf('wrap_crowd_source'));
  });

  it('serves a preview that defaults to the task HTML once, and no extra folder when none is set', () => {
    const dir = taskDir();
    const blueprint = new StaticHtmlBlueprint(staticTaskArgs({ data_json: 'data.json' }), {
      taskDir: dir.path,
    });
    const site = buildStaticSite({ blueprint, provider: new MockProvider(), taskDir: dir.path });
    expect(site.assets.has('/task.html')).toBe(true);
    expect(site.assets.has('/preview.html')).toBe(false);
    expect(site.extraSourceDir).toBeUndefined();
  });

  it('static_react_task: the bundle page and /bundle.js from task_source', () => {
    const dir = taskDir();
    const site = buildStaticSite({
      blueprint: reactBlueprint(dir),
      provider: new MockProvider(),
      taskDir: dir.path,
    });
    expect([...site.assets.keys()].sort()).toEqual([
      '/bundle.js',
      '/task_index',
      '/welcome',
      '/wrap_crowd_source.js',
    ]);
    expect(site.assets.get('/bundle.js')).toMatchObject({
      kind: 'file',
      path: join(dir.path, 'webapp/build/bundle.js'),
      argument: 'task_source',
    });
  });

  it('refuses what cannot be served, naming the part at fault', () => {
    const dir = taskDir();
    const build = (fn: () => StaticSite): string => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(SiteBuildError);
        expect((error as SiteBuildError).code).toBe('MEPHISTO_ERR_SITE_BUILD');
        return (error as Error).message;
      }
      throw new Error('expected a SiteBuildError');
    };
    const blueprint = htmlBlueprint(dir);
    expect(
      build(() => buildStaticSite({ blueprint, provider: new FakeProvider(), taskDir: dir.path })),
    ).toMatch(/provider mock has no wrap_crowd_source\.js/);
    expect(
      build(() =>
        buildStaticSite({
          blueprint: new FakeBlueprint('mock'),
          provider: new MockProvider(),
          taskDir: dir.path,
        }),
      ),
    ).toMatch(/blueprint mock has no built-in pages/);

    mkdirSync(join(dir.path, 'other'));
    dir.write('other/task.html', '<p>another</p>');
    const clash = htmlBlueprint(dir, { preview_source: 'other/task.html' });
    expect(
      build(() => buildStaticSite({ blueprint: clash, provider: new MockProvider(), taskDir: dir.path })),
    ).toMatch(
      /preview_source: .*other\/task\.html would be served as \/task\.html, which is already task_source/,
    );

    dir.write('welcome', '<p>named like a page of the site</p>');
    const reserved = htmlBlueprint(dir, { task_source: 'welcome' });
    expect(
      build(() => buildStaticSite({ blueprint: reserved, provider: new MockProvider(), taskDir: dir.path })),
    ).toMatch(/task_source: .* cannot be served as \/welcome/);

    const noExtra = htmlBlueprint(dir, { extra_source_dir: 'missing' });
    expect(
      build(() => buildStaticSite({ blueprint: noExtra, provider: new MockProvider(), taskDir: dir.path })),
    ).toMatch(/extra_source_dir: .*missing does not exist/);
    const fileExtra = htmlBlueprint(dir, { extra_source_dir: 'secret.txt' });
    expect(
      build(() => buildStaticSite({ blueprint: fileExtra, provider: new MockProvider(), taskDir: dir.path })),
    ).toMatch(/is not a folder/);
  });
});

describe('static routes over HTTP', () => {
  const h = useStore(MEMORY);
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(site: StaticSite | undefined): Promise<string> {
    const { run, operator } = await launch(h.store, h.clock, { blueprint: new FakeBlueprint('static_task') });
    cleanups.push(() => operator.shutdown());
    const app = createTaskServer({ liveRun: run, logger: silent, clock: h.clock, ...(site ? { site } : {}) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  function tempDir(make: () => TempTaskDir): TempTaskDir {
    const dir = make();
    cleanups.push(() => {
      dir.remove();
    });
    return dir;
  }

  async function expectServed(url: string, type: string, body?: string | RegExp): Promise<Response> {
    const response = await fetch(url);
    expect(response.status, url).toBe(200);
    expect(response.headers.get('content-type'), url).toBe(type);
    expect(response.headers.get('cache-control'), url).toBe('no-store');
    expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
    expect(response.headers.get('content-security-policy'), url).toBeNull();
    if (body !== undefined) {
      const text = await response.clone().text();
      if (typeof body === 'string') expect(text, url).toBe(body);
      else expect(text, url).toMatch(body);
    }
    return response;
  }

  async function expectError(response: Response, status: number, code: string): Promise<string> {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorReply;
    expect(body.error.code).toBe(code);
    return body.error.message;
  }

  it('static_task: every page, script and declared file, with its Content-Type', async () => {
    const dir = tempDir(htmlTaskDir);
    const site = buildStaticSite({
      blueprint: htmlBlueprint(dir),
      provider: new MockProvider(),
      taskDir: dir.path,
    });
    const url = await serve(site);
    const html = 'text/html; charset=utf-8';
    const js = 'text/javascript; charset=utf-8';
    await expectServed(`${url}/`, html, site.taskPage);
    await expectServed(`${url}/?worker_id=w&assignment_id=1`, html, site.taskPage);
    await expectServed(`${url}/task_index`, html, site.taskPage);
    await expectServed(`${url}/welcome`, html, /Your work has been submitted/);
    await expectServed(`${url}/wrap_crowd_source.js`, js, new MockProvider().wrapCrowdSourceScript());
    await expectServed(`${url}/mephisto_static_task.js`, js, STATIC_TASK_RUNTIME);
    await expectServed(`${url}/task.html`, html, '<p>Rate: ${text}</p><input name="rating">');
    await expectServed(`${url}/preview.html`, html, '<p>Preview</p>');
    await expectServed(`${url}/onboarding.html`, html, '<p>Onboarding</p>');
    // extra_source_dir: served at its relative paths, by extension, through links that stay inside.
    await expectServed(`${url}/style.css`, 'text/css; charset=utf-8', 'p { color: red; }');
    await expectServed(`${url}/link-in.css`, 'text/css; charset=utf-8', 'p { color: red; }');
    const png = await expectServed(`${url}/img/pic.png`, 'image/png');
    expect(Buffer.from(await png.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await expectServed(`${url}/img/deep/note%20name.txt`, 'text/plain; charset=utf-8', 'spaced');
    // HEAD works like GET.
    expect((await fetch(`${url}/task.html`, { method: 'HEAD' })).status).toBe(200);
  });

  it('reads task files on each request: an edit shows at once, a deleted file is a 500 naming it', async () => {
    const dir = tempDir(htmlTaskDir);
    const url = await serve(
      buildStaticSite({ blueprint: htmlBlueprint(dir), provider: new MockProvider(), taskDir: dir.path }),
    );
    dir.write('task.html', '<p>edited</p>');
    expect(await (await fetch(`${url}/task.html`)).text()).toBe('<p>edited</p>');
    rmSync(join(dir.path, 'preview.html'));
    const message = await expectError(
      await fetch(`${url}/preview.html`),
      500,
      'MEPHISTO_ERR_SITE_FILE_MISSING',
    );
    expect(message).toContain(`preview_source: ${join(dir.path, 'preview.html')} cannot be read`);
  });

  it('never serves undeclared files, dotfiles, folders, links out of extra_source_dir or traversals', async () => {
    const dir = tempDir(htmlTaskDir);
    const url = await serve(
      buildStaticSite({ blueprint: htmlBlueprint(dir), provider: new MockProvider(), taskDir: dir.path }),
    );
    const refused = [
      '/secret.txt',
      '/data.json',
      '/extra/style.css',
      '/index.html',
      '/.env',
      '/.hidden/file.txt',
      '/%2eenv',
      '/img',
      '/img/',
      '/link-out.txt',
      '/../secret.txt',
      '/img/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/img/%2e%2e/%2e%2e/secret.txt',
      '/img/..%5c..%5csecret.txt',
      '/..\\secret.txt',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      `/${encodeURIComponent(join(dir.path, 'secret.txt'))}`,
      '/style.css%00.png',
      '/../../../../../../etc/passwd',
    ];
    for (const path of refused) {
      const { status, body } = await rawGet(url, path);
      expect(status, path).toBe(404);
      expect(body, path).not.toContain('not for workers');
      expect(body, path).not.toContain('SECRET');
      expect((JSON.parse(body) as ErrorReply).error.code, path).toBe('MEPHISTO_ERR_ROUTE_NOT_FOUND');
    }
    // A path that is not valid percent-encoding is refused by Fastify itself (FST_ERR_BAD_URL) before any
    // route or error handler runs.
    expect((await rawGet(url, '/%E0%A4%A')).status).toBe(400);
    // Only GET (and HEAD) are served.
    const post = await fetch(`${url}/task.html`, { method: 'POST' });
    await expectError(post, 404, 'MEPHISTO_ERR_ROUTE_NOT_FOUND');
  });

  it('static_react_task: the bundle page, and /bundle.js read from task_source (500 naming it until built)', async () => {
    const dir = tempDir(htmlTaskDir);
    const site = buildStaticSite({
      blueprint: reactBlueprint(dir),
      provider: new InhouseProvider({ _provider_type: 'inhouse', ui_base_url: '' }),
      taskDir: dir.path,
    });
    const url = await serve(site);
    const page = await (await expectServed(`${url}/`, 'text/html; charset=utf-8')).text();
    const app = page.indexOf('<div id="app"></div>');
    const wrapper = page.indexOf('<script src="/wrap_crowd_source.js"></script>');
    const bundle = page.indexOf('<script src="/bundle.js"');
    expect(app).toBeGreaterThan(0);
    expect(wrapper).toBeGreaterThan(app);
    expect(bundle).toBeGreaterThan(wrapper);
    await expectServed(`${url}/task_index`, 'text/html; charset=utf-8', page);
    await expectServed(
      `${url}/wrap_crowd_source.js`,
      'text/javascript; charset=utf-8',
      /provider_type: PROVIDER_TYPE/,
    );

    const bundlePath = join(dir.path, 'webapp/build/bundle.js');
    const missing = await expectError(await fetch(`${url}/bundle.js`), 500, 'MEPHISTO_ERR_SITE_FILE_MISSING');
    expect(missing).toBe(`task_source: ${bundlePath} cannot be read (has the task bundle been built?)`);
    mkdirSync(join(dir.path, 'webapp/build'), { recursive: true });
    writeFileSync(bundlePath, 'console.log("built");');
    await expectServed(`${url}/bundle.js`, 'text/javascript; charset=utf-8', 'console.log("built");');
    // No extra_source_dir: nothing else of the task folder.
    expect((await rawGet(url, '/data.json')).status).toBe(404);
  });

  it('without a site only the API is served', async () => {
    const url = await serve(undefined);
    for (const path of ['/', '/task_index', '/welcome', '/wrap_crowd_source.js', '/bundle.js'])
      await expectError(await fetch(`${url}${path}`), 404, 'MEPHISTO_ERR_ROUTE_NOT_FOUND');
  });
});

describe('provider wrappers (wrap_crowd_source.js)', () => {
  const inhouse = new InhouseProvider({ _provider_type: 'inhouse', ui_base_url: '' });

  it('parse as scripts, as does the static_task page script', () => {
    for (const text of [
      new MockProvider().wrapCrowdSourceScript(),
      inhouse.wrapCrowdSourceScript(),
      STATIC_TASK_RUNTIME,
    ])
      expect(() => new Script(text)).not.toThrow();
  });

  interface Sandbox {
    window: Sandbox;
    location: { search: string; pathname: string; hash: string };
    history: { state: null; replaced: string[]; replaceState(state: null, title: string, url: string): void };
    document: { readyState: string; addEventListener(name: string): void; listened: string[] };
    URLSearchParams: typeof URLSearchParams;
    crypto: typeof globalThis.crypto;
    [global: string]: unknown;
  }

  /** Runs `script` with `search` as the page's query; returns the globals it defined. */
  function run(script: string, search: string): Sandbox {
    const sandbox = {
      location: { search, pathname: '/', hash: '' },
      history: {
        state: null,
        replaced: [] as string[],
        replaceState(_state: null, _title: string, url: string) {
          this.replaced.push(url);
          sandbox.location.search = url.slice(url.indexOf('?'));
        },
      },
      document: {
        readyState: 'loading',
        listened: [] as string[],
        addEventListener(name: string) {
          this.listened.push(name);
        },
      },
      URLSearchParams,
      crypto: globalThis.crypto,
    } as unknown as Sandbox;
    sandbox.window = sandbox;
    runInNewContext(script, sandbox);
    return sandbox;
  }

  function call(sandbox: Sandbox, name: string): unknown {
    const fn = sandbox[name];
    if (typeof fn !== 'function') throw new Error(`${name} is not defined`);
    return (fn as () => unknown)();
  }

  it('mock: worker_id and assignment_id from the URL; either missing is a preview', () => {
    const script = new MockProvider().wrapCrowdSourceScript();
    const page = run(script, '?worker_id=w1&assignment_id=42');
    expect(call(page, 'getWorkerName')).toBe('w1');
    expect(call(page, 'getAssignmentId')).toBe('42');
    expect(call(page, 'getAgentRegistration')).toEqual({
      worker_name: 'w1',
      agent_registration_id: '42-w1',
      assignment_id: '42',
      provider_type: 'mock',
    });
    expect(call(page, 'getProviderURLParams')).toBeNull();
    expect(typeof page.handleSubmitToProvider).toBe('function');
    const config = page._MEPHISTO_CONFIG_ as Record<string, unknown>;
    expect(config).toMatchObject({
      AUTO_SUBMIT_ERRORS: false,
      ADD_ERROR_HANDLING: false,
      ERROR_REPORT_TO_EMAIL: null,
    });
    const seen: unknown[] = [];
    const emitter = config.EVENT_EMITTER as { on(name: string, fn: (v: unknown) => void): () => void };
    const off = emitter.on('HIDE_SUBMIT_BUTTON', (v) => seen.push(v));
    (config.set as (k: string, v: unknown) => void)('HIDE_SUBMIT_BUTTON', true);
    off();
    (config.set as (k: string, v: unknown) => void)('HIDE_SUBMIT_BUTTON', false);
    expect(seen).toEqual([true]);
    expect((config.get as (k: string) => unknown)('HIDE_SUBMIT_BUTTON')).toBe(false);
    expect(() => (config.get as (k: string) => unknown)('NOPE')).toThrow(/NOPE does not exist/);

    expect(call(run(script, '?assignment_id=42'), 'getWorkerName')).toBeNull();
    expect(call(run(script, '?worker_id=&assignment_id=42'), 'getWorkerName')).toBeNull();
    expect(call(run(script, '?worker_id=w1'), 'getAssignmentId')).toBeNull();
  });

  it('inhouse: worker_id and id; a missing id is added to the URL; no worker asks to sign in', () => {
    const script = inhouse.wrapCrowdSourceScript();
    const page = run(script, '?worker_id=ada&id=7');
    expect(call(page, 'getAgentRegistration')).toEqual({
      worker_name: 'ada',
      agent_registration_id: '7-ada',
      assignment_id: '7',
      provider_type: 'inhouse',
    });
    expect(page.history.replaced).toEqual([]);
    expect(page.document.listened).toEqual([]);

    const noId = run(script, '?worker_id=ada&x=1');
    expect(noId.history.replaced).toHaveLength(1);
    expect(noId.history.replaced[0]).toMatch(/^\/\?worker_id=ada&x=1&id=[0-9a-f]{16}$/);
    expect(call(noId, 'getAssignmentId')).toMatch(/^[0-9a-f]{16}$/);

    for (const search of ['?id=7', '?worker_id=WORKER_USERNAME&id=7', '?worker_id=%20&id=7']) {
      const signIn = run(script, search);
      expect(call(signIn, 'getWorkerName'), search).toBeNull();
      expect(signIn.document.listened, search).toEqual(['DOMContentLoaded']);
      expect(signIn.history.replaced, search).toEqual([]);
    }
  });
});
