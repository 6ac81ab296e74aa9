/**
 * The benchmark's HTTP/1.1 and WebSocket client: just what a simulated browser needs (JSON POSTs on a
 * keep-alive connection; a WebSocket that sends and receives text frames and closes cleanly), on raw
 * TCP sockets.
 *
 * Why not node:http and ws: the simulated browsers share the machine's two cores with the server, so
 * every microsecond they spend is taken from the server being measured. node:http's ClientRequest and
 * ws's client (handshake key, frame masks, event plumbing) cost about as much CPU per unit as the server
 * itself; this costs a fraction, in the way load generators such as wrk keep their own cost out of the
 * measurement. It speaks the protocols correctly for what it sends (RFC 9112 requests with
 * Content-Length; RFC 6455 masked client frames, the handshake's accept value checked) and refuses
 * whatever it does not handle (chunked bodies, fragmented or oversized frames) with an error, so a
 * server reply it cannot read is counted, never misread.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

/** Where a server listens: `http://host:port`. */
export interface Origin {
  readonly host: string;
  readonly port: number;
}

export function originOf(baseUrl: string): Origin {
  const url = new URL(baseUrl);
  return { host: url.hostname, port: Number(url.port) };
}

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

interface ParsedHead {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: ReadonlyMap<string, string>;
  /** Bytes of the head, terminator included. */
  readonly length: number;
}

/** The status line and headers at the start of `data`, or null when the head is not complete yet. */
function parseHead(data: Buffer): ParsedHead | null {
  const end = data.indexOf(HEAD_END);
  if (end < 0) return null;
  const lines = data.toString('latin1', 0, end).split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!statusLine) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine[1]), headers, length: end + HEAD_END.length };
}

/**
 * One keep-alive HTTP/1.1 connection, one request at a time (as a page's fetches to its server mostly
 * are); opened on first use and again after the server closes it.
 */
export class HttpConnection {
  #socket: Socket | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: { resolve: (reply: HttpReply) => void; reject: (error: Error) => void } | null = null;

  constructor(private readonly origin: Origin) {}

