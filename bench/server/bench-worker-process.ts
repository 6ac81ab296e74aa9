/**
 * One worker process of the server benchmark: simulates many browsers, each doing what a mephisto-task
 * page does: POST /request_agent, open the WebSocket, `alive`, heartbeats, POST /submit_task. Run by
 * the parent with `fork` and driven by the messages of bench-worker-protocol.ts.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { emptySamples, type FromWorker, type Samples, type ToWorker } from './bench-worker-protocol.js';

interface SimulatedBrowser {
  readonly name: string;
  agentId: string | null;
  socket: WebSocket | null;
}

const HEARTBEAT_EVERY_MS = 6_000;
let baseUrl = '';
const browsers: SimulatedBrowser[] = [];
let heartbeats: NodeJS.Timeout | undefined;

function send(message: FromWorker): void {
  process.send?.(message);
}

function fail(samples: Samples, message: string): void {
  samples.errors++;
  if (samples.errorSamples.length < 5) samples.errorSamples.push(message);
}

/**
 * Keep-alive connections, as a browser keeps them; node:http rather than fetch because the simulated
 * browsers share the machine's two cores with the server, and fetch costs several times more CPU per
 * request, which would measure the client instead of the server.
 */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function postJson(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: text });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function requestAgent(browser: SimulatedBrowser, round: number, samples: Samples): Promise<boolean> {
  const started = performance.now();
  const { status, json } = await postJson('/request_agent', {
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
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/', { perMessageDeflate: false });
    browser.socket = socket;
    let answered = false;
    socket.on('open', () => {
      socket.send(packet('alive', agentId, {}));
    });
    socket.on('message', () => {
      if (!answered) {
        answered = true;
        resolve();
      }
    });
    socket.on('error', (error) => {
      fail(samples, `socket: ${error.message}`);
      if (!answered) {
        answered = true;
        resolve();
      }
    });
    socket.on('close', (code) => {
      if (browser.socket === socket && code !== 1000 && code !== 1005) fail(samples, `socket closed ${code}`);
      if (!answered) {
        answered = true;
        resolve();
      }
    });
  });
}

function heartbeat(browser: SimulatedBrowser): void {
  const socket = browser.socket;
  if (browser.agentId === null || socket?.readyState !== WebSocket.OPEN) return;
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
  const { status, json } = await postJson('/submit_task', {
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
  baseUrl = message.baseUrl;
  const samples = emptySamples();
  const fresh: SimulatedBrowser[] = [];
  for (let i = 0; i < message.count; i++)
    fresh.push({ name: `${message.namePrefix}-${i}`, agentId: null, socket: null });
  browsers.push(...fresh);
  await Promise.all(fresh.map((browser) => connectBrowser(browser, 0, samples)));
  heartbeats ??= setInterval(() => {
    for (const browser of browsers) heartbeat(browser);
  }, HEARTBEAT_EVERY_MS);
  send({ kind: 'connected', samples });
}

async function work(rounds: number): Promise<void> {
  const samples = emptySamples();
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
  browsers.length = 0;
  send({ kind: 'worked', samples });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function paced(message: Extract<ToWorker, { kind: 'paced' }>): Promise<void> {
  baseUrl = message.baseUrl;
  const samples = emptySamples();
  const deadline = performance.now() + message.durationMs;
  const think = (): number => Math.random() * 2 * message.meanThinkMs;
  const pacedBrowsers: SimulatedBrowser[] = Array.from({ length: message.count }, (_, i) => ({
    name: `${message.namePrefix}-${i}`,
    agentId: null,
    socket: null,
  }));
  browsers.push(...pacedBrowsers);
  await Promise.all(
    pacedBrowsers.map(async (browser) => {
      try {
        await sleep(Math.random() * message.meanThinkMs);
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
  browsers.length = 0;
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
        for (const browser of browsers) closeSocket(browser);
        process.disconnect();
        return Promise.resolve();
    }
  })();
  done.catch((error: unknown) => {
    send({ kind: 'failed', message: (error as Error).stack ?? String(error) });
  });
});
send({ kind: 'ready' });
