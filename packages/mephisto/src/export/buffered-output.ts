/**
 * Writing a large export to a stream without holding it in memory: text is gathered into chunks of
 * about 64 KiB, and when the stream says its buffer is full (`write` returns false) the next chunk
 * waits for `drain`. A stream that fails (a full disk, a closed pipe: EPIPE) fails the next write with
 * its error instead of crashing the process.
 */

type Listener = (...args: unknown[]) => void;

/**
 * Where an export goes: a Node Writable (process.stdout, a file stream), or anything with `write`
 * (a string collector in tests). Event methods are optional; without them nothing is waited for.
 */
export interface OutputStream {
  /** Returns false when the caller should wait for `drain` (Node's Writable contract). */
  write(chunk: string): unknown;
  on?(event: 'error', listener: Listener): unknown;
  once?(event: 'drain' | 'close', listener: Listener): unknown;
  off?(event: 'drain' | 'close' | 'error', listener: Listener): unknown;
}

/** Characters gathered per write: few enough syscalls, little memory. */
const CHUNK_CHARS = 64 * 1024;

export class BufferedOutput {
  readonly #out: OutputStream;
  readonly #chunkChars: number;
  #parts: string[] = [];
  #size = 0;
  #error: Error | undefined;
  #failed = false;
  readonly #onError: Listener = (error) => {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = asError(error);
    }
  };

  constructor(out: OutputStream, chunkChars = CHUNK_CHARS) {
    this.#out = out;
    this.#chunkChars = chunkChars;
    out.on?.('error', this.#onError);
  }

  /** Adds text; resolves once it is buffered, or written when a chunk filled (after any `drain`). */
  async write(text: string): Promise<void> {
    this.#throwIfFailed();
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= this.#chunkChars) await this.flush();
  }

  /** Writes what is gathered and waits for the stream to take more. */
  async flush(): Promise<void> {
    this.#throwIfFailed();
    if (this.#size === 0) return;
    const chunk = this.#parts.length === 1 ? (this.#parts[0] ?? '') : this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    if (this.#out.write(chunk) === false) await this.#drained();
    this.#throwIfFailed();
  }

  /** Stops listening to the stream (call once done with it, whatever happened). */
  release(): void {
    this.#out.off?.('error', this.#onError);
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#error ?? new Error('the output failed');
  }

  #drained(): Promise<void> {
    const out = this.#out;
    if (typeof out.once !== 'function') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        out.off?.('drain', onDrain);
        out.off?.('close', onClose);
        out.off?.('error', onError);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onDrain: Listener = () => {
        done();
      };
      const onClose: Listener = () => {
        done(this.#failed ? this.#error : new Error('the output was closed before the export finished'));
      };
      const onError: Listener = (error) => {
        done(asError(error));
      };
      out.once?.('drain', onDrain);
      out.once?.('close', onClose);
      out.on?.('error', onError);
    });
  }
}

/** What a stream emitted with `error`, as an Error (streams emit Errors; anything else is wrapped). */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error('the output failed', { cause: error });
}
