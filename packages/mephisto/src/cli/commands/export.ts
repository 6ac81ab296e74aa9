/**
 * `mephisto export <task_name|run_id>`: a run's results (or all runs of a task) as JSONL or CSV, one
 * row per unit, streamed page by page so a run of any size exports in bounded memory. To stdout by
 * default; with `--out FILE` through FILE.partial, renamed once complete, with a progress bar when
 * stderr is a terminal.
 */
import cliProgress from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MephistoError, UNIT_STATUSES, isUnitStatus, type UnitStatus } from '../../core/index.js';
import type { OutputStream } from '../../export/buffered-output.js';
import { exportToFile } from '../../export/export-file.js';
import { EXPORT_FORMATS, formatForPath, type ExportFormat } from '../../export/export-format.js';
import { countExportRecords, type ExportSelection } from '../../export/export-records.js';
import { resolveExportTarget, type ExportTarget } from '../../export/export-target.js';
import { streamExport } from '../../export/stream-export.js';
import { exitCodeForSignal, handleInterrupts, type InterruptSignal } from '../../script/interrupts.js';
import type { Store } from '../../store/store.js';
import { EXIT_USAGE, formatCount } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';
import { withStoreForReading } from './store-for-reading.js';

interface ExportOptions {
  format?: ExportFormat;
  out?: string;
  status?: UnitStatus[];
  allUnits?: boolean;
  bom?: boolean;
}

/** `--status a,b --status c` and `--status a b c` alike, each checked. */
function collectStatuses(value: string, previous: UnitStatus[] | undefined): UnitStatus[] {
  const statuses = [...(previous ?? [])];
  for (const part of value.split(',')) {
    const status = part.trim();
    if (status === '') continue;
    if (!isUnitStatus(status)) {
      throw new InvalidArgumentError(
        `"${status}" is not a unit status; expected one of ${UNIT_STATUSES.join(', ')}.`,
      );
    }
    if (!statuses.includes(status)) statuses.push(status);
  }
  return statuses;
}

export function registerExportCommand(program: Command, context: CommandContext): void {
  program
    .command('export')
    .description('export results, one row per unit, as JSONL or CSV (to stdout, or to a file with --out)')
    .argument('<task_name|run_id>', 'a run id (all digits), or a task name for all runs of the task')
    .addOption(
      new Option(
        '-f, --format <format>',
        'jsonl or csv (default: from the --out extension, else jsonl)',
      ).choices(EXPORT_FORMATS),
    )
    .option('-o, --out <file>', 'write to FILE (through FILE.partial, renamed once complete)')
    .option(
      '--status <status...>',
      `only units in these statuses (${UNIT_STATUSES.join(', ')}); repeat or separate with commas`,
      collectStatuses,
    )
    .option('--all-units', 'also units no worker has taken (by default only units with an agent)')
    .option('--bom', 'CSV only: start with a UTF-8 byte order mark, so Excel reads non-ASCII text right')
    .addHelpText(
      'after',
      '\nColumns: task_name, task_run_id, unit_id, assignment_id, unit_index, status, worker_id,\n' +
        'worker_name, agent_id, agent_status, assigned_at, submitted_at, duration_seconds, pay,\n' +
        'bonus_total, review_status, review_feedback, reviewed_at, data, input_data (see docs/export.md).\n' +
        '\nExamples:\n' +
        '  mephisto export my-task > results.jsonl\n' +
        '  mephisto export 914732615558507006 --format csv --out results.csv --status completed,accepted\n',
    )
    .action(async (name: string, options: ExportOptions, command: Command) => {
      const format =
        options.format ?? (options.out !== undefined ? formatForPath(options.out) : undefined) ?? 'jsonl';
      if (options.bom === true && format !== 'csv') {
        command.error('--bom applies to CSV only (add --format csv)', {
          code: 'mephisto.bomNeedsCsv',
          exitCode: EXIT_USAGE,
        });
      }
      const selection: ExportSelection = {
        statuses: options.status,
        includeUnassigned: options.allUnits === true,
      };
      await withStoreForReading(
        context,
        command.optsWithGlobals<GlobalOptions>(),
        async (opened) => {
          if (opened.store === undefined) {
            throw new MephistoError(
              'MEPHISTO_ERR_EXPORT_TARGET_NOT_FOUND',
              `no task run or task named "${name}": there is no database at ${opened.missing}`,
            );
          }
          const target = await resolveExportTarget(opened.store, name);
          const plan: ExportPlan = {
            store: opened.store,
            target,
            format,
            selection,
            bom: options.bom === true,
          };
          const out = options.out;
          if (out === undefined) {
            await runInterruptible(
              context,
              (signal) => exportToStdout(context, plan, signal),
              'the output above is incomplete',
            );
          } else {
            await runInterruptible(
              context,
              (signal) => exportToPath(context, plan, out, signal),
              `${out} was not written (a file already there is unchanged)`,
            );
          }
        },
        { singlePass: true },
      );
    });
}

