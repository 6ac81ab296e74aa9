/**
 * Paths in blueprint args are relative to the task directory. `~` is expanded as Mephisto does
 * (`os.path.expanduser`), because configs written for Mephisto use it.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { TaskFileNotFoundError } from './blueprint-errors.js';

/** The absolute path `given` names, read relative to `taskDir`. */
export function resolveTaskPath(taskDir: string, given: string): string {
  let path = given;
  if (path === '~') path = homedir();
  else if (path.startsWith('~/')) path = join(homedir(), path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(taskDir, path);
}

/**
 * Resolves `given` and checks that it is an existing regular file, so a typo fails when the run is set
 * up rather than when the first worker arrives.
 * @throws TaskFileNotFoundError naming `argument` and the resolved path
 */
export function requireTaskFile(argument: string, taskDir: string, given: string): string {
  const path = resolveTaskPath(taskDir, given);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) throw new TaskFileNotFoundError(argument, path, given);
  if (stats.isDirectory()) throw new TaskFileNotFoundError(argument, path, given, true);
  return path;
}
