/**
 * The task server's WebSocket side against a real LiveRun on a temporary SQLite store: a real server on
 * port 0 and `ws` clients speaking as mephisto-task 2.0.4 does. Time is the store's ManualClock, which
 * also drives the server's liveness sweep, so 15 s of heartbeat silence takes no real time.
 */
import type { Packet } from '@mephisto-ts/task-client/wire';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { AgentSession } from '../../src/blueprints/blueprint.js';
import type { LiveRun } from '../../src/run/index.js';
import { createTaskServer, type TaskServerLimits } from '../../src/server/index.js';
import { FakeBlueprint, items, launch, makeConfig, settle, take } from '../run/engine-fakes.js';
import { STORE_TARGETS, useStore } from '../store/store-targets.js';

const SQLITE_FILE = STORE_TARGETS.find((t) => t.name === 'sqlite-file');
if (!SQLITE_FILE) throw new Error('no sqlite-file store target');

const silent = pino({ level: 'silent' });
/** The sweep runs every tenth of the shortest liveness timeout: 1 s with the defaults. */
const SWEEP_MS = 1_000;

type AnyPacket = Packet & Record<string, unknown>;

/** A page's socket: everything received is queued; `next` takes the first queued packet of a type. */
class PageSocket {
  readonly #queue: AnyPacket[] = [];
  readonly #waiters: { type: string | undefined; resolve: (p: AnyPacket) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const packet = JSON.parse(data.toString('utf8')) as AnyPacket;
      const i = this.#waiters.findIndex((w) => w.type === undefined || w.type === packet.packet_type);
      const waiter = i >= 0 ? this.#waiters.splice(i, 1)[0] : undefined;
      if (waiter) waiter.resolve(packet);
      else this.#queue.push(packet);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
  }

  static async open(url: string): Promise<PageSocket> {
    const ws = new WebSocket(url);
    const page = new PageSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return page;
  }

  send(packet: unknown): void {
    this.ws.send(typeof packet === 'string' ? packet : JSON.stringify(packet));
  }

  alive(agentId: string): void {
    this.send({ packet_type: 'alive', subject_id: agentId, data: { update_id: `alive-${agentId}` } });
  }

  heartbeat(agentId: string, clientTimestamp?: number): void {
    this.send({
      packet_type: 'heartbeat',
      subject_id: agentId,
      ...(clientTimestamp === undefined ? {} : { client_timestamp: clientTimestamp }),
    });
  }

  liveUpdate(agentId: string, data: Record<string, unknown>): void {
    this.send({ packet_type: 'mephisto_bound_live_update', subject_id: agentId, data, client_timestamp: 1 });
  }

  /** The next packet (of `type`), waiting up to 5 s for it. */
  next(type?: string): Promise<AnyPacket> {
    const i = this.#queue.findIndex((p) => type === undefined || p.packet_type === type);
    if (i >= 0) return Promise.resolve(this.#queue.splice(i, 1)[0] as AnyPacket);
    return new Promise((resolve, reject) => {
      const waiter = { type, resolve };
      this.#waiters.push(waiter);
      setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at < 0) return;
        this.#waiters.splice(at, 1);
        reject(new Error(`no ${type ?? 'packet'} arrived; queued: ${JSON.stringify(this.#queue)}`));
      }, 5_000);
    });
  }

  /** Packets received and not yet taken, after letting any in flight arrive. */
  async pending(): Promise<AnyPacket[]> {
    await this.roundTrip();
    return [...this.#queue];
  }

  /**
   * Waits until the server has handled everything sent so far: it answers packets in order, and a
   * heartbeat naming another agent on a bound socket is answered with an error and changes nothing.
   */
  async roundTrip(): Promise<void> {
    const probe = 'round-trip-probe';
    this.heartbeat(probe);
    const held: AnyPacket[] = [];
    for (;;) {
      const packet = await this.next();
      if (packet.subject_id === probe) break;
      held.push(packet);
    }
    this.#queue.unshift(...held);
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

describe('task server WebSocket [sqlite-file]', () => {
  const h = useStore(SQLITE_FILE);
  const cleanups: (() => Promise<unknown>)[] = [];
  const sockets: PageSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  interface Served {
    run: LiveRun;
    app: FastifyInstance;
    url: string;
    blueprint: FakeBlueprint;
    open(): Promise<PageSocket>;
  }

  async function serve(
    options: {
      units?: number;
      task?: Record<string, unknown>;
      limits?: Partial<TaskServerLimits>;
      run?: (session: AgentSession) => Promise<void>;
    } = {},
  ): Promise<Served> {
    const blueprint = new FakeBlueprint('static_task', items(options.units ?? 3), options.run);
    const { run, operator } = await launch(h.store, h.clock, {
      config: makeConfig({ task: options.task ?? {} }),
      blueprint,
    });
    cleanups.push(() => operator.shutdown());
    const app = createTaskServer({
      liveRun: run,
      logger: silent,
      clock: h.clock,
      scheduler: h.clock,
      ...(options.limits ? { limits: options.limits } : {}),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const url = `ws://127.0.0.1:${address.port}/`;
    return {
      run,
      app,
      url,
      blueprint,
      open: async () => {
        const socket = await PageSocket.open(url);
        sockets.push(socket);
        return socket;
      },
    };
  }

  /** Opens a socket for `agentId` and takes the `update_status` answering its `alive`. */
  async function connect(s: Served, agentId: string): Promise<PageSocket> {
    const page = await s.open();
    page.alive(agentId);
    expect((await page.next('update_status')).data).toEqual({ status: 'in task' });
    return page;
  }

  async function unitStatuses(run: LiveRun): Promise<string[]> {
    return (await h.store.findUnits({ taskRunId: run.taskRun.id })).map((u) => u.status).sort();
  }

  /** Waits until the server has let go of every socket the test closed (ws drops it on its close). */
  async function serverSeesClose(s: Served): Promise<void> {
    const open = (): number => sockets.filter((p) => p.ws.readyState === WebSocket.OPEN).length;
    await vi.waitFor(() => {
      expect(s.app.websocketServer.clients.size).toBe(open());
    });
  }

  it('alive binds the socket and is answered with update_status (seconds timestamps)', async () => {
    const s = await serve();
    const { agentId } = await take(s.run, 'w1');
    const page = await s.open();
    page.alive(agentId);
    const status = await page.next();
    expect(status).toEqual({
      packet_type: 'update_status',
      subject_id: agentId,
      data: { status: 'in task' },
      server_timestamp: h.clock.now() / 1000,
      router_outgoing_timestamp: h.clock.now() / 1000,
    });
    expect(await page.pending()).toEqual([]);
  });

  it('echoes heartbeats as mephisto-task expects: last_mephisto_ping in ms, and the status', async () => {
    const s = await serve();
    const { agentId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    page.heartbeat(agentId, 1_767_225_600.25);
    expect(await page.next('heartbeat')).toEqual({
      packet_type: 'heartbeat',
      subject_id: agentId,
      // The page's own clock: its Date.now() - last_mephisto_ping stays small whatever the clock skew.
      data: { last_mephisto_ping: 1_767_225_600_250, status: 'in task' },
      client_timestamp: 1_767_225_600.25,
      router_incoming_timestamp: h.clock.now() / 1000,
      router_outgoing_timestamp: h.clock.now() / 1000,
    });
    page.heartbeat(agentId);
    expect((await page.next('heartbeat')).data).toEqual({
      last_mephisto_ping: h.clock.now(),
      status: 'in task',
    });
  });

  it('binds on a heartbeat that arrives before alive (a restarted mephisto-task socket can do that)', async () => {
    const s = await serve();
    const { agentId } = await take(s.run, 'w1');
    const page = await s.open();
    page.heartbeat(agentId, 100);
    expect((await page.next()).packet_type).toBe('update_status');
    expect((await page.next()).data).toEqual({ last_mephisto_ping: 100_000, status: 'in task' });
    page.alive(agentId);
    expect((await page.next('update_status')).data).toEqual({ status: 'in task' });
  });

  it('carries live updates both ways; repeated update_ids reach the blueprint once', async () => {
    const got: unknown[] = [];
    const s = await serve({
      run: async (session) => {
        session.sendLiveUpdate({ text: 'before the page connected' });
        session.sendLiveUpdate({ text: 'with an id', update_id: 'server-1' });
        for (;;) {
          const update = (await session.nextLiveUpdate()) as { n: number };
          got.push(update);
          session.sendLiveUpdate({ echo: update.n });
        }
      },
    });
    const { agentId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    const first = await page.next('client_bound_live_update');
    expect(first).toMatchObject({
      packet_type: 'client_bound_live_update',
      subject_id: agentId,
      data: { text: 'before the page connected' },
      server_timestamp: h.clock.now() / 1000,
      router_outgoing_timestamp: h.clock.now() / 1000,
    });
    expect(first.data.update_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await page.next('client_bound_live_update')).data).toEqual({
      text: 'with an id',
      update_id: 'server-1',
    });

    page.liveUpdate(agentId, { update_id: 'u1', n: 1 });
    page.liveUpdate(agentId, { update_id: 'u1', n: 1 });
    page.liveUpdate(agentId, { update_id: 'u2', n: 2 });
    expect((await page.next('client_bound_live_update')).data).toMatchObject({ echo: 1 });
    expect((await page.next('client_bound_live_update')).data).toMatchObject({ echo: 2 });
    expect(await page.pending()).toEqual([]);
    expect(got).toEqual([
      { update_id: 'u1', n: 1 },
      { update_id: 'u2', n: 2 },
    ]);
  });

  it('keeps client-bound updates while the page has no socket and delivers them after alive', async () => {
    const s = await serve({ run: () => new Promise(() => undefined) });
    const { agentId } = await take(s.run, 'w1');
    const session = s.blueprint.sessions[0];
    if (!session) throw new Error('no session');
    const first = await connect(s, agentId);
    first.heartbeat(agentId);
    await first.next('heartbeat');
    await first.close();
    await serverSeesClose(s);
    session.sendLiveUpdate({ n: 1 });
    session.sendLiveUpdate({ n: 2 });
    await h.clock.tick(5_000);

    const second = await s.open();
    second.alive(agentId);
    expect((await second.next()).data).toEqual({ status: 'in task' });
    expect((await second.next()).data).toMatchObject({ n: 1 });
    expect((await second.next()).data).toMatchObject({ n: 2 });

    // A third socket saying alive takes over; the second still has its heartbeats answered. An
    // update that is not JSON is dropped (and logged) without disturbing the blueprint or the page.
    const third = await connect(s, agentId);
    session.sendLiveUpdate({ n: 10n });
    session.sendLiveUpdate({ n: 3 });
    expect((await third.next('client_bound_live_update')).data).toMatchObject({ n: 3 });
    second.heartbeat(agentId);
    expect((await second.next()).packet_type).toBe('heartbeat');
    expect(await second.pending()).toEqual([]);
  });

  it('tells the page when its agent times out, and tells a page that comes back later', async () => {
    const s = await serve({ units: 1, task: { assignment_duration_in_seconds: 60 } });
    const { agentId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    await h.clock.tick(60_001);
    expect((await page.next('update_status')).data).toEqual({ status: 'timeout' });
    expect(await unitStatuses(s.run)).toEqual(['launched']);

    page.heartbeat(agentId);
    expect((await page.next('heartbeat')).data).toMatchObject({ status: 'timeout' });
    page.liveUpdate(agentId, { update_id: 'late' });
    expect((await page.next('error')).data).toEqual({
      code: 'MEPHISTO_ERR_AGENT_NOT_LIVE',
      message: `agent ${agentId} is "timeout", no longer working on its unit`,
      packet_type: 'mephisto_bound_live_update',
    });
    const later = await s.open();
    later.alive(agentId);
    expect(await later.next()).toMatchObject({ packet_type: 'update_status', data: { status: 'timeout' } });
    expect(await later.pending()).toEqual([]);
  });

  it('reports a page that heartbeated and then went silent for 15 s: the unit is offered again', async () => {
    const s = await serve({ units: 1 });
    const { agentId, workerId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    page.heartbeat(agentId);
    await page.next('heartbeat');
    await h.clock.tick(14_000);
    expect(s.run.workerOfAgent(agentId)).toBe(workerId);
    page.heartbeat(agentId);
    await page.next('heartbeat');
    await h.clock.tick(14_000);
    expect(s.run.workerOfAgent(agentId)).toBe(workerId);

    await h.clock.tick(1_000 + SWEEP_MS);
    expect((await page.next('update_status')).data).toEqual({ status: 'disconnect' });
    expect(s.run.workerOfAgent(agentId)).toBeUndefined();
    expect((await h.store.getAgent(agentId)).status).toBe('disconnect');
    expect(await unitStatuses(s.run)).toEqual(['launched']);
    await take(s.run, 'w2');
  });

  it('keeps an agent whose page reconnects within the grace period', async () => {
    const s = await serve();
    const { agentId, workerId } = await take(s.run, 'w1');
    const first = await connect(s, agentId);
    first.heartbeat(agentId);
    await first.next('heartbeat');
    await first.close();
    await serverSeesClose(s);
    await h.clock.tick(9_000);
    const second = await connect(s, agentId);
    second.heartbeat(agentId);
    await second.next('heartbeat');
    for (let i = 0; i < 4; i++) {
      await h.clock.tick(6_000);
      second.heartbeat(agentId);
      await second.next('heartbeat');
    }
    expect(s.run.workerOfAgent(agentId)).toBe(workerId);
    expect(await second.pending()).toEqual([]);
  });

  it('reports a page whose socket closed and did not come back within 10 s (Mephisto missed closes)', async () => {
    const s = await serve({ units: 1 });
    const { agentId, workerId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    await page.close();
    await serverSeesClose(s);
    await h.clock.tick(9_000);
    expect(s.run.workerOfAgent(agentId)).toBe(workerId);
    await h.clock.tick(1_000 + SWEEP_MS);
    await vi.waitFor(() => {
      expect(s.run.workerOfAgent(agentId)).toBeUndefined();
    });
    expect((await h.store.getAgent(agentId)).status).toBe('disconnect');
    expect(await unitStatuses(s.run)).toEqual(['launched']);

    const back = await s.open();
    back.alive(agentId);
    expect((await back.next()).data).toEqual({ status: 'disconnect' });
  });

  it('tells every connected page its unit expired when the run is shut down', async () => {
    const s = await serve();
    const { agentId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    await s.run.shutdown('test over');
    expect((await page.next('update_status')).data).toEqual({ status: 'expired' });
  });

  it('refuses every malformed or unknown packet with an error packet, keeps the socket, changes nothing', async () => {
    const s = await serve();
    const { agentId, workerId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    const before = await unitStatuses(s.run);
    const cases: [unknown, string, string | null, RegExp][] = [
      ['not json', 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', null, /not JSON/],
      ['[1,2]', 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', null, /JSON object/],
      ['42', 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', null, /JSON object/],
      ['null', 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', null, /JSON object/],
      [{ subject_id: agentId }, 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', null, /packet_type/],
      [{ packet_type: 7, subject_id: agentId }, 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', null, /packet_type/],
      [{ packet_type: 'heartbeat' }, 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', 'heartbeat', /subject_id/],
      [
        { packet_type: 'alive', subject_id: '' },
        'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
        'alive',
        /subject_id/,
      ],
      [
        { packet_type: 'alive', subject_id: 12 },
        'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
        'alive',
        /subject_id/,
      ],
      [
        { packet_type: 'heartbeat', subject_id: agentId, data: [] },
        'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
        'heartbeat',
        /data/,
      ],
      [
        { packet_type: 'heartbeat', subject_id: agentId, client_timestamp: 'now' },
        'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
        'heartbeat',
        /client_timestamp/,
      ],
      [
        { packet_type: 'mephisto_bound_live_update', subject_id: agentId },
        'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
        'mephisto_bound_live_update',
        /data/,
      ],
      [
        { packet_type: 'mephisto_bound_live_update', subject_id: agentId, data: 'text' },
        'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
        'mephisto_bound_live_update',
        /data/,
      ],
      [
        { packet_type: 'mephisto_bound_live_update', subject_id: agentId, data: { update_id: 5 } },
        'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
        'mephisto_bound_live_update',
        /update_id/,
      ],
      [
        { packet_type: 'register_agent', subject_id: 'mephisto', data: {} },
        'MEPHISTO_ERR_SOCKET_UNKNOWN_PACKET',
        'register_agent',
        /register_agent/,
      ],
      [
        { packet_type: 'update_status', subject_id: agentId, data: { status: 'completed' } },
        'MEPHISTO_ERR_SOCKET_UNKNOWN_PACKET',
        'update_status',
        /update_status/,
      ],
      [
        { packet_type: 'submit_unit', subject_id: agentId, data: {} },
        'MEPHISTO_ERR_SOCKET_UNKNOWN_PACKET',
        'submit_unit',
        /submit_unit/,
      ],
    ];
    for (const [packet, code, packetType, message] of cases) {
      page.send(packet);
      const error = await page.next();
      expect(error.packet_type, JSON.stringify(packet)).toBe('error');
      expect(error.data, JSON.stringify(packet)).toMatchObject({ code, packet_type: packetType });
      expect(error.data.message).toMatch(message);
    }
    page.ws.send(Buffer.from('{"packet_type":"heartbeat"}'), { binary: true });
    expect((await page.next()).data).toMatchObject({
      code: 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET',
      message: expect.stringMatching(/binary/) as unknown,
    });

    page.heartbeat(agentId);
    expect((await page.next()).data).toMatchObject({ status: 'in task' });
    expect(s.run.workerOfAgent(agentId)).toBe(workerId);
    expect(await unitStatuses(s.run)).toEqual(before);
  });

  it('refuses packets for another agent than the bound one, and another worker’s agent', async () => {
    const got: unknown[] = [];
    const s = await serve({
      run: async (session) => {
        for (;;) got.push(await session.nextLiveUpdate());
      },
    });
    const mine = await take(s.run, 'w1');
    const theirs = await take(s.run, 'w2');
    const page = await connect(s, mine.agentId);
    const other = await connect(s, theirs.agentId);

    page.heartbeat(theirs.agentId);
    expect((await page.next()).data).toMatchObject({
      code: 'MEPHISTO_ERR_AGENT_NOT_YOURS',
      packet_type: 'heartbeat',
    });
    page.alive(theirs.agentId);
    expect((await page.next()).data).toMatchObject({
      code: 'MEPHISTO_ERR_AGENT_NOT_YOURS',
      packet_type: 'alive',
    });
    page.liveUpdate(theirs.agentId, { update_id: 'x' });
    expect((await page.next()).data).toMatchObject({ code: 'MEPHISTO_ERR_AGENT_NOT_YOURS' });
    page.heartbeat('999999');
    const notBound = await page.next();
    expect(notBound).toMatchObject({
      packet_type: 'error',
      subject_id: '999999',
      data: { code: 'MEPHISTO_ERR_SOCKET_NOT_BOUND', packet_type: 'heartbeat' },
    });

    // Nothing moved: each socket still speaks for its own agent, and no update reached the blueprint.
    page.heartbeat(mine.agentId);
    expect((await page.next()).packet_type).toBe('heartbeat');
    other.heartbeat(theirs.agentId);
    expect((await other.next()).packet_type).toBe('heartbeat');
    await settle();
    expect(got).toEqual([]);
    expect(s.run.workerOfAgent(theirs.agentId)).toBe(theirs.workerId);
  });

  it('answers alive for an agent this run does not have working with an error and status none', async () => {
    const s = await serve();
    const page = await s.open();
    page.alive('424242');
    expect(await page.next()).toMatchObject({
      packet_type: 'error',
      subject_id: '424242',
      data: { code: 'MEPHISTO_ERR_AGENT_NOT_LIVE', packet_type: 'alive' },
    });
    expect((await page.next()).data).toEqual({ status: 'none' });
    page.liveUpdate('424242', { update_id: 'a' });
    expect((await page.next()).data).toMatchObject({ code: 'MEPHISTO_ERR_AGENT_NOT_LIVE' });
    page.heartbeat('424242');
    expect((await page.next()).data).toMatchObject({ status: 'none' });
    // A socket not bound to a working agent may still move to one.
    const { agentId } = await take(s.run, 'w1');
    page.alive(agentId);
    expect((await page.next()).data).toEqual({ status: 'in task' });
  });

  it('closes a socket that sends a message over socketMaxPayload (1009) or text that is not UTF-8 (1007)', async () => {
    const s = await serve({ limits: { socketMaxPayload: 1024 } });
    const { agentId, workerId } = await take(s.run, 'w1');
    const big = await connect(s, agentId);
    big.liveUpdate(agentId, { update_id: 'big', text: 'x'.repeat(2048) });
    expect((await big.closed).code).toBe(1009);
    const garbled = await s.open();
    garbled.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await garbled.closed).code).toBe(1007);

    const page = await connect(s, agentId);
    page.heartbeat(agentId);
    expect((await page.next()).packet_type).toBe('heartbeat');
    expect(s.run.workerOfAgent(agentId)).toBe(workerId);
  });

  it('answers plain HTTP GET / with the task page route (not found without a site)', async () => {
    const s = await serve();
    const response = await fetch(s.url.replace('ws://', 'http://'));
    expect(response.status).toBe(404);
  });

  it('closes sockets with 1001 on server close without reporting their agents', async () => {
    const s = await serve();
    const { agentId, workerId } = await take(s.run, 'w1');
    const page = await connect(s, agentId);
    page.heartbeat(agentId);
    await page.next('heartbeat');
    await s.app.close();
    expect(await page.closed).toEqual({ code: 1001, reason: 'the task server is shutting down' });
    await h.clock.tick(60_000);
    expect(s.run.workerOfAgent(agentId)).toBe(workerId);
  });

  it('serves 200 pages at once: each binds, heartbeats and gets its echo', async () => {
    const n = 200;
    const s = await serve({ units: n });
    const agents = await Promise.all(Array.from({ length: n }, (_, i) => take(s.run, `w${i}`)));
    const pages = await Promise.all(agents.map(() => s.open()));
    pages.forEach((page, i) => {
      const agentId = (agents[i] as { agentId: string }).agentId;
      page.alive(agentId);
      page.heartbeat(agentId, 1000 + i);
    });
    await Promise.all(
      pages.map(async (page, i) => {
        expect((await page.next()).data).toEqual({ status: 'in task' });
        expect((await page.next()).data).toEqual({
          last_mephisto_ping: (1000 + i) * 1000,
          status: 'in task',
        });
      }),
    );
    for (const page of pages) expect(await page.pending()).toEqual([]);
    await h.clock.tick(10_000);
    expect(agents.every((a) => s.run.workerOfAgent(a.agentId) === a.workerId)).toBe(true);
  });
});
