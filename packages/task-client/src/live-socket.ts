/**
 * The WebSocket of a live task (spec §7.3): mephisto-task's `useMephistoSocket` algorithm, outside
 * React so its timing can be reasoned about (and tested) on its own.
 *
 * - Outgoing packets wait in a time-ordered queue; one is sent per `sendThreadRefresh` tick, once its
 *   enqueue time has passed, and a failed send puts it back and restarts the socket.
 * - On open the page sends `alive` (ahead of anything queued; reported as `connected` once sent), a
 *   first heartbeat 0.5 s later and then one every `heartbeatTime`.
 * - Each heartbeat counts as missed until the server echoes one. At exactly
 *   `refreshSocketMissedResponses` missed the socket is reopened (`reconnecting_router`); at
 *   `routerDeadTimeout` or more the page gives up (`disconnected_router`). When the echoed
 *   `last_mephisto_ping` is older than `connectionDeadMephistoPing`, the page reports the synthetic
 *   agent status `mephisto disconnect` and gives up (`disconnected_server`).
 * - Incoming `client_bound_live_update`s are delivered once per `update_id`; `update_status` packets
 *   go to `onStatusUpdate`.
 *
 * Departures from mephisto-task, none visible in its API: the queue is first-in first-out (see
 * PacketQueue) with `alive` first on each new socket; events of a socket that was replaced are ignored
 * (so a restart does not report `disconnected` or restart again); a socket the page closed on purpose
 * does not then report `disconnected` over `disconnected_router`/`disconnected_server`; only one restart
 * is pending at a time; a second `connect()` opens no second socket (it re-announces a new agent id
 * instead); a `last_mephisto_ping` in seconds is understood; the server-ping clock starts at
 * `connect()` rather than at mount; timers stop on `destroy()`; a message is never modified.
 */
import { AGENT_STATUS } from './agent-status.js';
import { CONNECTION_STATUS, type ConnectionStatus } from './connection-status.js';
import { PacketQueue } from './packet-queue.js';
import { pythonTime } from './python-time.js';
import { uuidv4 } from './uuid.js';
import { PACKET_TYPES, type PacketType } from './wire/index.js';

/** Socket timing, mephisto-task's `config` (its README documents these names). */
export interface SocketConfig {
  /** Milliseconds between sends from the outgoing queue. @default 100 */
  sendThreadRefresh?: number;
  /** Milliseconds between heartbeats. @default 6000 */
  heartbeatTime?: number;
  /** Unanswered heartbeats after which the socket is reopened. @default 5 */
  refreshSocketMissedResponses?: number;
  /** Unanswered heartbeats after which the page gives up. @default 10 */
  routerDeadTimeout?: number;
  /** Age in ms of the server's last ping after which the server counts as gone. @default 20000 */
  connectionDeadMephistoPing?: number;
}

export const DEFAULT_SOCKET_CONFIG: Readonly<Required<SocketConfig>> = {
  sendThreadRefresh: 100,
  heartbeatTime: 6000,
  refreshSocketMissedResponses: 5,
  routerDeadTimeout: 10,
  connectionDeadMephistoPing: 20_000,
};

/** Delay from open to the first heartbeat. */
const FIRST_HEARTBEAT_MS = 500;
/** How long a socket being opened blocks opening another. */
const SETUP_GUARD_MS = 4000;
/** A socket not open this long after it opened is reported `failed`. */
const OPEN_CHECK_MS = 10_000;

/** Epoch timestamps below this (year 5138 in seconds, 1973 in milliseconds) are in seconds. */
const SECONDS_LIMIT = 1e11;

const CONNECTING = 0;
const OPEN = 1;

/** The data of a live update, either way. Each carries an `update_id` once sent. */
export type LiveUpdate = Record<string, unknown>;

/** The data of an `update_status` packet. */
export interface StatusUpdate {
  status: string;
  [field: string]: unknown;
}

export interface LiveSocketHandlers {
  onConnectionStatusChange(status: ConnectionStatus): void;
  onLiveUpdate(update: LiveUpdate): void;
  onStatusUpdate(update: StatusUpdate): void;
}

/** The subset of the browser's WebSocket the algorithm uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}

export interface LiveSocketOptions {
  config?: SocketConfig;
  /** @default `ws(s)://<page host>` (the page's own host and port, wss on an https page) */
  url?: string;
  /** @default `new globalThis.WebSocket(url)` */
  createSocket?: (url: string) => SocketLike;
}

interface OutgoingPacket {
  packet_type: PacketType;
  subject_id: string;
  data?: LiveUpdate;
  client_timestamp: number;
}

interface QueuedPacket {
  packet: OutgoingPacket;
  onSent?: (packet: OutgoingPacket) => void;
}

type Timer = ReturnType<typeof setTimeout>;

