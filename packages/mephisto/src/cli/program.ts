/**
 * Builds the `mephisto` command line. Output streams, environment and the store factory are passed
 * in, so tests run the very program users run, in-process, and read what it printed and returned.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, type HelpContext } from 'commander';
import { MephistoError } from '../core/errors.js';
import { resolveStoreConfig, type OpenStoreOptions, type StoreConfig } from '../store/store-config.js';
import type { Store } from '../store/store.js';
import type { SignalSource } from '../script/interrupts.js';
import { registerDbCommands } from './commands/db.js';
import { registerRunCommand } from './commands/run.js';
import { registerQualCommands } from './commands/qual.js';
import { registerReviewCommand } from './commands/review.js';
import { registerWorkersCommands } from './commands/workers.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExportCommand } from './commands/export.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerMturkCommands } from './commands/mturk.js';
import { registerRegisterCommand } from './commands/register.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, formatError, type TextSink } from './output.js';

/** Opens a store; `openStore` from the store module, or a stand-in in tests. */
export type OpenStore = (config: StoreConfig, options?: OpenStoreOptions) => Promise<Store>;

/**
 * The store module is loaded on first use: it pulls in both database drivers, which would more than
 * double the start-up time of `--help`, `--version` and every usage error.
 */
const loadAndOpenStore: OpenStore = async (config, options) => {
  const { openStore } = await import('../store/open-store.js');
  return openStore(config, options);
};

export interface CliContext {
  stdout: TextSink;
  stderr: TextSink;
  /** Read for MEPHISTO_DATABASE_URL and MEPHISTO_DATA_DIR. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** How commands open the database. @default openStore */
  openStore?: OpenStore;
  /** Where `mephisto run` hears Ctrl-C and `kill`. @default process */
  signals?: SignalSource;
  /** Ends the process at once (a second Ctrl-C during `mephisto run`). @default process.exit */
  exit?: (code: number) => void;
}

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  db?: string;
  debug?: boolean;
}

/** What a command's action needs from its surroundings. */
export interface CommandContext {
  stdout: TextSink;
  /** Where tools' own output goes (the webapp build's npm and bundler output). */
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
  openStore: OpenStore;
  signals: SignalSource;
  exit: (code: number) => void;
  /** Sets the code `runCli` returns when the command finishes without throwing (e.g. 130 after Ctrl-C). */
  setExitCode(code: number): void;
}

/**
 * Commander shows help and exits 1 when a command that only groups subcommands is called bare
 * (`mephisto`, `mephisto db`) or `help` names no command. We report that like every other usage error:
 * say what is wrong, then the usage, exit code 2.
 */
class MephistoCommand extends Command {
  override createCommand(name?: string): MephistoCommand {
    return new MephistoCommand(name);
  }

  override help(context?: HelpContext | ((text: string) => string)): never {
    if (typeof context === 'object' && context.error) {
      const names = this.commands.map((command) => command.name()).join(', ');
      // `mephisto help nope` lands here too, with the operands still in `args`.
      const [first, second] = this.args;
      const problem =
        first === 'help' && second !== undefined ? `unknown command '${second}'` : 'missing command';
      this.error(`${problem}: expected one of ${names}`, {
        code: 'mephisto.missingCommand',
        exitCode: EXIT_USAGE,
      });
    }
    // The function form is commander's deprecated overload; it is passed through unchanged.
    return super.help(context as HelpContext | undefined);
  }
}

/** The version in packages/mephisto/package.json (two levels up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

export function buildProgram(context: CliContext): Command {
  return createProgram(context).program;
}

/** The program and the exit code its commands asked for (read by {@link runCli} once they are done). */
function createProgram(context: CliContext): { program: Command; exitCode: () => number } {
  const env = context.env ?? process.env;
  let exitCode = EXIT_OK;
  const commandContext: CommandContext = {
    stdout: context.stdout,
    stderr: context.stderr,
    env,
    openStore: context.openStore ?? loadAndOpenStore,
    signals: context.signals ?? process,
    exit: context.exit ?? ((code) => process.exit(code)),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = new MephistoCommand('mephisto');
  program
    .description('Launch, monitor, review and pay for crowdsourcing tasks.')
    .version(packageVersion(), '-V, --version', 'print the version of mephisto-ts')
    .helpOption('-h, --help', 'show help for the command')
    .option(
      '--db <path|url>',
      'database: a SQLite file path, :memory:, or postgres://user@host:port/db[?schema=NAME]',
      // Checked while parsing so a malformed location is reported as a usage error, with the usage.
      (value: string) => {
        try {
          resolveStoreConfig(value, env);
        } catch (error) {
          if (error instanceof MephistoError) throw new InvalidArgumentError(error.message);
          throw error;
        }
        return value;
      },
    )
    .option('--debug', 'print stack traces of unexpected errors')
    .addHelpText(
      'after',
      '\nEnvironment:\n' +
        '  MEPHISTO_DATABASE_URL  database used when --db is not given\n' +
        '  MEPHISTO_DATA_DIR      data directory (default ~/.mephisto-ts); the default database is\n' +
        '                         <data dir>/database.db\n',
    )
    // Exceptions instead of process.exit, so runCli decides the exit code and tests keep running.
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: (text, write) => {
        write(`error [MEPHISTO_ERR_USAGE]: ${text.replace(/^error: /, '')}`);
      },
    });
  registerDbCommands(program, commandContext);
  registerRunCommand(program, commandContext);
  registerReviewCommand(program, commandContext);
  registerWorkersCommands(program, commandContext);
  registerQualCommands(program, commandContext);
  registerRunsCommand(program, commandContext);
  registerExportCommand(program, commandContext);
  registerDoctorCommand(program, commandContext);
  registerMturkCommands(program, commandContext);
  registerRegisterCommand(program, commandContext);
  return { program, exitCode: () => exitCode };
}

/**
 * Runs one command line (without the `node mephisto` prefix) and returns the exit code: 0 on success,
 * 1 when the command failed, 2 when the command line itself was wrong.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const { program, exitCode } = createProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (error) {
    // Commander has already printed its message (and the usage) through configureOutput.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const debug = program.opts<GlobalOptions>().debug === true;
    context.stderr.write(formatError(error, { debug }));
    return EXIT_FAILURE;
  }
}
