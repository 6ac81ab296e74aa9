/**
 * Opening an uploaded file for `/download_file/:file`, and the headers it is served with. Only a
 * regular file directly inside the files directory is served: the name is checked first
 * (stored-file-name.ts), then opened without following a symlink, then checked to be a regular file
 * on the open descriptor, so nothing swapped in between the checks can be served instead.
 */
import { constants, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { FileNotFoundError } from '../server-errors.js';
import { isServableFileName } from './stored-file-name.js';

export interface OpenedStoredFile {
  readonly stream: ReadStream;
  readonly size: number;
}

/**
 * The file `name` of `filesDir`, open for reading (the stream closes the file when done or destroyed).
 * The name must already have passed {@link isServableFileName}.
 * @throws FileNotFoundError when there is no such regular file (or no files directory)
 */
export async function openStoredFile(filesDir: string | undefined, name: string): Promise<OpenedStoredFile> {
  if (filesDir === undefined || !isServableFileName(name)) throw new FileNotFoundError(name);
  let handle;
  try {
    handle = await open(join(filesDir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' || code === 'EISDIR')
      throw new FileNotFoundError(name);
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FileNotFoundError(name);
    return { stream: handle.createReadStream(), size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Content types given to the few kinds of file a task page may want to show; everything else
 * (HTML, SVG, scripts, unknown) is `application/octet-stream`. None of them is rendered as a
 * document from the server's origin: see {@link DOWNLOAD_HEADERS}.
 */
const SAFE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/** The Content-Type a stored file is served with, from its (sanitised) extension. */
export function downloadContentType(name: string): string {
  return SAFE_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Sent with every download: always an attachment, never sniffed into another type, and sandboxed with
 * no permissions should a browser render it anyway, so an uploaded file can never act as a page of
 * the task's origin.
 */
export const DOWNLOAD_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** `attachment; filename="…"` for a stored name (already only `[A-Za-z0-9._-]`, so no quoting issue). */
export function attachmentDisposition(name: string): string {
  return `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
}