export class LiveSocket {
  private readonly config: Required<SocketConfig>;
  private readonly queue = new PacketQueue<QueuedPacket>();
  private readonly seenUpdateIds = new Set<string>();
  private readonly timeouts = new Set<Timer>();
  private agentId: string | null = null;
  private socket: SocketLike | null = null;
  /** Set by `destroy()`: the socket never opens again. */
  private terminated = false;
  private settingSocket = false;
  private restartPending = false;
  private senderTimer: ReturnType<typeof setInterval> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private heartbeatsWithoutResponse = 0;
  private lastMephistoPing = Date.now();

  constructor(
    private readonly handlers: LiveSocketHandlers,
    private readonly options: LiveSocketOptions = {},
  ) {
    this.config = { ...DEFAULT_SOCKET_CONFIG, ...definedFields(options.config ?? {}) };
  }

  /**
   * Opens the socket for `agentId` and starts sending. A later call opens no second socket: with another
   * agent id (an onboarding agent replaced by the real one) it announces that agent with `alive` on the
   * open socket.
   */
  connect(agentId: string): void {
    const previous = this.agentId;
    this.agentId = agentId;
    if (this.terminated) return;
    if (this.senderTimer !== null) {
      // Sent at once rather than queued: a heartbeat naming the new agent must not precede it.
      if (previous !== agentId && this.socket?.readyState === OPEN) {
        const alive = this.queued(PACKET_TYPES.alive, {});
        if (!this.trySend(alive)) this.queue.pushFront(alive, Number.NEGATIVE_INFINITY);
      }
      return;
    }
    this.handlers.onConnectionStatusChange(CONNECTION_STATUS.INITIALIZING);
    this.lastMephistoPing = Date.now();
    this.setupSocket();
    this.sendTick();
    this.senderTimer = setInterval(() => {
      this.sendTick();
    }, this.config.sendThreadRefresh);
  }

  /**
   * Queues a `mephisto_bound_live_update` carrying `message` plus a fresh `update_id` (unless it has
   * one). Resolves with the data sent once the packet is on the socket. `message` is not modified.
   */
  sendLiveUpdate(message: LiveUpdate): Promise<LiveUpdate> {
    return new Promise((resolve) => {
      this.enqueue(PACKET_TYPES.mephistoBoundLiveUpdate, { ...message }, (packet) => {
        resolve(packet.data ?? {});
      });
    });
  }

  /** Closes the socket for good (mephisto-task's `destroy`); the connection status is left as it is. */
  destroy(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.stopTimers();
    this.socket?.close();
  }

  /** `destroy()` plus every pending timer cleared: for a page (or component) going away. */
  dispose(): void {
    this.destroy();
    for (const timer of this.timeouts) clearTimeout(timer);
    this.timeouts.clear();
    this.queue.clear();
  }

  /** Queues a packet; `first` puts it ahead of every queued one, due at the next tick. */
  private enqueue(
    type: PacketType,
    data: LiveUpdate,
    onSent?: (packet: OutgoingPacket) => void,
    first = false,
  ): void {
    const queued = this.queued(type, data, onSent);
    if (first) this.queue.pushFront(queued, Number.NEGATIVE_INFINITY);
    else this.queue.push(queued, Date.now());
  }

  /** A packet for the current agent, with an `update_id` added to `data` unless it has one. */
  private queued(
    type: PacketType,
    data: LiveUpdate,
    onSent?: (packet: OutgoingPacket) => void,
  ): QueuedPacket {
    if (data['update_id'] === undefined) data['update_id'] = uuidv4();
    const packet: OutgoingPacket = {
      packet_type: type,
      subject_id: this.agentId ?? '',
      data,
      client_timestamp: pythonTime(),
    };
    return onSent ? { packet, onSent } : { packet };
  }

  /** One tick of the sender: the oldest packet goes out if its time has passed. */
  private sendTick(): void {
    if (this.terminated) return;
    const next = this.queue.peek();
    if (!next || Date.now() <= next.time) return;
    this.queue.shift();
    if (!this.trySend(next.item)) this.queue.pushFront(next.item, next.time);
  }

  /**
   * Sends `queued` now if the socket is open. False while it is still opening, or (after starting a
   * restart) when it is closed or the send throws.
   */
  private trySend(queued: QueuedPacket): boolean {
    const socket = this.socket;
    if (socket === null || socket.readyState === CONNECTING) return false;
    if (socket.readyState > OPEN) {
      this.restartSoon();
      return false;
    }
    // Packets queued before connect() learn their subject now.
    if (queued.packet.subject_id === '' && this.agentId !== null) queued.packet.subject_id = this.agentId;
    try {
      socket.send(JSON.stringify(queued.packet));
    } catch {
      this.restartSoon();
      return false;
    }
    queued.onSent?.(queued.packet);
    return true;
  }

  private restartSoon(): void {
    if (this.restartPending || this.terminated) return;
    this.restartPending = true;
    this.later(0, () => {
      this.restartPending = false;
      try {
        this.socket?.close();
      } catch {
        // Closing a broken socket may throw; a new one is opened either way.
      }
      this.setupSocket();
    });
  }

