/**
 * Multipart submits with files and `/download_file/:file`, against a real LiveRun on a temporary
 * SQLite store and a real server on port 0, with fetch + FormData: the round trip (stored submission
 * names the files, the download returns the same bytes), and every kind of bad input answered with
 * its code while leaving no file and no submission behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentDetailsPacket, ErrorReply, UploadedFile } from '@mephisto-ts/task-client/wire';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveRun } from '../../src/run/index.js';
import { createTaskServer, type TaskServerOptions } from '../../src/server/index.js';
import {
  isServableFileName,
  sanitiseNamePart,
  storedFileName,
} from '../../src/server/uploads/stored-file-name.js';
import { FakeBlueprint, items, launch, makeConfig, settle, take } from '../run/engine-fakes.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';

const SQLITE_FILE = STORE_TARGETS.find((t) => t.name === 'sqlite-file');
if (!SQLITE_FILE) throw new Error('no sqlite-file store target');

const silent = pino({ level: 'silent' });

interface Served {
  run: LiveRun;
  url: string;
  /** The server's files directory (inside `root`), or undefined when uploads are off. */
  filesDir: string | undefined;
  /** A temporary folder holding filesDir, to show nothing is written beside it. */
  root: string;
}

interface SubmittedData {
  answer?: unknown;
  files: UploadedFile[];
  filesByFields: Record<string, UploadedFile[]>;
}

