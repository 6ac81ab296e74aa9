/**
 * Building a task's webapp before launch (Mephisto's `build_custom_bundle`): when the webapp folder
 * has a package.json, `npm install`, then the task's `post_install_script`, then `npm run build`,
 * and the bundle task_source names must exist afterwards. The build is skipped while nothing that
 * went into it changed, which a content hash decides (see {@link hashWebappSources}).
 *
 * Differences from Mephisto, on purpose: up-to-date is decided by content, not modification times;
 * the build script is `build` (Mephisto's examples use `dev`); a failure names the step and carries
 * the tool's output tail; and `npm install` always includes devDependencies (a build tool is one),
 * even with NODE_ENV=production in the environment.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveTaskPath } from '../task-path.js';
import { runBuildCommand, type BuildCommand, type WebappBuildOutput } from './webapp-build-command.js';
import { WebappBundleMissingError } from './webapp-build-errors.js';
import { hashFileContents, hashWebappSources } from './webapp-build-hash.js';
import {
  readWebappBuildRecord,
  removeWebappBuildRecord,
  WEBAPP_BUILD_RECORD_FILE,
  writeWebappBuildRecord,
} from './webapp-build-record.js';

export type { WebappBuildOutput } from './webapp-build-command.js';

/** Where the build's progress messages go; a pino logger fits. */
export interface WebappBuildLog {
  info(fields: Record<string, unknown>, message: string): void;
}

export interface EnsureWebappBuiltOptions {
  /** The webapp folder; Mephisto's layout is `<task_dir>/webapp` ({@link taskWebappDir}). */
  readonly webappDir: string;
  /** Absolute path of the bundle the build must produce: the blueprint's resolved task_source. */
  readonly bundlePath: string;
  /** The task folder (`task_dir`); a relative post_install_script path is looked up from it first. */
  readonly taskDir: string;
  /**
   * `mephisto.task.post_install_script`: a script file (run with `bash`) or else a shell command, run
   * in the webapp folder after `npm install` and before the build. A file is looked up relative to
   * `taskDir`, then (as Mephisto does) relative to the webapp folder. "" runs nothing.
   * @default ''
   */
  readonly postInstallScript?: string;
  /** `mephisto.task.force_rebuild`: build even when nothing changed. @default false */
  readonly forceRebuild?: boolean;
  readonly log?: WebappBuildLog;
  /** Every chunk of the commands' stdout and stderr, as it arrives. */
  readonly onOutput?: (output: WebappBuildOutput) => void;
  /**
   * Variables added to this process's environment for the commands; an `undefined` value removes a
   * variable.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborting stops the running command (with its child processes) and rejects with the reason. */
  readonly signal?: AbortSignal;
}

/** Why a build ran. */
export type WebappBuildReason =
  | 'forced'
  | 'never-built'
  | 'bundle-missing'
  | 'bundle-changed'
  | 'post-install-script-changed'
  | 'sources-changed';

export type WebappBuildResult =
  | {
      readonly built: true;
      readonly reason: WebappBuildReason;
      readonly bundlePath: string;
      /** The source hash recorded for the next launch. */
      readonly sourceHash: string;
      readonly durationMs: number;
    }
  | {
      readonly built: false;
      /** `up-to-date`: the last build still holds; `no-package-json`: the bundle is shipped prebuilt. */
      readonly reason: 'up-to-date' | 'no-package-json';
      readonly bundlePath: string;
    };

/** Mephisto's place for a task's webapp: `<taskDir>/webapp`. */
export function taskWebappDir(taskDir: string): string {
  return join(taskDir, 'webapp');
}

/**
 * Makes sure the bundle at `bundlePath` is built from the current webapp sources, building it when
 * it is missing, stale or `forceRebuild` is set. Without `<webappDir>/package.json` there is nothing
 * to build and the bundle must already exist. Steps run one at a time; the first failure ends the
 * build. The record of a successful build is written last, so an interrupted or failed build is
 * redone at the next launch.
 *
 * @throws WebappBuildFailedError (MEPHISTO_ERR_WEBAPP_BUILD_FAILED) naming the failed step, its
 *   command, exit code and output tail
 * @throws WebappBundleMissingError (MEPHISTO_ERR_WEBAPP_BUNDLE_MISSING) when the bundle is not there
 *   after the build, or there is no package.json and no bundle
 * @throws the signal's reason when aborted
 */
