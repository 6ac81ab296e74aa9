/**
 * The files one request wrote to the files directory, and the rule that keeps them only when the
 * request is accepted: a refusal (any MephistoError, e.g. an unknown agent or another worker's
 * agent) deletes them, so a refused submit leaves nothing behind. An unexpected failure keeps them
 * and logs their names instead, since it may have happened after the submit was committed, and a
 * stray file is easier to clean up than a submission whose files are gone.
 */
import { rm } from 'node:fs/promises';
import type { UploadedFile } from '@mephisto-ts/task-client/wire';
import type { Logger } from 'pino';
import { MephistoError } from '../../core/index.js';

export class StoredUploads {
  static readonly none = new StoredUploads([]);

  constructor(
    /** In upload order. */
    readonly files: readonly UploadedFile[],
  ) {}

  /** `{fieldname: [records]}`, each list in upload order (Mephisto's `filesByFields`). */
  byFields(): Record<string, UploadedFile[]> {
    const out: Record<string, UploadedFile[]> = {};
    for (const file of this.files) (out[file.fieldname] ??= []).push(file);
    return out;
  }

  /** Deletes every file; a file already gone is not an error. */
  async discard(): Promise<void> {
    await Promise.all(this.files.map((file) => rm(file.path, { force: true })));
  }

  /**
   * Runs `work` (the submit). When it throws a MephistoError the files are deleted before the error
   * is rethrown; any other error is rethrown with the files kept and named in the log.
   */
  async keepIfAccepted<T>(log: Logger, work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.files.length === 0) throw error;
      if (error instanceof MephistoError) await this.discard();
      else
        log.warn(
          { files: this.files.map((f) => f.filename) },
          'a submit with files failed unexpectedly; its files are kept',
        );
      throw error;
    }
  }
}

/**
 * `data` with the upload records added as Mephisto's router added them: `files` and
 * `filesByFields`, when `data` is a JSON object (other data is returned as it is, and then cannot
 * carry files: the caller refuses files with non-object data).
 */
export function withUploads(data: unknown, uploads: StoredUploads): unknown {
  if (!isPlainObject(data)) return data;
  return { ...data, files: uploads.files, filesByFields: uploads.byFields() };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