describe('multipart submits and /download_file [sqlite-file]', () => {
  const h = useStore(SQLITE_FILE);
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(
    options: { units?: number; uploads?: boolean; server?: Partial<TaskServerOptions> } = {},
  ): Promise<Served> {
    const root = await mkdtemp(join(tmpdir(), 'mephisto-uploads-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    // Not created beforehand: the server creates it on the first upload.
    const filesDir = options.uploads === false ? undefined : join(root, 'files');
    const { run, operator } = await launch(h.store, h.clock, {
      config: makeConfig(),
      blueprint: new FakeBlueprint('static_task', items(options.units ?? 3)),
    });
    cleanups.push(() => operator.shutdown());
    const app = createTaskServer({
      liveRun: run,
      logger: silent,
      clock: h.clock,
      ...(filesDir === undefined ? {} : { filesDir }),
      ...options.server,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      const closing = app.close();
      // A streamed download can reach the client before the server has ended its response; such a
      // keep-alive connection is then not idle when close() starts, and would hold it for the
      // keep-alive timeout (72 s). The test is over: drop every connection.
      app.server.closeAllConnections();
      await closing;
    });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { run, url: `http://127.0.0.1:${address.port}`, filesDir, root };
  }

  async function requestAgent(s: Served, worker: string): Promise<{ agentId: string; workerId: string }> {
    const response = await fetch(`${s.url}/request_agent`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider_data: { worker_name: worker, agent_registration_id: `a-${worker}` } }),
    });
    const packet = (await response.json()) as AgentDetailsPacket;
    if (packet.data.agent_id === null || packet.data.worker_id === null) throw new Error('refused');
    return { agentId: packet.data.agent_id, workerId: packet.data.worker_id };
  }

  function form(
    fields: Record<string, string>,
    files: [field: string, bytes: Uint8Array, name: string, type?: string][] = [],
  ): FormData {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    for (const [field, bytes, name, type] of files)
      body.append(field, new Blob([bytes], { type: type ?? 'application/octet-stream' }), name);
    return body;
  }

  const submit = (s: Served, body: FormData, route = '/submit_task') =>
    fetch(`${s.url}${route}`, { method: 'POST', body });

  async function expectError(response: Response, status: number, code: string): Promise<string> {
    const body = (await response.json()) as ErrorReply;
    expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
    expect(body.error.message.length).toBeGreaterThan(0);
    return body.error.message;
  }

  /** Every entry under `root` (recursively), hidden temporaries included. */
  async function filesUnder(root: string): Promise<string[]> {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => !e.isDirectory())
      .map((e) => e.name)
      .sort();
  }

  async function expectNothingStored(s: Served, agentId: string): Promise<void> {
    await settle();
    expect(await filesUnder(s.root)).toEqual([]);
    expect(await h.store.getAgentSubmission(agentId)).toBeNull();
    expect((await h.store.getAgent(agentId)).status).not.toBe('completed');
  }

  it('round trip: a submit with two files stores the records, and /download_file returns the same bytes', async () => {
    const s = await serve();
    const { agentId, workerId } = await requestAgent(s, 'w1');
    const photo = randomBytes(3000);
    const notes = new TextEncoder().encode('the cat is <b>grey</b>\n');
    const response = await submit(
      s,
      form(
        {
          USED_AGENT_ID: agentId,
          final_string_data: JSON.stringify({ answer: 'cat' }),
          client_timestamp: '1767225601.5',
          worker_id: workerId,
        },
        [
          ['photo', photo, 'My Photo.png', 'image/png'],
          ['notes', notes, 'notes.html', 'text/html'],
        ],
      ),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'Submitted!' });

    // Acknowledged after the commit: the submission is already in the store.
    const submission = await h.store.getAgentSubmission(agentId);
    const data = submission?.data as SubmittedData;
    expect(data.answer).toBe('cat');
    expect(data.files).toHaveLength(2);
    const [photoRecord, notesRecord] = data.files;
    if (!photoRecord || !notesRecord) throw new Error('records missing');
    expect(photoRecord).toMatchObject({
      fieldname: 'photo',
      originalname: 'My Photo.png',
      mimetype: 'image/png',
      encoding: '7bit',
      destination: s.filesDir,
      size: photo.length,
    });
    expect(photoRecord.filename).toMatch(/^\d+-[0-9a-f]{16}-photo-My_Photo\.png$/);
    expect(photoRecord.path).toBe(join(s.filesDir ?? '', photoRecord.filename));
    expect(notesRecord).toMatchObject({ fieldname: 'notes', originalname: 'notes.html', size: notes.length });
    expect(data.filesByFields).toEqual({ photo: [photoRecord], notes: [notesRecord] });
    expect((await h.store.getAgent(agentId)).status).toBe('completed');
    // Exactly the two files, no temporary left.
    expect(await filesUnder(s.root)).toEqual([photoRecord.filename, notesRecord.filename].sort());

    const download = await fetch(`${s.url}/download_file/${photoRecord.filename}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(photo)).toBe(true);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="${photoRecord.filename}"`,
    );
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toContain('sandbox');

    // An HTML upload is never served as HTML from the task's origin.
    const html = await fetch(`${s.url}/download_file/${notesRecord.filename}`);
    expect(Buffer.from(await html.arrayBuffer()).equals(Buffer.from(notes))).toBe(true);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('multipart without files, final_data as JSON text, several files in one field, and JSON submits', async () => {
    const s = await serve({ units: 4 });
    const a = await requestAgent(s, 'w1');
    const b = await requestAgent(s, 'w2');
    const c = await requestAgent(s, 'w3');
    const d = await requestAgent(s, 'w4');

    const plain = await submit(s, form({ USED_AGENT_ID: a.agentId, final_string_data: '{"answer":1}' }));
    expect(await plain.json()).toEqual({ status: 'Submitted!' });
    expect((await h.store.getAgentSubmission(a.agentId))?.data).toEqual({
      answer: 1,
      files: [],
      filesByFields: {},
    });

    // final_data is read as JSON text too; data that is not an object is kept as it is when no file rides on it.
    const list = await submit(s, form({ USED_AGENT_ID: b.agentId, final_data: '[1,2]' }));
    expect(list.status).toBe(200);
    expect((await h.store.getAgentSubmission(b.agentId))?.data).toEqual([1, 2]);

    const twice = await submit(
      s,
      form({ USED_AGENT_ID: c.agentId, final_string_data: '{}' }, [
        ['pages', new Uint8Array([1]), 'p1.jpg'],
        ['pages', new Uint8Array([2, 2]), 'p2.jpg'],
      ]),
    );
    expect(twice.status).toBe(200);
    const data = (await h.store.getAgentSubmission(c.agentId))?.data as SubmittedData;
    expect(data.filesByFields.pages?.map((f) => [f.originalname, f.size])).toEqual([
      ['p1.jpg', 1],
      ['p2.jpg', 2],
    ]);

    const json = await fetch(`${s.url}/submit_task`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ USED_AGENT_ID: d.agentId, final_data: { answer: 'json' } }),
    });
    expect(await json.json()).toEqual({ status: 'Submitted!' });
    expect((await h.store.getAgentSubmission(d.agentId))?.data).toEqual({ answer: 'json' });
  });

  it('original names cannot steer where a file lands', async () => {
    const s = await serve({ units: 1 });
    const { agentId } = await requestAgent(s, 'w1');
    const response = await submit(
      s,
      form({ USED_AGENT_ID: agentId, final_string_data: '{}' }, [
        ['doc', new Uint8Array([1]), '../../escape.txt'],
        ['../x', new Uint8Array([2]), '..\\..\\.evil..html'],
      ]),
    );
    expect(response.status).toBe(200);
    const names = ((await h.store.getAgentSubmission(agentId))?.data as SubmittedData).files.map(
      (f) => f.filename,
    );
    expect(names[0]).toMatch(/^\d+-[0-9a-f]{16}-doc-escape\.txt$/);
    expect(names[1]).toMatch(/^\d+-[0-9a-f]{16}-x-evil\.html$/);
    // Both inside the files directory, nothing beside it.
    expect(await filesUnder(s.root)).toEqual([...names].sort());
    expect(await readdir(s.root)).toEqual(['files']);
  });

  describe('bad input is refused with its code and leaves no file and no submission', () => {
    it('limits: file size, file count, field size, field count', async () => {
      const s = await serve({
        server: { limits: { fileSizeLimit: 1024, filesLimit: 2, fieldSizeLimit: 256, fieldsLimit: 5 } },
      });
      const { agentId } = await requestAgent(s, 'w1');
      const fields = { USED_AGENT_ID: agentId, final_string_data: '{"a":1}' };
      const small = (name: string): [string, Uint8Array, string] => ['f', new Uint8Array(10), name];

      const big = await submit(s, form(fields, [small('ok.txt'), ['f', randomBytes(4096), 'big.bin']]));
      expect(await expectError(big, 413, 'MEPHISTO_ERR_FILE_TOO_LARGE')).toContain('big.bin');
      await expectNothingStored(s, agentId);

      const many = await submit(s, form(fields, [small('1'), small('2'), small('3')]));
      await expectError(many, 413, 'MEPHISTO_ERR_TOO_MANY_FILES');
      await expectNothingStored(s, agentId);

      const longField = await submit(
        s,
        form({ USED_AGENT_ID: agentId, final_string_data: JSON.stringify({ t: 'x'.repeat(500) }) }, [
          small('a'),
        ]),
      );
      expect(await expectError(longField, 413, 'MEPHISTO_ERR_FIELD_TOO_LARGE')).toContain(
        'final_string_data',
      );
      await expectNothingStored(s, agentId);

      const extra = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, 'y']));
      const manyFields = await submit(s, form({ ...fields, ...extra }, [small('a')]));
      await expectError(manyFields, 413, 'MEPHISTO_ERR_TOO_MANY_FIELDS');
      await expectNothingStored(s, agentId);

      // Within every limit, the same agent can still submit.
      const ok = await submit(s, form(fields, [small('1'), small('2')]));
      expect(ok.status).toBe(200);
    });

    it('bad fields: malformed JSON, missing USED_AGENT_ID, missing data, non-object data with files, bad timestamp, malformed body', async () => {
      const s = await serve();
      const { agentId } = await requestAgent(s, 'w1');
      const file: [string, Uint8Array, string] = ['f', new Uint8Array([1, 2, 3]), 'a.txt'];

      const badJson = await submit(s, form({ USED_AGENT_ID: agentId, final_string_data: '{"a":' }, [file]));
      expect(await expectError(badJson, 400, 'MEPHISTO_ERR_MALFORMED_JSON')).toContain('final_string_data');
      await expectNothingStored(s, agentId);

      const noId = await submit(s, form({ final_string_data: '{}' }, [file]));
      expect(await expectError(noId, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('USED_AGENT_ID');
      await expectNothingStored(s, agentId);

      const noData = await submit(s, form({ USED_AGENT_ID: agentId }, [file]));
      expect(await expectError(noData, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('final_string_data');
      await expectNothingStored(s, agentId);

      const notObject = await submit(
        s,
        form({ USED_AGENT_ID: agentId, final_string_data: '"text"' }, [file]),
      );
      expect(await expectError(notObject, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('JSON object');
      await expectNothingStored(s, agentId);

      const twoIds = form({ USED_AGENT_ID: agentId, final_string_data: '{}' }, [file]);
      twoIds.append('USED_AGENT_ID', agentId);
      await expectError(await submit(s, twoIds), 400, 'MEPHISTO_ERR_INVALID_REQUEST');
      await expectNothingStored(s, agentId);

      const badTime = await submit(
        s,
        form({ USED_AGENT_ID: agentId, final_string_data: '{}', client_timestamp: 'now' }, [file]),
      );
      expect(await expectError(badTime, 400, 'MEPHISTO_ERR_INVALID_REQUEST')).toContain('client_timestamp');
      await expectNothingStored(s, agentId);

      const noBoundary = await fetch(`${s.url}/submit_task`, {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data' },
        body: 'USED_AGENT_ID=1',
      });
      await expectError(noBoundary, 400, 'MEPHISTO_ERR_INVALID_REQUEST');
      const cutShort = await fetch(`${s.url}/submit_task`, {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=XX' },
        body: '--XX\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nhalf a file',
      });
      await expectError(cutShort, 400, 'MEPHISTO_ERR_INVALID_REQUEST');
      await expectNothingStored(s, agentId);
    });

    it('refused submits: unknown agent, another worker’s agent, an agent no longer working', async () => {
      const s = await serve();
      const mine = await requestAgent(s, 'w1');
      // Given out by the run directly, not through this server: its owner comes from the LiveRun.
      const theirs = await take(s.run, 'w2');
      const file: [string, Uint8Array, string] = ['f', new Uint8Array([9]), 'a.txt'];

      const unknown = await submit(s, form({ USED_AGENT_ID: '999999', final_string_data: '{}' }, [file]));
      await expectError(unknown, 404, 'MEPHISTO_ERR_AGENT_NOT_LIVE');
      await expectNothingStored(s, mine.agentId);

      const stolen = await submit(
        s,
        form({ USED_AGENT_ID: theirs.agentId, final_string_data: '{}', worker_id: mine.workerId }, [file]),
      );
      await expectError(stolen, 403, 'MEPHISTO_ERR_AGENT_NOT_YOURS');
      await expectNothingStored(s, theirs.agentId);

      const first = await submit(
        s,
        form({ USED_AGENT_ID: mine.agentId, final_string_data: '{"n":1}' }, [file]),
      );
      expect(first.status).toBe(200);
      const kept = await filesUnder(s.root);
      expect(kept).toHaveLength(1);
      const again = await submit(
        s,
        form({ USED_AGENT_ID: mine.agentId, final_string_data: '{"n":2}' }, [file]),
      );
      await expectError(again, 409, 'MEPHISTO_ERR_AGENT_NOT_LIVE');
      // The second submit's file is gone, the first one's (and its submission) untouched.
      expect(await filesUnder(s.root)).toEqual(kept);
      expect((await h.store.getAgentSubmission(mine.agentId))?.data).toMatchObject({ n: 1 });
    });

    it('uploads disabled: files are refused, a multipart submit without files still goes through', async () => {
      const s = await serve({ uploads: false });
      const { agentId } = await requestAgent(s, 'w1');
      const withFile = await submit(
        s,
        form({ USED_AGENT_ID: agentId, final_string_data: '{}' }, [['f', new Uint8Array([1]), 'a.txt']]),
      );
      expect(await expectError(withFile, 409, 'MEPHISTO_ERR_UPLOADS_DISABLED')).toContain('not enabled');
      await expectNothingStored(s, agentId);
      await expectError(
        await fetch(`${s.url}/download_file/anything.txt`),
        404,
        'MEPHISTO_ERR_FILE_NOT_FOUND',
      );

      const withoutFile = await submit(s, form({ USED_AGENT_ID: agentId, final_string_data: '{"a":1}' }));
      expect(withoutFile.status).toBe(200);
    });
  });

  it('/submit_metadata takes multipart too; its files only for an agent at work here', async () => {
    const s = await serve();
    const { agentId, workerId } = await requestAgent(s, 'w1');
    const file: [string, Uint8Array, string] = ['tip_image', new Uint8Array([7, 7]), 'tip.png'];

    const unknown = await submit(
      s,
      form({ USED_AGENT_ID: '999999', metadata: '{}' }, [file]),
      '/submit_metadata',
    );
    await expectError(unknown, 404, 'MEPHISTO_ERR_AGENT_NOT_LIVE');
    const badJson = await submit(
      s,
      form({ USED_AGENT_ID: agentId, metadata: '{' }, [file]),
      '/submit_metadata',
    );
    expect(await expectError(badJson, 400, 'MEPHISTO_ERR_MALFORMED_JSON')).toContain('metadata');
    const other = await submit(
      s,
      form({ USED_AGENT_ID: agentId, metadata: '{}', worker_id: `${workerId}0` }, [file]),
      '/submit_metadata',
    );
    await expectError(other, 403, 'MEPHISTO_ERR_AGENT_NOT_YOURS');
    expect(await filesUnder(s.root)).toEqual([]);

    const ok = await submit(
      s,
      form({ USED_AGENT_ID: agentId, metadata: '{"tip":"look left"}', worker_id: workerId }, [file]),
      '/submit_metadata',
    );
    expect(await ok.json()).toEqual({ status: 'Submitted metadata' });
    expect(await filesUnder(s.root)).toHaveLength(1);
    // Metadata is not a submission.
    expect(await h.store.getAgentSubmission(agentId)).toBeNull();
  });

  it('/download_file refuses unknown names, paths, hidden files, symlinks and folders', async () => {
    const s = await serve();
    const filesDir = s.filesDir ?? '';
    await mkdir(join(filesDir, 'folder'), { recursive: true });
    await writeFile(join(s.root, 'secret.txt'), 'outside');
    await writeFile(join(filesDir, '.hidden.part'), 'half');
    await symlink(join(s.root, 'secret.txt'), join(filesDir, 'link.txt'));
    const get = (name: string) => fetch(`${s.url}/download_file/${name}`);

    await expectError(await get('nope.txt'), 404, 'MEPHISTO_ERR_FILE_NOT_FOUND');
    await expectError(await get('link.txt'), 404, 'MEPHISTO_ERR_FILE_NOT_FOUND');
    await expectError(await get('folder'), 404, 'MEPHISTO_ERR_FILE_NOT_FOUND');
    for (const name of ['..%2Fsecret.txt', '.hidden.part', 'a%00b', '..%5Csecret.txt', '%2Fetc%2Fpasswd'])
      await expectError(await get(name), 400, 'MEPHISTO_ERR_INVALID_REQUEST');
    // A literal ../ is resolved by the client before it is sent: no route matches.
    expect((await get('../secret.txt')).status).toBe(404);
  });

  it('stored names: sanitised parts, at most 100 characters, always servable', () => {
    expect(sanitiseNamePart('../../a b/é?.PNG', 48, 'file')).toBe('e_.PNG');
    expect(sanitiseNamePart('..', 48, 'file')).toBe('file');
    expect(sanitiseNamePart('a..b...c', 48, 'file')).toBe('a.b.c');
    expect(sanitiseNamePart(`${'x'.repeat(80)}.jpeg`, 48, 'file')).toBe(`${'x'.repeat(43)}.jpeg`);
    const name = storedFileName(Date.UTC(2026, 0, 1), 'f'.repeat(60), `${'n'.repeat(200)}.txt`);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(isServableFileName(name)).toBe(true);
    for (const bad of ['', '.x', 'a/b', 'a\\b', 'a..b', 'a\0b', 'x'.repeat(256)])
      expect(isServableFileName(bad)).toBe(false);
  });
});
