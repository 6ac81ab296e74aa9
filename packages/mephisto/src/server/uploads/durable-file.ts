/**
 * Writing an upload so that it is on disk before anyone is told it was stored: the bytes go to a
 * hidden temporary file (`.<name>.part`, never served), are fsync'd, and the file is renamed to its
 * name; {@link syncDirectory} then makes the renames themselves durable. A failure removes the
 * temporary file, so a half-written upload never appears under its name.
 */
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Streams `source` into `dir/name` and returns the number of bytes written. The name must not exist
 * (the file is created exclusively). `check`, when given, runs once all bytes are written and before
 * the file gets its name; it refuses the file by throwing. The file is complete and fsync'd when this
 * resolves; its directory entry is durable once {@link syncDirectory} has run.
 * @throws whatever reading `source`, writing the file or `check` throws; nothing is left behind then
 */
export async function writeFileDurably(
  dir: string,
  name: string,
  source: AsyncIterable<Uint8Array>,
  check?: () => void,
): Promise<number> {
  const temporary = join(dir, `.${name}.part`);
  const handle = await open(temporary, 'wx');
  let size = 0;
  try {
    for await (const chunk of source) {
      await handle.write(chunk);
      size += chunk.byteLength;
    }
    check?.();
    await handle.sync();
    await handle.close();
    await rename(temporary, join(dir, name));
    return size;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

/** fsyncs the directory `dir`, so files created or renamed in it survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