  /** POSTs `body` as JSON to `path`; resolves with the status and the body text. */
  postJson(path: string, body: unknown): Promise<HttpReply> {
    if (this.#waiting) return Promise.reject(new Error('HttpConnection: one request at a time'));
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${this.origin.host}:${this.origin.port}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`;
    return new Promise<HttpReply>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      const socket = this.#socket ?? this.#open();
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }

  #open(): Socket {
    const socket = connect(this.origin.port, this.origin.host);
    socket.setNoDelay(true);
    this.#socket = socket;
    this.#buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#read();
    });
    // Only the connection in use fails the request: one closed by close() has been dealt with.
    const gone = (error?: Error): void => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#fail(error ?? new Error('the server closed the connection before answering'));
    };
    socket.on('error', gone);
    socket.on('close', () => {
      gone();
    });
    return socket;
  }

  #read(): void {
    if (!this.#waiting) return;
    let head: ParsedHead | null;
    try {
      head = parseHead(this.#buffer);
    } catch (error) {
      this.#fail(error as Error);
      this.close();
      return;
    }
    if (head === null) return;
    if (head.headers.has('transfer-encoding')) {
      this.#fail(new Error('chunked replies are not supported by the benchmark client'));
      this.close();
      return;
    }
    const bodyLength = Number(head.headers.get('content-length') ?? '0');
    if (this.#buffer.length < head.length + bodyLength) return;
    const body = this.#buffer.toString('utf8', head.length, head.length + bodyLength);
    this.#buffer = this.#buffer.subarray(head.length + bodyLength);
    const waiting = this.#waiting;
    this.#waiting = null;
    if (head.headers.get('connection')?.toLowerCase() === 'close') this.close();
    waiting.resolve({ status: head.status, body });
  }

  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(error);
  }
}

// One handshake key for every socket of the process (the server only needs a well-formed one), so the
// accept value it must answer with is computed once.
const HANDSHAKE_KEY = randomBytes(16).toString('base64');
const EXPECTED_ACCEPT = createHash('sha1')
  .update(HANDSHAKE_KEY + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
  .digest('base64');
/** Client frames must be masked (RFC 6455 §5.3); one random key per process is enough for a server. */
const MASK = randomBytes(4);

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** Larger server frames are refused: the router's packets are a few hundred bytes. */
const MAX_FRAME = 1 << 20;

export interface WireSocketEvents {
  /** The handshake completed. */
  open(): void;
  message(text: string): void;
  /**
   * The connection ended: `code` from the server's close frame (1005 when the frame had no code), or
   * 1006 when the connection ended without one (RFC 6455 §7.1.5, as a browser reports it).
   */
  close(code: number, cleanly: boolean): void;
  error(error: Error): void;
}

/** A client WebSocket (RFC 6455) for text packets. */
export class WireSocket {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #open = false;
  #closeSent = false;
  #closeCode = 1005;
  #closeReceived = false;
  #ended = false;

  constructor(
    origin: Origin,
    path: string,
    private readonly on: WireSocketEvents,
  ) {
    const socket = connect(origin.port, origin.host);
    socket.setNoDelay(true);
    this.#socket = socket;
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${origin.host}:${origin.port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      'latin1',
    );
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      try {
        this.#read();
      } catch (error) {
        this.#failed(error as Error);
      }
    });
    socket.on('error', (error) => {
      this.#failed(error);
    });
    socket.on('close', () => {
      this.#finish();
    });
  }

  get isOpen(): boolean {
    return this.#open && !this.#closeSent && !this.#closeReceived;
  }

  send(text: string): void {
    if (this.isOpen) this.#socket.write(frame(OPCODE_TEXT, Buffer.from(text, 'utf8')));
  }

  /** Starts the closing handshake; the socket ends when the server answers it. */
  close(code = 1000): void {
    if (!this.#open) {
      this.#socket.destroy();
      return;
    }
    if (this.#closeSent) return;
    this.#closeSent = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.#socket.write(frame(OPCODE_CLOSE, payload));
  }

  #read(): void {
    if (!this.#open) {
      const head = parseHead(this.#buffer);
      if (head === null) return;
      if (head.status !== 101)
        throw new Error(`the server answered the WebSocket handshake with ${head.status}`);
      if (head.headers.get('sec-websocket-accept') !== EXPECTED_ACCEPT)
        throw new Error('the server answered the handshake with a wrong Sec-WebSocket-Accept');
      this.#buffer = this.#buffer.subarray(head.length);
      this.#open = true;
      this.on.open();
    }
    for (;;) {
      const data = this.#buffer;
      if (data.length < 2) return;
      const first = data[0] as number;
      const second = data[1] as number;
      if ((first & 0x80) === 0) throw new Error('fragmented server frames are not supported');
      if ((second & 0x80) !== 0) throw new Error('the server sent a masked frame (RFC 6455 §5.1)');
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (data.length < 4) return;
        length = data.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        throw new Error('server frame larger than the benchmark client accepts');
      }
      if (length > MAX_FRAME) throw new Error('server frame larger than the benchmark client accepts');
      if (data.length < offset + length) return;
      const payload = data.subarray(offset, offset + length);
      this.#buffer = data.subarray(offset + length);
      const opcode = first & 0x0f;
      if (opcode === OPCODE_TEXT) this.on.message(payload.toString('utf8'));
      else if (opcode === OPCODE_CLOSE) {
        this.#closeReceived = true;
        this.#closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        // Answer a close the server started; either way the client ends the TCP connection now.
        if (!this.#closeSent) {
          this.#closeSent = true;
          this.#socket.write(frame(OPCODE_CLOSE, payload.subarray(0, 2)));
        }
        this.#socket.end();
        return;
      } else if (opcode === OPCODE_PING) this.#socket.write(frame(OPCODE_PONG, Buffer.from(payload)));
      else if (opcode !== OPCODE_PONG) throw new Error(`unexpected server frame opcode ${opcode}`);
    }
  }

  #failed(error: Error): void {
    if (this.#ended) return;
    this.on.error(error);
    this.#socket.destroy();
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.on.close(this.#closeReceived ? this.#closeCode : 1006, this.#closeReceived);
  }
}

/** A final, masked client frame. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : 4;
  if (length > 0xffff) throw new Error('the benchmark client sends frames under 64 KiB');
  const out = Buffer.allocUnsafe(headerLength + 4 + length);
  out[0] = 0x80 | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  }
  MASK.copy(out, headerLength);
  const start = headerLength + 4;
  for (let i = 0; i < length; i++) out[start + i] = (payload[i] as number) ^ (MASK[i & 3] as number);
  return out;
}
