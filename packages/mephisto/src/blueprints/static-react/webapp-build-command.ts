/**
 * Runs one webapp build command as a child process: output streamed to the caller as it arrives, the
 * tail kept for the error message, and the whole process tree stopped when the build is aborted.
 */
import { spawn } from 'node:child_process';
import {
  OUTPUT_TAIL_LINES,
  WebappBuildFailedError,
  type CommandFailure,
  type WebappBuildStep,
} from './webapp-build-errors.js';

/** One chunk of a build command's output. */
export interface WebappBuildOutput {
  readonly step: WebappBuildStep;
  readonly stream: 'stdout' | 'stderr';
  /** Decoded as UTF-8; a chunk may end in the middle of a line. */
  readonly text: string;
}

export interface BuildCommand {
  readonly step: WebappBuildStep;
  /** The program, or with `shell` the whole command line. */
  readonly file: string;
  readonly args: readonly string[];
  /**
   * Run `file` through the system shell. Only for the user's own post_install_script command: every
   * path we pass goes as a separate argument, never through a shell, so no path can inject a command.
   */
  readonly shell?: boolean;
  readonly cwd: string;
  /** The command as shown in messages. */
  readonly display: string;
}

export interface RunBuildCommandOptions {
  /** The child's environment (already merged with process.env by the caller). */
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly onOutput?: (output: WebappBuildOutput) => void;
}

/** After SIGTERM on abort, how long the process tree gets before SIGKILL. */
const KILL_GRACE_MS = 5000;
/** Output kept for the tail; generous, since a single line may be long. */
const TAIL_KEEP_CHARS = 128 * 1024;

/** Signals a terminal sends that the child's own process group would otherwise miss. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `command` to completion.
 *
 * On POSIX the child leads its own process group, and an abort (or this process exiting) signals the
 * whole group, so `npm run build`'s own children (vite, a shell's commands) stop too, not just npm.
 * Being in its own group, the child no longer gets the terminal's Ctrl+C, so while it runs SIGINT,
 * SIGTERM and SIGHUP received here are passed on to the group; when nothing else in this process
 * handles the signal, it is then raised again so that Node's default (exit) still happens.
 *
 * @throws WebappBuildFailedError when the command exits non-zero, is killed, or cannot be started
 * @throws the signal's reason when `signal` is aborted (before or during the run)
 */
export async function runBuildCommand(command: BuildCommand, options: RunBuildCommandOptions): Promise<void> {
  const { signal, onOutput } = options;
  signal?.throwIfAborted();
  const ownGroup = process.platform !== 'win32';
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: options.env,
    shell: command.shell === true,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownGroup,
    windowsHide: true,
  });

  let tail = '';
  const take = (stream: 'stdout' | 'stderr', text: string): void => {
    tail += text;
    if (tail.length > TAIL_KEEP_CHARS * 2) tail = tail.slice(-TAIL_KEEP_CHARS);
    onOutput?.({ step: command.step, stream, text });
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    take('stdout', text);
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    take('stderr', text);
  });

  // The group is signalled even after its leader (npm) has exited: its children may live on, and
  // they hold the output pipes, so 'close' waits for them. Not after 'close': the id could be reused.
  let closed = false;
  const kill = (killSignal: NodeJS.Signals): void => {
    if (child.pid === undefined || closed) return;
    try {
      if (ownGroup) process.kill(-child.pid, killSignal);
      else child.kill(killSignal);
    } catch {
      // Already gone.
    }
  };
  let escalation: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    kill('SIGTERM');
    escalation = setTimeout(() => {
      kill('SIGKILL');
    }, KILL_GRACE_MS);
    escalation.unref();
  };
  // A detached group would outlive us; take it down if this process exits mid-build.
  const onExit = (): void => {
    kill('SIGKILL');
  };
  const onSignal = (received: NodeJS.Signals): void => {
    kill(received);
    if (process.listenerCount(received) === 1) {
      stopForwarding();
      process.kill(process.pid, received);
    }
  };
  const stopForwarding = (): void => {
    for (const forwarded of FORWARDED_SIGNALS) process.removeListener(forwarded, onSignal);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  process.once('exit', onExit);
  if (ownGroup) for (const forwarded of FORWARDED_SIGNALS) process.on(forwarded, onSignal);

  try {
    const failure = await new Promise<CommandFailure | undefined>((resolve) => {
      let settled = false;
      child.on('error', (error) => {
        // Spawn failures (ENOENT, EACCES) arrive here for a process that never ran; later errors (a
        // failed kill) must still have a listener, hence `on`, but only the first one settles.
        if (settled || child.pid !== undefined) return;
        settled = true;
        resolve({ kind: 'spawn', reason: error.message });
      });
      child.once('close', (code, killedBy) => {
        closed = true;
        if (settled) return;
        settled = true;
        if (code === 0) resolve(undefined);
        else if (code !== null) resolve({ kind: 'exit', exitCode: code });
        else resolve({ kind: 'signal', signal: killedBy ?? 'an unknown signal' });
      });
    });
    signal?.throwIfAborted();
    if (failure !== undefined) {
      throw new WebappBuildFailedError(command.step, command.display, command.cwd, failure, lastLines(tail));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    process.removeListener('exit', onExit);
    stopForwarding();
    if (escalation !== undefined) clearTimeout(escalation);
  }
}

/** The last {@link OUTPUT_TAIL_LINES} non-empty-at-the-end lines, with trailing spaces trimmed. */
function lastLines(text: string): string[] {
  const lines = text.split(/\r?\n|\r/).map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-OUTPUT_TAIL_LINES);
}
