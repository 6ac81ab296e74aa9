/**
 * The content hash that decides whether a webapp needs rebuilding. Mephisto compares modification
 * times, which a `git checkout`, a copy or a clock change can fool; a hash of paths and contents
 * changes exactly when the sources do.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Bumped if what goes into the hash changes, so every old record reads as out of date. */
const HASH_FORMAT = 'mephisto-ts webapp sources v1';

/**
 * SHA-256 (hex) over every file under `webappDir` except:
 * - any folder named `node_modules`, and any folder whose name starts with a dot (`.git`, `.vite`, …),
 *   at any depth: installed or cached, not written by the author;
 * - every path in `exclude` (relative to `webappDir`, `/`-separated), with everything below it: the
 *   build output and the build record.
 *
 * Each file contributes its relative path and the SHA-256 of its contents (read as a stream, so large
 * assets are never held in memory); a symbolic link contributes its target, unfollowed. Entries are
 * visited in code-unit order of their names, so the result does not depend on the file system or the
 * locale. Dot-files (`.babelrc`, `.env`) are included: they change builds. Files that vanish while the
 * tree is read are skipped.
 */
export async function hashWebappSources(webappDir: string, exclude: ReadonlySet<string>): Promise<string> {
  const hash = createHash('sha256').update(`${HASH_FORMAT}\n`);
  await hashFolder(hash, webappDir, '', exclude);
  return hash.digest('hex');
}

async function hashFolder(
  hash: Hash,
  root: string,
  relDir: string,
  exclude: ReadonlySet<string>,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(root, relDir), { withFileTypes: true });
  } catch (error) {
    if (isGone(error)) return;
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
    if (exclude.has(rel)) continue;
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      await hashFolder(hash, root, rel, exclude);
    } else if (entry.isFile()) {
      const digest = await hashFileContents(join(root, rel));
      if (digest !== undefined) hash.update(`file\0${rel}\0${digest}\n`);
    } else if (entry.isSymbolicLink()) {
      const target = await readlink(join(root, rel)).catch((error: unknown) => {
        if (isGone(error)) return undefined;
        throw error;
      });
      if (target !== undefined) hash.update(`link\0${rel}\0${target}\n`);
    }
    // Sockets, FIFOs and devices are not sources.
  }
}

/** SHA-256 (hex) of a file's contents, read as a stream; undefined if the file does not exist. */
export async function hashFileContents(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
  return hash.digest('hex');
}

function isGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
