/**
 * One worker process of the server benchmark: simulates many browsers, each doing what a mephisto-task
 * page does: POST /request_agent, open the WebSocket, `alive`, heartbeats, POST /submit_task. Run by
 * the parent with `fork` and driven by the messages of bench-worker-protocol.ts.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { emptySamples, type FromWorker, type Samples, type ToWorker } from './bench-worker-protocol.js';
import { HttpConnection, WireSocket, originOf, type Origin } from './wire-client.js';

interface SimulatedBrowser {
  readonly name: string;
  agentId: string | null;
  socket: WireSocket | null;
  /** The page's keep-alive connection for its POSTs (wire-client.ts says why not node:http). */
  http: HttpConnection | null;
}

const HEARTBEAT_EVERY_MS = 6_000;
/**
 * Heartbeats go out in this many slices of the period: each page's timer runs on its own phase, so a
 * server sees its pages' heartbeats spread over the period, not all 2,000 in one burst every 6 s
 * (which would measure the burst, not the server).
 */
const HEARTBEAT_SLICES = 60;
let heartbeatSlice = 0;
let origin: Origin = { host: '127.0.0.1', port: 0 };
const browsers: SimulatedBrowser[] = [];
let heartbeats: NodeJS.Timeout | undefined;

function send(message: FromWorker): void {
  process.send?.(message);
}

function fail(samples: Samples, message: string): void {
  samples.errors++;
  if (samples.errorSamples.length < 5) samples.errorSamples.push(message);
}

function browserNamed(name: string): SimulatedBrowser {
  return { name, agentId: null, socket: null, http: null };
}

async function postJson(
  browser: SimulatedBrowser,
  path: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  browser.http ??= new HttpConnection(origin);
  const { status, body: text } = await browser.http.postJson(path, body);
  try {
    return { status, json: JSON.parse(text) as unknown };
  } catch {
    return { status, json: text };
  }
}

async function requestAgent(browser: SimulatedBrowser, round: number, samples: Samples): Promise<boolean> {
  const started = performance.now();
  const { status, json } = await postJson(browser, '/request_agent', {
    provider_data: {
      worker_name: browser.name,
      agent_registration_id: `${browser.name}-r${round}`,
      assignment_id: `${browser.name}-r${round}`,
      provider_type: 'mock',
    },
    client_timestamp: Date.now() / 1000,
  });
  samples.requestAgentMs.push(performance.now() - started);
  const data = (json as { data?: { agent_id?: string | null; failure_reason?: string } }).data;
  if (status !== 200 || typeof data?.agent_id !== 'string') {
    fail(samples, `request_agent ${status}: ${JSON.stringify(json).slice(0, 200)}`);
    browser.agentId = null;
    return false;
  }
  browser.agentId = data.agent_id;
  return true;
}

function packet(type: string, subject: string, data: Record<string, unknown>): string {
  return JSON.stringify({
    packet_type: type,
    subject_id: subject,
    data,
    client_timestamp: Date.now() / 1000,
  });
}

/** Opens the socket, sends `alive`, waits for the server's first answer. */
function openSocket(browser: SimulatedBrowser, samples: Samples): Promise<void> {
  const agentId = browser.agentId;
  if (agentId === null) return Promise.resolve();
  return new Promise((resolve) => {
    let answered = false;
    const answer = (): void => {
      if (!answered) {
        answered = true;
        resolve();
      }
    };
    const socket: WireSocket = new WireSocket(origin, '/', {
      open: () => {
        socket.send(packet('alive', agentId, {}));
      },
      message: answer,
      error: (error) => {
        fail(samples, `socket: ${error.message}`);
        answer();
      },
      close: (code) => {
        if (browser.socket === socket && code !== 1000 && code !== 1005)
          fail(samples, `socket closed ${code}`);
        answer();
      },
    });
    browser.socket = socket;
  });
}

function heartbeat(browser: SimulatedBrowser): void {
  const socket = browser.socket;
  if (browser.agentId === null || socket?.isOpen !== true) return;
  socket.send(
    JSON.stringify({
      packet_type: 'heartbeat',
      subject_id: browser.agentId,
      client_timestamp: Date.now() / 1000,
    }),
  );
}

function closeSocket(browser: SimulatedBrowser): void {
  const socket = browser.socket;
  browser.socket = null;
  socket?.close(1000);
}

