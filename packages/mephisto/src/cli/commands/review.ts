/**
 * `mephisto review`: serve the review app and its API (approve, reject and pay for units, block
 * workers, watch live runs) for the database the global options designate, until Ctrl-C. The URL it
 * prints carries the session token (`#token=…`); the browser is opened only for a person at a terminal.
 * The review server is loaded only when the command runs, so `--help` stays fast.
 */
import { spawn } from 'node:child_process';
import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { handleInterrupts, exitCodeForSignal } from '../../script/interrupts.js';
import { defaultDataDir, resolveStoreConfig } from '../../store/store-config.js';
import type { CommandContext, GlobalOptions } from '../program.js';

interface ReviewOptions {
  port: number;
  host: string;
  /** commander's `--no-open`: false when given. */
  open: boolean;
  pollMs?: number;
}

export function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(port) || port > 65_535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free one).');
  return port;
}

function pollInterval(value: string): number {
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms < 250)
    throw new InvalidArgumentError('expected milliseconds, at least 250.');
  return ms;
}

export function registerReviewCommand(program: Command, context: CommandContext): void {
  program
    .command('review')
    .description('serve the review app: review, pay for and monitor task runs in the browser')
    .option('--port <n>', 'port to listen on (0 picks a free one)', portNumber, 0)
    .option(
      '--host <address>',
      'address to listen on; anything but 127.0.0.1 is reachable by others',
      '127.0.0.1',
    )
    .option('--no-open', 'do not open the browser')
    .option('--poll-ms <ms>', 'how often the live monitor checks a run for changes', pollInterval)
    .addHelpText(
      'after',
      '\nThe printed URL contains a fresh session token after #token=; anyone with the URL can approve,\n' +
        'reject and pay, so keep it to yourself. To review from another machine, keep the default host\n' +
        'and use an SSH tunnel:  ssh -L 8787:127.0.0.1:8787 server  then  mephisto review --port 8787\n' +
        '\nExamples:\n' +
        '  mephisto review\n' +
        '  mephisto --db postgres://me@db/mephisto review --port 8787 --no-open\n',
    )
    .action(async (options: ReviewOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await serveReview(context, globals, options);
    });
}

async function serveReview(
  context: CommandContext,
  globals: GlobalOptions,
  options: ReviewOptions,
): Promise<void> {
  const [{ ReviewService }, { startReviewServer }] = await Promise.all([
    import('../../review/review-service.js'),
    import('../../review/server/review-server.js'),
  ]);
  const logger = pino(
    { level: globals.debug === true ? 'debug' : 'warn', base: null },
    { write: (line: string) => context.stderr.write(line) },
  );
  // Installed before anything is opened and kept until everything is closed: the first Ctrl-C stops
  // the server cleanly, a second one (say, during a slow close) ends the process at once.
  let interrupted: () => void = () => undefined;
  const stop = new Promise<void>((resolve) => (interrupted = resolve));
  const release = handleInterrupts(context.signals, {
    onInterrupt: () => {
      interrupted();
    },
    onForce: (signal) => {
      context.exit(exitCodeForSignal(signal));
    },
  });
  // The server's socket keeps Node alive, but say so explicitly rather than rely on it.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  try {
    const store = await context.openStore(resolveStoreConfig(globals.db, context.env));
    try {
      const service = new ReviewService({ store, dataDir: defaultDataDir(context.env), logger });
      const server = await startReviewServer({
        service,
        host: options.host,
        port: options.port,
        logger,
        ...(options.pollMs === undefined ? {} : { monitorPollMs: options.pollMs }),
        warn: (message) => context.stderr.write(`\n${message}\n\n`),
      });
      try {
        context.stdout.write(
          `Review app: ${server.url}\n` +
            `Database: ${store.location} (${store.dialect})\n` +
            'Press Ctrl-C to stop.\n',
        );
        if (options.open && isTerminal(context.stdout) && context.env.CI === undefined)
          openBrowser(server.url);
        await stop;
        context.stdout.write('Stopping the review server.\n');
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    clearInterval(keepAlive);
    release();
  }
}

function isTerminal(sink: unknown): boolean {
  return typeof sink === 'object' && sink !== null && (sink as { isTTY?: unknown }).isTTY === true;
}

/** Opens `url` in the user's browser; a failure (no browser, a headless box) is silent. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the URL is printed anyway.
  }
}
