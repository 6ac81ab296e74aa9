/**
 * An export written to a file safely: into `FILE.partial`, flushed to disk, then renamed over `FILE`,
 * so `FILE` is either absent, the previous file, or the complete new export, never a truncated one.
 * On failure or abort the partial file is removed; only a process killed outright can leave one.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MephistoError } from '../core/index.js';
import { streamExport, type ExportResult, type StreamExportOptions } from './stream-export.js';

export type FileExportOptions = Omit<StreamExportOptions, 'out'> & {
  /** The file to write (replaced if it exists). */
  readonly path: string;
};

export interface FileExportResult extends ExportResult {
  /** The absolute path written. */
  readonly path: string;
}

/** Where an export to `path` is written until it is complete. */
export function partialPath(path: string): string {
  return `${path}.partial`;
}

export async function exportToFile(options: FileExportOptions): Promise<FileExportResult> {
  const path = resolve(options.path);
  const partial = partialPath(path);
  await refuseDirectory(path);
  // `flush`: the data reaches the disk before the file is closed, so the rename never publishes a file
  // whose content a power cut could still lose.
  const stream = createWriteStream(partial, { flags: 'w', encoding: 'utf8', flush: true });
  try {
    await opened(stream);
  } catch (error) {
    throw outputError(path, error);
  }
  try {
    const result = await streamExport({ ...options, out: stream });
    await closed(stream, () => stream.end());
    await rename(partial, path);
    return { rows: result.rows, path };
  } catch (error) {
    if (!stream.closed) await closed(stream, () => stream.destroy()).catch(() => undefined);
    await rm(partial, { force: true });
    throw isSystemError(error) ? outputError(path, error) : error;
  }
}

function opened(stream: WriteStream): Promise<void> {
  return new Promise((done, fail) => {
    stream.once('ready', () => {
      stream.off('error', fail);
      done();
    });
    stream.once('error', fail);
  });
}

/** Runs `finish` (end or destroy) and resolves once the file is closed, or rejects with its error. */
function closed(stream: WriteStream, finish: () => void): Promise<void> {
  return new Promise((done, fail) => {
    const onError = (error: Error): void => {
      stream.off('close', onClose);
      fail(error);
    };
    const onClose = (): void => {
      stream.off('error', onError);
      done();
    };
    stream.once('error', onError);
    stream.once('close', onClose);
    finish();
  });
}

async function refuseDirectory(path: string): Promise<void> {
  const found = await stat(path).catch(() => null);
  if (found?.isDirectory() === true) {
    throw new MephistoError(
      'MEPHISTO_ERR_EXPORT_OUTPUT',
      `cannot write the export to ${path}: it is a folder`,
    );
  }
}

/** A failure of the file system (as opposed to the store's, or an abort). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EISDIR: 'it is a folder',
};

function outputError(path: string, error: unknown): MephistoError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
  return new MephistoError('MEPHISTO_ERR_EXPORT_OUTPUT', `cannot write the export to ${path}: ${reason}`, {
    cause: error,
  });
}
