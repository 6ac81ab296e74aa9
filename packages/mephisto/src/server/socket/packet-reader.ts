/**
 * Reads one WebSocket message from a page into a {@link PagePacket}, or says precisely why it is not
 * one. Pure and allocation-light (it runs for every heartbeat): no schema library, no closures.
 *
 * A page packet is a JSON object `{packet_type, subject_id, data?, client_timestamp?}` whose type is
 * one of {@link PAGE_PACKET_TYPES}. `data` may be absent on `alive` and `heartbeat` (mephisto-task's
 * heartbeats carry none) and must be an object on a live update; an `update_id`, when present, is a
 * string. Other fields (the router timestamps a page has no business sending) are ignored.
 */
import { PACKET_TYPES, PAGE_PACKET_TYPES, type PagePacketType } from '@mephisto-ts/task-client/wire';
import type { RawData } from 'ws';
import type { ErrorCode } from '../../core/index.js';

export interface PagePacket {
  readonly type: PagePacketType;
  /** The agent id the packet speaks for. */
  readonly subject: string;
  /** `data` as sent; `{}` when absent. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Seconds since the epoch, by the page's clock, when sent. */
  readonly clientTimestamp: number | undefined;
}

/** Why a message was refused; answered with an `error` packet, and nothing changes. */
export interface SocketProblem {
  readonly code: ErrorCode;
  readonly message: string;
  /** The refused packet's type, when it had a string one. */
  readonly packetType: string | null;
  /** The refused packet's subject, when it had a string one. */
  readonly subject: string | null;
}

export function isProblem(read: PagePacket | SocketProblem): read is SocketProblem {
  return 'code' in read;
}

const PAGE_TYPES: ReadonlySet<string> = new Set(PAGE_PACKET_TYPES);

function isPageType(type: string): type is PagePacketType {
  return PAGE_TYPES.has(type);
}

function malformed(
  message: string,
  packetType: string | null = null,
  subject: string | null = null,
): SocketProblem {
  return { code: 'MEPHISTO_ERR_SOCKET_MALFORMED_PACKET', message, packetType, subject };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function frameText(frame: RawData): string {
  if (Buffer.isBuffer(frame)) return frame.toString('utf8');
  if (Array.isArray(frame)) return Buffer.concat(frame).toString('utf8');
  return Buffer.from(frame).toString('utf8');
}

/** The packet in `frame`, or the problem with it. ws has already checked text frames are UTF-8. */
export function readPagePacket(frame: RawData, isBinary: boolean): PagePacket | SocketProblem {
  if (isBinary) return malformed('binary messages are not packets: send the packet as JSON text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(frameText(frame));
  } catch {
    return malformed('the message is not JSON');
  }
  if (!isRecord(parsed)) return malformed('the packet must be a JSON object');
  const type = parsed.packet_type;
  const subject = parsed.subject_id;
  if (typeof type !== 'string') return malformed('packet_type: must be a string');
  const subjectOrNull = typeof subject === 'string' ? subject : null;
  if (!isPageType(type))
    return {
      code: 'MEPHISTO_ERR_SOCKET_UNKNOWN_PACKET',
      message: `packet_type "${type.slice(0, 64)}" is not one a page may send (${PAGE_PACKET_TYPES.join(', ')})`,
      packetType: type,
      subject: subjectOrNull,
    };
  if (typeof subject !== 'string' || subject.length === 0)
    return malformed('subject_id: must be the non-empty id of the agent the page works as', type);
  const data = parsed.data;
  if (data !== undefined && !isRecord(data)) return malformed('data: must be an object', type, subject);
  if (data === undefined && type === PACKET_TYPES.mephistoBoundLiveUpdate)
    return malformed('data: a live update must carry an object', type, subject);
  if (data !== undefined && data.update_id !== undefined && typeof data.update_id !== 'string')
    return malformed('data.update_id: must be a string', type, subject);
  const clientTimestamp = parsed.client_timestamp;
  if (
    clientTimestamp !== undefined &&
    (typeof clientTimestamp !== 'number' || !Number.isFinite(clientTimestamp))
  )
    return malformed('client_timestamp: must be a number of seconds', type, subject);
  return { type, subject, data: data ?? EMPTY, clientTimestamp };
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