export async function ensureWebappBuilt(options: EnsureWebappBuiltOptions): Promise<WebappBuildResult> {
  const { webappDir, bundlePath, log, signal } = options;
  signal?.throwIfAborted();
  if (!(await isFile(join(webappDir, 'package.json')))) {
    if (!(await isFile(bundlePath))) throw new WebappBundleMissingError(bundlePath, webappDir, false);
    log?.info({ webappDir, bundlePath }, 'no webapp package.json; using the prebuilt bundle');
    return { built: false, reason: 'no-package-json', bundlePath };
  }

  const script = (options.postInstallScript ?? '').trim();
  const scriptFile = await findScriptFile(script, options.taskDir, webappDir);
  const scriptHash = scriptFile === undefined ? null : ((await hashFileContents(scriptFile)) ?? null);
  const exclude = excludedPaths(webappDir, bundlePath);

  const reason: WebappBuildReason | undefined =
    options.forceRebuild === true
      ? 'forced'
      : await staleness({ webappDir, bundlePath, script, scriptHash, exclude });
  if (reason === undefined) {
    log?.info({ webappDir, bundlePath }, 'webapp unchanged since its last build; not rebuilding');
    return { built: false, reason: 'up-to-date', bundlePath };
  }

  log?.info({ webappDir, reason }, `building the task webapp (${reason})`);
  const started = performance.now();
  await removeWebappBuildRecord(webappDir);
  const env = { ...process.env, ...options.env };
  for (const command of buildCommands(webappDir, script, scriptFile)) {
    log?.info({ step: command.step, command: command.display }, `webapp build: ${command.display}`);
    await runBuildCommand(command, {
      env,
      ...(signal === undefined ? {} : { signal }),
      ...(options.onOutput === undefined ? {} : { onOutput: options.onOutput }),
    });
  }
  if (!(await isFile(bundlePath))) throw new WebappBundleMissingError(bundlePath, webappDir, true);

  // Hashed after the build: `npm install` may write package-lock.json, and the record must describe
  // the tree as the next launch will find it.
  const sourceHash = await hashWebappSources(webappDir, exclude);
  await writeWebappBuildRecord(webappDir, {
    version: 1,
    sourceHash,
    postInstallScript: script,
    postInstallScriptHash: scriptHash,
    bundlePath,
    builtAt: new Date().toISOString(),
  });
  const durationMs = Math.round(performance.now() - started);
  log?.info({ bundlePath, durationMs }, 'webapp built');
  return { built: true, reason, bundlePath, sourceHash, durationMs };
}

/** Why the last build no longer holds, or undefined when it does. */
async function staleness(current: {
  readonly webappDir: string;
  readonly bundlePath: string;
  readonly script: string;
  readonly scriptHash: string | null;
  readonly exclude: ReadonlySet<string>;
}): Promise<WebappBuildReason | undefined> {
  const record = await readWebappBuildRecord(current.webappDir);
  if (record === undefined) return 'never-built';
  if (!(await isFile(current.bundlePath))) return 'bundle-missing';
  if (record.bundlePath !== current.bundlePath) return 'bundle-changed';
  if (record.postInstallScript !== current.script || record.postInstallScriptHash !== current.scriptHash) {
    return 'post-install-script-changed';
  }
  const sourceHash = await hashWebappSources(current.webappDir, current.exclude);
  return sourceHash === record.sourceHash ? undefined : 'sources-changed';
}

function buildCommands(webappDir: string, script: string, scriptFile: string | undefined): BuildCommand[] {
  const commands: BuildCommand[] = [
    {
      step: 'npm install',
      file: 'npm',
      args: ['install', '--include=dev', '--no-audit', '--no-fund'],
      cwd: webappDir,
      display: 'npm install --include=dev --no-audit --no-fund',
    },
  ];
  if (scriptFile !== undefined) {
    commands.push({
      step: 'post_install_script',
      file: 'bash',
      args: [scriptFile],
      cwd: webappDir,
      display: `bash ${scriptFile}`,
    });
  } else if (script !== '') {
    // Not a file: the user's own shell command, so a shell is what they asked for.
    commands.push({
      step: 'post_install_script',
      file: script,
      args: [],
      shell: true,
      cwd: webappDir,
      display: script,
    });
  }
  commands.push({
    step: 'npm run build',
    file: 'npm',
    args: ['run', 'build'],
    cwd: webappDir,
    display: 'npm run build',
  });
  return commands;
}

/** The script file `script` names (from the task folder, then the webapp folder), if it names one. */
async function findScriptFile(
  script: string,
  taskDir: string,
  webappDir: string,
): Promise<string | undefined> {
  if (script === '') return undefined;
  for (const base of [taskDir, webappDir]) {
    const path = resolveTaskPath(base, script);
    if (await isFile(path)) return path;
  }
  return undefined;
}

/**
 * Paths (relative to the webapp, `/`-separated) the source hash leaves out: the build record, the
 * conventional `build/` output folder and the folder the bundle is written to (or the bundle itself
 * when it sits directly in the webapp folder).
 */
function excludedPaths(webappDir: string, bundlePath: string): Set<string> {
  const exclude = new Set([WEBAPP_BUILD_RECORD_FILE, 'build']);
  const rel = relative(webappDir, bundlePath);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
    const parts = rel.split(sep);
    exclude.add(parts.length > 1 ? parts.slice(0, -1).join('/') : rel);
  }
  return exclude;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