interface ExportPlan {
  store: Store;
  target: ExportTarget;
  format: ExportFormat;
  selection: ExportSelection;
  bom: boolean;
}

/**
 * Runs the export with Ctrl-C (or `kill`) aborting it cleanly: the partial file is removed and the
 * command exits 130 (143 for SIGTERM). A second signal exits at once.
 */
async function runInterruptible(
  context: CommandContext,
  exportWith: (signal: AbortSignal) => Promise<void>,
  consequence: string,
): Promise<void> {
  const controller = new AbortController();
  let interruptedBy: InterruptSignal | undefined;
  const remove = handleInterrupts(context.signals, {
    onInterrupt: (signal) => {
      interruptedBy = signal;
      controller.abort(new Error(`interrupted by ${signal}`));
    },
    onForce: (signal) => {
      context.exit(exitCodeForSignal(signal));
    },
  });
  try {
    await exportWith(controller.signal);
  } catch (error) {
    if (interruptedBy === undefined || !controller.signal.aborted) throw error;
    context.stderr.write(`Export interrupted (${interruptedBy}); ${consequence}.\n`);
    context.setExitCode(exitCodeForSignal(interruptedBy));
  } finally {
    remove();
  }
}

async function exportToStdout(context: CommandContext, plan: ExportPlan, signal: AbortSignal): Promise<void> {
  // process.stdout in the real CLI: a stream with `drain`; any writer in tests.
  const out: OutputStream = context.stdout;
  try {
    await streamExport({ ...plan, ...plan.selection, out, signal });
  } catch (error) {
    // The reader went away (`mephisto export x | head`): stop quietly, as command-line tools do.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw error;
  }
}

async function exportToPath(
  context: CommandContext,
  plan: ExportPlan,
  path: string,
  signal: AbortSignal,
): Promise<void> {
  const progress = await startProgress(context, plan);
  try {
    const result = await exportToFile({
      ...plan,
      ...plan.selection,
      path,
      signal,
      onProgress: (written) => progress?.update(written),
    });
    progress?.stop();
    const noun = result.rows === 1 ? 'unit' : 'units';
    context.stdout.write(`Exported ${formatCount(result.rows)} ${noun} (${plan.format}) to ${result.path}\n`);
  } finally {
    progress?.stop();
  }
}

/** A bar on stderr when it is a terminal (the count of rows costs two quick queries per run). */
async function startProgress(
  context: CommandContext,
  plan: ExportPlan,
): Promise<{ update(value: number): void; stop(): void } | undefined> {
  const sink = context.stderr as { isTTY?: boolean };
  if (sink.isTTY !== true) return undefined;
  const total = await countExportRecords(plan.store, plan.target, plan.selection);
  const bar = new cliProgress.SingleBar(
    {
      format: 'exporting [{bar}] {percentage}% | {value}/{total} units | {eta_formatted} left',
      // cli-progress writes cursor movements to the stream, which a TTY sink is.
      stream: context.stderr as unknown as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let stopped = false;
  return {
    update: (value) => {
      bar.update(value);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
