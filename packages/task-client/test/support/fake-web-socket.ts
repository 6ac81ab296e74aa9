/**
 * A WebSocket the test drives: it opens, receives and drops when told to, and records what the page
 * sent. Like a browser's, its close event comes after the current task, not inside `close()`.
 */
import { vi } from 'vitest';
import type { SocketLike } from '../../src/live-socket.js';

export interface SentPacket {
  packet_type: string;
  subject_id: string;
  data?: Record<string, unknown>;
  client_timestamp: number;
}

export class FakeWebSocket implements SocketLike {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** Every socket created since the last {@link FakeWebSocket.install}, oldest first. */
  static instances: FakeWebSocket[] = [];

  readyState = FakeWebSocket.CONNECTING;
  readonly sent: SentPacket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  static install(): void {
    FakeWebSocket.instances = [];
    vi.stubGlobal('WebSocket', FakeWebSocket);
  }

  /** The newest socket. */
  static get latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was created');
    return socket;
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('InvalidStateError: the socket is not open');
    this.sent.push(JSON.parse(data) as SentPacket);
  }

  close(): void {
    if (this.readyState >= FakeWebSocket.CLOSING) return;
    this.readyState = FakeWebSocket.CLOSED;
    queueMicrotask(() => this.onclose?.(new Event('close') as CloseEvent));
  }

  /** The server accepts the connection. */
  open(): void {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.(new Event('open'));
  }

  /** The server sends `packet`. */
  receive(packet: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(packet) }));
  }

  /** The connection fails: an error, then a close. */
  fail(): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onerror?.(new Event('error'));
    queueMicrotask(() => this.onclose?.(new Event('close') as CloseEvent));
  }

  /** Packets of `type` sent so far. */
  sentOf(type: string): SentPacket[] {
    return this.sent.filter((packet) => packet.packet_type === type);
  }
}
