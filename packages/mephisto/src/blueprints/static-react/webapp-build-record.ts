/**
 * What the last successful webapp build was made from, kept in `<webappDir>/.mephisto-build.json`
 * (beside the sources rather than in the build output, so a server that serves the output folder
 * never serves it). It is written only after a build succeeded and removed before a build starts, so
 * a build that fails half-way can never leave a record that vouches for a broken bundle.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The record's file name, inside the webapp folder. Left out of the source hash. */
export const WEBAPP_BUILD_RECORD_FILE = '.mephisto-build.json';

export interface WebappBuildRecord {
  readonly version: 1;
  /** {@link hashWebappSources} of the webapp right after the build. */
  readonly sourceHash: string;
  /** `post_install_script` as configured ("" = none). */
  readonly postInstallScript: string;
  /** SHA-256 of the script file when it named one (it may live outside the webapp), else null. */
  readonly postInstallScriptHash: string | null;
  /** Absolute path of the bundle the build was expected to write (task_source). */
  readonly bundlePath: string;
  /** When the build finished (ISO 8601); for people reading the file. */
  readonly builtAt: string;
}

export function webappBuildRecordPath(webappDir: string): string {
  return join(webappDir, WEBAPP_BUILD_RECORD_FILE);
}

/** The record, or undefined when there is none or it is unreadable (which just means: rebuild). */
export async function readWebappBuildRecord(webappDir: string): Promise<WebappBuildRecord | undefined> {
  let text: string;
  try {
    text = await readFile(webappBuildRecordPath(webappDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<WebappBuildRecord> | null;
    if (
      value === null ||
      value.version !== 1 ||
      typeof value.sourceHash !== 'string' ||
      typeof value.postInstallScript !== 'string' ||
      (value.postInstallScriptHash !== null && typeof value.postInstallScriptHash !== 'string') ||
      typeof value.bundlePath !== 'string'
    ) {
      return undefined;
    }
    return value as WebappBuildRecord;
  } catch {
    return undefined;
  }
}

/** Writes the record atomically (temporary file, then rename), so a crash never leaves half a record. */
export async function writeWebappBuildRecord(webappDir: string, record: WebappBuildRecord): Promise<void> {
  const path = webappBuildRecordPath(webappDir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, path);
}

export async function removeWebappBuildRecord(webappDir: string): Promise<void> {
  await rm(webappBuildRecordPath(webappDir), { force: true });
}
