/**
 * Finding the primary config file, the config root its defaults lists are resolved against, and the
 * task directory (`task_dir`), following Mephisto's layout: `<task dir>/hydra_configs/conf/<name>.yaml`.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigNotFoundError } from '../core/config/config-errors.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { ConfigFileSystem } from './defaults-list.js';
import { groupOf } from './defaults-list.js';

/** The real file system. */
export const nodeConfigFileSystem: ConfigFileSystem = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  },
  async isDirectory(path) {
    try {
      return (await stat(path)).isDirectory();
    } catch {
      return false;
    }
  },
};

/** A path as shown in messages: relative to `cwd` when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export interface LocateOptions {
  readonly configPath?: string | undefined;
  readonly configDir?: string | undefined;
  readonly configName?: string | undefined;
  readonly taskDir?: string | undefined;
  readonly cwd: string;
  readonly fs: ConfigFileSystem;
}

export interface LocatedConfig {
  /** Absolute path of the primary config file; undefined when composing from overrides only. */
  readonly file: string | undefined;
  /** The config root: defaults entries and file groups are looked up from here. */
  readonly root: string;
  /** The primary file's folder relative to the root (`conf` for Mephisto's layout, `''` at the root). */
  readonly group: string;
  /** The task directory before any `task_dir=` override. */
  readonly taskDir: string;
}

const HYDRA_CONFIGS = 'hydra_configs';

function withExtensions(name: string): string[] {
  return /\.ya?ml$/.test(name) ? [name] : [name, `${name}.yaml`, `${name}.yml`];
}

async function firstFile(fs: ConfigFileSystem, candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    if ((await fs.readText(candidate)) !== undefined) return candidate;
  }
  return undefined;
}

/** The nearest enclosing folder named `hydra_configs`, if the file sits inside one. */
function hydraConfigsAncestor(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    if (basename(dir) === HYDRA_CONFIGS) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Finds the primary config. With `configPath`, that file (`.yaml` may be left out). With `configDir`
 * and `configName`, the first of `<dir>/<name>`, `<dir>/conf/<name>` and `<dir>/hydra_configs/conf/<name>`
 * (each with `.yaml` or `.yml` added when the name has no extension). The task directory is the folder
 * above `hydra_configs/` when the file sits under one, else the config directory (or, for a file given
 * directly, its own folder); `taskDir` replaces it.
 */
export async function locatePrimaryConfig(options: LocateOptions): Promise<LocatedConfig> {
  const { cwd, fs } = options;
  if (
    options.configPath !== undefined &&
    (options.configDir !== undefined || options.configName !== undefined)
  ) {
    throw new InvalidArgumentError('give either configPath, or configDir with configName, not both');
  }
  const explicitTaskDir = options.taskDir === undefined ? undefined : resolve(cwd, options.taskDir);

  if (options.configPath === undefined && options.configName === undefined) {
    if (options.configDir !== undefined) {
      throw new InvalidArgumentError(`configDir ${options.configDir} was given without a configName`);
    }
    return { file: undefined, root: cwd, group: '', taskDir: explicitTaskDir ?? cwd };
  }

  let file: string | undefined;
  let configDir: string | undefined;
  let searched: string[];
  if (options.configPath !== undefined) {
    searched = withExtensions(resolve(cwd, options.configPath));
    file = await firstFile(fs, searched);
  } else {
    configDir = resolve(cwd, options.configDir ?? '.');
    const name = options.configName ?? '';
    searched = [configDir, join(configDir, 'conf'), join(configDir, HYDRA_CONFIGS, 'conf')].flatMap((dir) =>
      withExtensions(join(dir, name)),
    );
    file = await firstFile(fs, searched);
  }
  if (file === undefined) {
    const what = options.configPath ?? `${options.configName ?? ''} in ${options.configDir ?? cwd}`;
    throw new ConfigNotFoundError(
      `config file ${what} was not found`,
      searched.map((s) => displayPath(s, cwd)),
    );
  }

  const hydraRoot = hydraConfigsAncestor(file);
  const root = hydraRoot ?? configDir ?? dirname(file);
  const derivedTaskDir = hydraRoot !== undefined ? dirname(hydraRoot) : (configDir ?? dirname(file));
  return { file, root, group: groupOf(root, file), taskDir: explicitTaskDir ?? derivedTaskDir };
}
