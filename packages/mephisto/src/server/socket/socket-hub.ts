/**
 * The WebSocket side of Mephisto's router (spec §6.2, §6.4) over a {@link LiveRun}: which socket speaks
 * for which agent, the packets each way, and when a page counts as gone. docs/protocol.md ("WebSocket")
 * is the contract for pages; this comment is the contract for the code.
 *
 * - A socket is bound to one agent at a time, by the first packet naming one (normally `alive`; a
 *   mephisto-task page may send a queued live update or its first heartbeat before its `alive` on a
 *   new socket, and Mephisto's router took those too). Binding answers `update_status`. A bound socket
 *   may move to another agent of the same worker by sending `alive` for it; a heartbeat or live update
 *   naming another agent is refused, as is any packet naming another worker's agent.
 * - Several sockets may be bound to one agent (a reconnect racing the old socket's close, two tabs):
 *   the last to say `alive` is the agent's socket and gets its packets; a packet from another of
 *   them makes it the agent's socket only when the agent has none.
 * - Liveness, from Mephisto's node router with its quirk fixed (a closed socket counts): a working
 *   agent whose page has heartbeated and then is not heard from for `heartbeatTimeoutMs`, or whose
 *   socket closed and that has no socket again `reconnectGraceMs` later, is reported disconnected
 *   (`LiveRun.reportDisconnect`: the unit is offered again). One sweep on the scheduler checks every
 *   agent, armed only while some agent has a socket: no timer per socket or per heartbeat.
 * - Every refused packet gets an `error` packet and changes nothing; nothing a page sends can throw out
 *   of this class.
 *
 * Per agent with a socket: one {@link AgentLink} and one subscription closure. Per socket: one map
 * entry; the socket's listeners are shared by all sockets.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from '@fastify/websocket';
import {
  PACKET_TYPES,
  type AgentStatusName,
  type LiveUpdateData,
  type Packet,
} from '@mephisto-ts/task-client/wire';
import type { Logger } from 'pino';
import type { RawData } from 'ws';
import type { Clock } from '../../core/clock.js';
import type { ErrorCode } from '../../core/index.js';
import type { Scheduler, Timer } from '../../core/scheduler.js';
import type { LiveRun } from '../../run/live-run.js';
import type { RunEventListener } from '../../run/run-events.js';
import type { ServerContext } from '../server-context.js';
import { AgentLink } from './agent-link.js';
import { isProblem, readPagePacket, type PagePacket, type SocketProblem } from './packet-reader.js';
import { clientBoundPacket, errorPacket, heartbeatReply, updateStatusPacket } from './server-packets.js';

/**
 * The status of an agent working on its unit. mephisto-ts runs no concurrent assignments yet, so no
 * agent is ever `waiting`.
 */
const WORKING_STATUS: AgentStatusName = 'in task';
/** Client-bound updates kept for an agent without a socket (the engine keeps as many before the first). */
const MAX_PENDING = 1000;
/** Agents whose end is remembered, so a page reconnecting after it is told how its work ended. */
const MAX_ENDED = 10_000;
/** The liveness sweep runs this many times per shortest timeout, bounding how late a loss is noticed. */
const SWEEPS_PER_TIMEOUT = 10;

export class SocketHub {
  readonly #liveRun: LiveRun;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #heartbeatTimeoutMs: number;
  readonly #reconnectGraceMs: number;
  readonly #sweepEveryMs: number;
  /** Bound sockets → the agent each speaks for. */
  readonly #sockets = new Map<WebSocket, AgentLink>();
  /** Working agents that have (or had) a socket, by agent id. */
  readonly #links = new Map<string, AgentLink>();
  /** Agents that stopped working while they had a link, oldest first. */
  readonly #ended = new Map<string, AgentLink>();
  #sweepTimer: Timer | null = null;
  #stopped = false;

