/**
 * Which file of `extra_source_dir` a URL path names, if any may be served. The contract, so no request
 * reaches a file outside the folder:
 *
 * - the path is split on `/`; an empty, `.` or `..` segment, a segment starting with `.` (dotfiles such
 *   as `.env` or `.git`), a backslash or a NUL byte refuses it;
 * - the file's real path (symbolic links resolved) must still be inside the folder's real path, and
 *   must not pass through a dotfile either;
 * - it must be a regular file (never a folder listing).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

function servableSegments(segments: readonly string[]): boolean {
  return segments.every((s) => s !== '' && !s.startsWith('.') && !s.includes('\\') && !s.includes('\0'));
}

/**
 * The path relative to the folder's real path of the file `urlPath` names (decoded, without its
 * leading `/`), or undefined when there is none or it must not be served.
 */
export async function extraSourceFile(
  dir: string,
  urlPath: string,
): Promise<{ root: string; file: string } | undefined> {
  const segments = urlPath.split('/');
  if (!servableSegments(segments)) return undefined;
  try {
    const root = await realpath(dir);
    const real = await realpath(join(root, ...segments));
    const inside = relative(root, real);
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
      return undefined;
    if (!servableSegments(inside.split(sep))) return undefined;
    if (!(await stat(real)).isFile()) return undefined;
    return { root, file: inside.split(sep).join('/') };
  } catch {
    // Missing, unreadable or a broken link: not served.
    return undefined;
  }
}