async function submit(browser: SimulatedBrowser, samples: Samples): Promise<void> {
  if (browser.agentId === null) return;
  const started = performance.now();
  const { status, json } = await postJson(browser, '/submit_task', {
    USED_AGENT_ID: browser.agentId,
    final_data: { answer: 'yes', by: browser.name },
    client_timestamp: Date.now() / 1000,
  });
  samples.submitMs.push(performance.now() - started);
  if (status !== 200) fail(samples, `submit_task ${status}: ${JSON.stringify(json).slice(0, 200)}`);
  else samples.completed++;
  closeSocket(browser);
  browser.agentId = null;
}

async function connectBrowser(browser: SimulatedBrowser, round: number, samples: Samples): Promise<void> {
  try {
    if (await requestAgent(browser, round, samples)) {
      await openSocket(browser, samples);
      heartbeat(browser);
    }
  } catch (error) {
    fail(samples, `connect: ${(error as Error).message}`);
  }
}

async function connect(message: Extract<ToWorker, { kind: 'connect' }>): Promise<void> {
  origin = originOf(message.baseUrl);
  const samples = emptySamples();
  const fresh: SimulatedBrowser[] = [];
  for (let i = 0; i < message.count; i++) fresh.push(browserNamed(`${message.namePrefix}-${i}`));
  browsers.push(...fresh);
  await Promise.all(fresh.map((browser) => connectBrowser(browser, 0, samples)));
  heartbeats ??= setInterval(() => {
    const slice = heartbeatSlice;
    heartbeatSlice = (heartbeatSlice + 1) % HEARTBEAT_SLICES;
    for (let i = slice; i < browsers.length; i += HEARTBEAT_SLICES)
      heartbeat(browsers[i] as SimulatedBrowser);
  }, HEARTBEAT_EVERY_MS / HEARTBEAT_SLICES);
  send({ kind: 'connected', samples });
}

/** CPU time (user + system) this process has spent since `since`, ms. */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function work(rounds: number): Promise<void> {
  const samples = emptySamples();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    browsers.map(async (browser) => {
      try {
        await submit(browser, samples);
        for (let round = 1; round < rounds; round++) {
          await connectBrowser(browser, round, samples);
          await submit(browser, samples);
        }
      } catch (error) {
        fail(samples, `work: ${(error as Error).message}`);
      }
    }),
  );
  samples.cpuMs = cpuMsSince(cpuBefore);
  releaseBrowsers();
  send({ kind: 'worked', samples });
}

/** The phase is over: its browsers' keep-alive connections are closed (their sockets already are). */
function releaseBrowsers(): void {
  for (const browser of browsers) {
    closeSocket(browser);
    browser.http?.close();
  }
  browsers.length = 0;
}

/**
 * When a paced browser first asks, drawn so that the phase starts in its steady state: the residual
 * of a think time uniform on [0, 2m] (density (1 − x/2m)/m), as if every browser had been looping for
 * a while. Starting them all within one think time instead offers up to half as much again as the
 * steady rate for the first seconds, which would measure a ramp, not the stated load.
 */
function firstDelay(meanThinkMs: number): number {
  return 2 * meanThinkMs * (1 - Math.sqrt(1 - Math.random()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function paced(message: Extract<ToWorker, { kind: 'paced' }>): Promise<void> {
  origin = originOf(message.baseUrl);
  const samples = emptySamples();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const deadline = performance.now() + message.durationMs;
  const think = (): number => Math.random() * 2 * message.meanThinkMs;
  const pacedBrowsers: SimulatedBrowser[] = Array.from({ length: message.count }, (_, i) =>
    browserNamed(`${message.namePrefix}-${i}`),
  );
  browsers.push(...pacedBrowsers);
  await Promise.all(
    pacedBrowsers.map(async (browser) => {
      try {
        await sleep(firstDelay(message.meanThinkMs));
        for (let round = 0; performance.now() < deadline; round++) {
          await connectBrowser(browser, round, samples);
          await sleep(think());
          await submit(browser, samples);
        }
      } catch (error) {
        fail(samples, `paced: ${(error as Error).message}`);
      }
    }),
  );
  releaseBrowsers();
  loop.disable();
  samples.loopDelayMaxMs = loop.max / 1e6;
  send({ kind: 'paced', samples });
}

process.on('message', (message: ToWorker) => {
  const done = (() => {
    switch (message.kind) {
      case 'connect':
        return connect(message);
      case 'work':
        return work(message.rounds);
      case 'paced':
        return paced(message);
      case 'close':
        clearInterval(heartbeats);
        releaseBrowsers();
        process.disconnect();
        return Promise.resolve();
    }
  })();
  done.catch((error: unknown) => {
    send({ kind: 'failed', message: (error as Error).stack ?? String(error) });
  });
});
send({ kind: 'ready' });