  private setupSocket(): void {
    if (this.settingSocket || this.terminated) return;
    this.settingSocket = true;
    this.later(SETUP_GUARD_MS, () => {
      this.settingSocket = false;
    });
    const url = this.options.url ?? pageSocketUrl();
    const socket = this.options.createSocket
      ? this.options.createSocket(url)
      : (new globalThis.WebSocket(url) as SocketLike);
    this.socket = socket;
    const current = (): boolean => this.socket === socket;
    socket.onmessage = (event) => {
      if (current()) this.receive(event.data);
    };
    socket.onopen = () => {
      if (current()) this.opened();
    };
    socket.onerror = () => {
      if (current()) this.restartSoon();
    };
    socket.onclose = () => {
      if (current() && !this.terminated) {
        this.handlers.onConnectionStatusChange(CONNECTION_STATUS.DISCONNECTED);
      }
    };
  }

  private opened(): void {
    // `alive` binds the socket to the agent on the server, so it goes ahead of anything queued.
    this.enqueue(
      PACKET_TYPES.alive,
      {},
      () => {
        this.handlers.onConnectionStatusChange(CONNECTION_STATUS.CONNECTED);
      },
      true,
    );
    this.later(OPEN_CHECK_MS, () => {
      if (this.socket?.readyState !== OPEN && !this.terminated) {
        this.handlers.onConnectionStatusChange(CONNECTION_STATUS.FAILED);
      }
    });
    this.later(FIRST_HEARTBEAT_MS, () => {
      this.sendHeartbeat();
    });
    this.heartbeatTimer ??= setInterval(() => {
      this.heartbeatTick();
    }, this.config.heartbeatTime);
    this.settingSocket = false;
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let packet: unknown;
    try {
      packet = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof packet !== 'object' || packet === null) return;
    const { packet_type: type, data } = packet as { packet_type?: unknown; data?: unknown };
    const fields: Record<string, unknown> =
      typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    if (type === PACKET_TYPES.clientBoundLiveUpdate) {
      const updateId = fields['update_id'];
      if (typeof updateId === 'string') {
        if (this.seenUpdateIds.has(updateId)) return;
        this.seenUpdateIds.add(updateId);
      }
      this.handlers.onLiveUpdate(fields);
    } else if (type === PACKET_TYPES.updateStatus) {
      this.handlers.onStatusUpdate(fields as StatusUpdate);
    } else if (type === PACKET_TYPES.error) {
      // mephisto-ts servers explain a refused packet; nothing changed on the server, so only report it.
      console.warn(`mephisto-ts: the server refused a packet: ${String(fields['message'])}`, fields);
    } else if (type === PACKET_TYPES.heartbeat) {
      const ping = fields['last_mephisto_ping'];
      // Milliseconds, as Mephisto's node router sends it; a value in seconds (its Flask router) is scaled.
      if (typeof ping === 'number') this.lastMephistoPing = ping < SECONDS_LIMIT ? ping * 1000 : ping;
      this.heartbeatsWithoutResponse = 0;
    }
  }

  private heartbeatTick(): void {
    if (this.terminated) {
      this.stopTimers();
      return;
    }
    const missed = this.heartbeatsWithoutResponse;
    if (missed === this.config.refreshSocketMissedResponses) {
      this.handlers.onConnectionStatusChange(CONNECTION_STATUS.RECONNECTING_ROUTER);
      this.restartSoon();
    }
    if (missed >= this.config.routerDeadTimeout) {
      this.destroy();
      this.handlers.onConnectionStatusChange(CONNECTION_STATUS.DISCONNECTED_ROUTER);
      return;
    }
    if (Date.now() - this.lastMephistoPing > this.config.connectionDeadMephistoPing) {
      this.destroy();
      this.handlers.onStatusUpdate({ status: AGENT_STATUS.MEPHISTO_DISCONNECT });
      this.handlers.onConnectionStatusChange(CONNECTION_STATUS.DISCONNECTED_SERVER);
      return;
    }
    this.sendHeartbeat();
  }

  /** Heartbeats skip the queue: they go out now (or count as missed). */
  private sendHeartbeat(): void {
    if (this.terminated) return;
    this.trySend({
      packet: {
        packet_type: PACKET_TYPES.heartbeat,
        subject_id: this.agentId ?? '',
        client_timestamp: pythonTime(),
      },
    });
    this.heartbeatsWithoutResponse += 1;
  }

  private stopTimers(): void {
    if (this.senderTimer !== null) clearInterval(this.senderTimer);
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.senderTimer = null;
    this.heartbeatTimer = null;
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timeouts.delete(timer);
      action();
    }, ms);
    this.timeouts.add(timer);
  }
}

/** `ws(s)://host:port` of the page, as mephisto-task derives it. */
function pageSocketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
}

function definedFields(config: SocketConfig): SocketConfig {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
}