  // Shared by every socket and every packet: nothing is allocated per socket or per packet for them.
  readonly #onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  readonly #onClose: (this: WebSocket) => void;
  readonly #sweep = (): void => {
    this.#sweepTimer = null;
    try {
      this.#sweepOnce();
    } catch (error) {
      this.#log.error({ err: error }, 'the socket liveness sweep failed');
    }
    this.#armSweep();
  };
  readonly #onLiveUpdateFailed = (error: unknown): void => {
    this.#log.debug({ err: error }, 'a live update was not taken: the agent stopped working meanwhile');
  };
  readonly #onUnitFreed: RunEventListener<'unit-freed'> = ({ agent, reason }) => {
    const link = this.#links.get(agent.id);
    // A submit needs no telling: the page knows (and Mephisto's router dropped the agent on submit).
    if (link) this.#end(link, reason, reason !== 'completed');
  };
  readonly #onRunEnded: RunEventListener<'ended'> = () => {
    for (const link of [...this.#links.values()]) this.#end(link, 'expired', true);
  };

  constructor(context: ServerContext) {
    this.#liveRun = context.liveRun;
    this.#log = context.log;
    this.#clock = context.clock;
    this.#scheduler = context.scheduler;
    this.#heartbeatTimeoutMs = context.limits.heartbeatTimeoutMs;
    this.#reconnectGraceMs = context.limits.reconnectGraceMs;
    this.#sweepEveryMs = Math.max(
      10,
      Math.min(this.#heartbeatTimeoutMs, this.#reconnectGraceMs) / SWEEPS_PER_TIMEOUT,
    );
    const receive = this.#receive.bind(this);
    const detach = this.#detach.bind(this);
    this.#onMessage = function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
      receive(this, data, isBinary);
    };
    this.#onClose = function onClose(this: WebSocket): void {
      detach(this);
    };
    this.#liveRun.events.on('unit-freed', this.#onUnitFreed);
    this.#liveRun.events.on('ended', this.#onRunEnded);
  }

  /** Serves a newly opened socket. */
  attach(socket: WebSocket): void {
    socket.on('message', this.#onMessage);
    socket.on('close', this.#onClose);
  }

  /**
   * The server is closing: stop the sweep and the engine subscriptions; sockets closing from now on
   * are not reported as disconnects (the workers did not leave, the server did). Idempotent.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#sweepTimer?.cancel();
    this.#sweepTimer = null;
    this.#liveRun.events.off('unit-freed', this.#onUnitFreed);
    this.#liveRun.events.off('ended', this.#onRunEnded);
    for (const link of this.#links.values()) {
      link.unsubscribe?.();
      link.unsubscribe = null;
    }
  }

  // --- packets from pages -------------------------------------------------------------------------

  #receive(socket: WebSocket, frame: RawData, isBinary: boolean): void {
    if (this.#stopped) return;
    try {
      const nowMs = this.#clock.now();
      const read = readPagePacket(frame, isBinary);
      if (isProblem(read)) {
        this.#refuse(socket, read);
        return;
      }
      const bound = this.#sockets.get(socket);
      let link: AgentLink;
      if (bound?.agentId === read.subject) {
        link = bound;
        if (read.type === PACKET_TYPES.alive) this.#takeOver(link, socket, nowMs);
      } else {
        const refusal = this.#checkRebind(bound, read);
        if (refusal) {
          this.#refuse(socket, refusal);
          return;
        }
        link = this.#bind(socket, bound, read, nowMs);
      }
      if (link.lastHeardMs > 0 || read.type === PACKET_TYPES.heartbeat) link.lastHeardMs = nowMs;
      // Another socket of the agent's page is still here after its socket closed.
      if (link.working && link.socket === null) this.#adopt(link, socket, nowMs);
      if (read.type === PACKET_TYPES.heartbeat) {
        this.#send(
          socket,
          heartbeatReply(link.agentId, link.status, read.clientTimestamp, nowMs, nowMs),
          nowMs,
        );
      } else if (read.type === PACKET_TYPES.mephistoBoundLiveUpdate) {
        this.#forward(socket, link, read);
      }
    } catch (error) {
      // Nothing a page sends should get here; if something does, the packet is dropped and logged.
      this.#log.error({ err: error }, 'a socket packet could not be handled');
    }
  }

  /** Why `read` may not (re)bind a socket bound to `bound`, if it may not. */
  #checkRebind(bound: AgentLink | undefined, read: PagePacket): SocketProblem | null {
    if (bound === undefined) return null;
    const otherWorker = this.#liveRun.workerOfAgent(read.subject) ?? this.#ended.get(read.subject)?.workerId;
    if (
      bound.workerId !== null &&
      otherWorker !== undefined &&
      otherWorker !== null &&
      otherWorker !== bound.workerId
    )
      return problem(
        'MEPHISTO_ERR_AGENT_NOT_YOURS',
        `this socket works for agent ${bound.agentId}, whose worker does not hold agent ${read.subject}`,
        read,
      );
    if (read.type !== PACKET_TYPES.alive)
      return problem(
        'MEPHISTO_ERR_SOCKET_NOT_BOUND',
        `this socket works for agent ${bound.agentId}; send "alive" for agent ${read.subject} before its other packets`,
        read,
      );
    return null;
  }

  /** Binds `socket` (bound to `previous`, if any) to the packet's agent and answers with its status. */
  #bind(socket: WebSocket, previous: AgentLink | undefined, read: PagePacket, nowMs: number): AgentLink {
    const agentId = read.subject;
    const link = this.#linkFor(agentId);
    if (previous) this.#release(previous, socket, nowMs);
    this.#sockets.set(socket, link);
    if (!link.working && link.workerId === null)
      this.#refuse(
        socket,
        problem('MEPHISTO_ERR_AGENT_NOT_LIVE', `agent ${agentId} is not working on a unit of this run`, read),
      );
    this.#takeOver(link, socket, nowMs);
    return link;
  }

  /**
   * The link of a working agent (made, and subscribed to the engine, on its first socket); else what
   * is remembered of its end; else a throwaway link with status `none` for an agent unknown here.
   */
  #linkFor(agentId: string): AgentLink {
    const known = this.#links.get(agentId) ?? this.#ended.get(agentId);
    if (known) return known;
    const workerId = this.#liveRun.workerOfAgent(agentId);
    if (workerId === undefined) return new AgentLink(agentId, null, 'none', false);
    const link = new AgentLink(agentId, workerId, WORKING_STATUS, true);
    try {
      link.unsubscribe = this.#liveRun.onClientBoundUpdate(agentId, (data) => {
        this.#deliver(link, data);
      });
    } catch (error) {
      // workerOfAgent said it works; the engine disagrees, so it just stopped. Treat it as unknown.
      this.#log.debug({ err: error, agentId }, 'the agent stopped working while its page bound a socket');
      return new AgentLink(agentId, null, 'none', false);
    }
    this.#links.set(agentId, link);
    this.#armSweep();
    return link;
  }

  /** `socket` becomes the agent's socket (it said `alive`): status first, then what waited for it. */
  #takeOver(link: AgentLink, socket: WebSocket, nowMs: number): void {
    if (!link.working) {
      this.#send(socket, updateStatusPacket(link.agentId, link.status, nowMs), nowMs);
      return;
    }
    link.socket = socket;
    link.detachedAtMs = 0;
    this.#send(socket, updateStatusPacket(link.agentId, link.status, nowMs), nowMs);
    this.#flush(link, socket, nowMs);
  }

  /** A socket of the agent that did not say `alive` again becomes its socket, quietly. */
  #adopt(link: AgentLink, socket: WebSocket, nowMs: number): void {
    link.socket = socket;
    link.detachedAtMs = 0;
    this.#flush(link, socket, nowMs);
  }

  /** `socket` no longer speaks for `link` (it closed, or moved to another agent). */
  #release(link: AgentLink, socket: WebSocket, nowMs: number): void {
    if (link.socket !== socket) return;
    link.socket = null;
    if (link.working && !this.#stopped) link.detachedAtMs = nowMs;
  }

  #detach(socket: WebSocket): void {
    try {
      const link = this.#sockets.get(socket);
      if (!link) return;
      this.#sockets.delete(socket);
      this.#release(link, socket, this.#clock.now());
    } catch (error) {
      this.#log.error({ err: error }, 'a closed socket could not be released');
    }
  }

  #forward(socket: WebSocket, link: AgentLink, read: PagePacket): void {
    if (!link.working || this.#liveRun.workerOfAgent(link.agentId) === undefined) {
      const message =
        link.workerId === null
          ? `agent ${link.agentId} is not working on a unit of this run`
          : link.working
            ? `agent ${link.agentId} has just stopped working on its unit`
            : `agent ${link.agentId} is "${link.status}", no longer working on its unit`;
      this.#refuse(socket, problem('MEPHISTO_ERR_AGENT_NOT_LIVE', message, read));
      return;
    }
    // The engine drops an update_id it has seen (a page resends what it got no ack for).
    this.#liveRun.sendLiveUpdate(link.agentId, read.data).catch(this.#onLiveUpdateFailed);
  }

  #refuse(socket: WebSocket, refused: SocketProblem): void {
    const nowMs = this.#clock.now();
    this.#log.debug(
      {
        code: refused.code,
        packetType: refused.packetType,
        agentId: refused.subject,
        reason: refused.message,
      },
      'socket packet refused',
    );
    this.#send(socket, errorPacket(refused, nowMs), nowMs);
  }

  // --- packets to pages ---------------------------------------------------------------------------

  /** A blueprint's message for the page: sent now, or kept until the agent has a socket again. */
  #deliver(link: AgentLink, data: Readonly<Record<string, unknown>>): void {
    if (!link.working) return;
    const nowMs = this.#clock.now();
    let packet: Packet<LiveUpdateData>;
    try {
      packet = clientBoundPacket(link.agentId, data, nowMs, randomUUID);
    } catch (error) {
      // Called from the blueprint's sendLiveUpdate: a failure here must not be thrown into its code.
      this.#log.error({ err: error, agentId: link.agentId }, 'a live update for a page could not be copied');
      return;
    }
    const socket = link.socket;
    if (socket !== null && socket.readyState === socket.OPEN) {
      this.#send(socket, packet, nowMs);
      return;
    }
    const pending = (link.pending ??= []);
    if (pending.length >= MAX_PENDING) {
      pending.shift();
      if (link.dropped++ === 0)
        this.#log.warn(
          { agentId: link.agentId, kept: MAX_PENDING },
          'the page has no socket and too many live updates wait for it: the oldest are dropped',
        );
    }
    pending.push(packet);
  }

  #flush(link: AgentLink, socket: WebSocket, nowMs: number): void {
    const pending = link.pending;
    if (pending === null) return;
    link.pending = null;
    for (const packet of pending) this.#send(socket, packet, nowMs);
  }

  /** Sends `packet` if the socket is open (a closing socket's packets are lost, as they would be anyway). */
  #send(socket: WebSocket, packet: Packet<object>, nowMs: number): void {
    if (socket.readyState !== socket.OPEN) return;
    packet.router_outgoing_timestamp = nowMs / 1000;
    let text: string;
    try {
      text = JSON.stringify(packet);
    } catch (error) {
      // Only a blueprint's live update can fail here (a BigInt, a cycle): it is dropped, nothing else.
      this.#log.error(
        { err: error, agentId: packet.subject_id, packetType: packet.packet_type },
        'a packet for a page could not be serialised as JSON; it was not sent',
      );
      return;
    }
    socket.send(text);
  }

  // --- the agent's end and liveness ---------------------------------------------------------------

  /** The agent stopped working: tell its page (unless it submitted) and remember how it ended. */
  #end(link: AgentLink, status: AgentStatusName, tell: boolean): void {
    if (!link.working) return;
    link.working = false;
    link.status = status;
    link.pending = null;
    link.unsubscribe?.();
    link.unsubscribe = null;
    this.#links.delete(link.agentId);
    const socket = link.socket;
    link.socket = null;
    if (tell && socket !== null) {
      const nowMs = this.#clock.now();
      this.#send(socket, updateStatusPacket(link.agentId, status, nowMs), nowMs);
    }
    if (this.#ended.size >= MAX_ENDED) {
      const oldest = this.#ended.keys().next();
      if (oldest.done !== true) this.#ended.delete(oldest.value);
    }
    this.#ended.set(link.agentId, link);
  }

  #armSweep(): void {
    if (this.#sweepTimer !== null || this.#stopped || this.#links.size === 0) return;
    this.#sweepTimer = this.#scheduler.setTimer(this.#sweepEveryMs, this.#sweep);
  }

  #sweepOnce(): void {
    if (this.#stopped) return;
    const nowMs = this.#clock.now();
    for (const link of this.#links.values()) {
      if (link.reporting) continue;
      if (link.lastHeardMs > 0 && nowMs - link.lastHeardMs > this.#heartbeatTimeoutMs)
        this.#reportDisconnect(link, 'no heartbeat');
      else if (
        link.socket === null &&
        link.detachedAtMs > 0 &&
        nowMs - link.detachedAtMs > this.#reconnectGraceMs
      )
        this.#reportDisconnect(link, 'socket closed and not reopened');
    }
  }

  #reportDisconnect(link: AgentLink, why: string): void {
    link.reporting = true;
    this.#log.info(
      { agentId: link.agentId, why },
      "the worker's page is gone: the agent is reported disconnected",
    );
    this.#liveRun.reportDisconnect(link.agentId).then(
      () => {
        link.reporting = false;
        // The engine emits unit-freed when it frees the unit; if the agent had already stopped
        // working (no event for us), stop watching it here.
        if (link.working && this.#liveRun.workerOfAgent(link.agentId) === undefined)
          this.#end(link, 'disconnect', true);
      },
      (error: unknown) => {
        link.reporting = false;
        this.#log.error({ err: error, agentId: link.agentId }, 'reporting a disconnect failed; trying again');
      },
    );
  }
}

function problem(
  code: ErrorCode,
  message: string,
  about: { readonly type: string; readonly subject: string },
): SocketProblem {
  return { code, message, packetType: about.type, subject: about.subject };
}
