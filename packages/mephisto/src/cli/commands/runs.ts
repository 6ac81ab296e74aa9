/**
 * `mephisto runs [--task NAME] [--json]`: every task and its runs at a glance, with units per status,
 * whether the run ended, and what it has cost so far: the payments ledger's total (against the run's
 * budget when it has one) and, apart, an estimate of what the work awaiting review would add.
 */
import type { Command } from 'commander';
import { NotFoundError, UNIT_STATUSES } from '../../core/index.js';
import { listTaskOverviews, type RunOverview, type TaskOverview } from '../../export/run-overview.js';
import type { RunSpend } from '../../export/run-spend.js';
import { formatCount, formatTable } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';
import { withStoreForReading } from './store-for-reading.js';

interface RunsOptions {
  task?: string;
  json?: boolean;
}

export function registerRunsCommand(program: Command, context: CommandContext): void {
  program
    .command('runs')
    .description('list tasks and their runs: units per status, whether ended, spend so far (payments ledger)')
    .option('--task <name>', 'only the runs of this task')
    .option('--json', 'print the list as JSON')
    .addHelpText(
      'after',
      '\nSpend is read from the payments ledger: rewards, bonuses and platform fees that are paid, pending\n' +
        '(sent to the provider, not confirmed yet) or owed (in-house workers, paid by hand); failed payments\n' +
        'are not counted. A run with a budget (mephisto.provider.budget_in_dollars) shows "spend / budget".\n' +
        'Unreviewed (est.) is an estimate and not spend: the rewards of submitted units not reviewed yet, what\n' +
        'approving them would add before fees. --json gives every part (paid, pending, owed, rewards, bonuses,\n' +
        'fees, total, budget, awaitingReview, awaitingReviewUnits).\n',
    )
    .action(async (options: RunsOptions, command: Command) => {
      await withStoreForReading(context, command.optsWithGlobals<GlobalOptions>(), async (opened) => {
        let overviews: TaskOverview[] = [];
        if (opened.store !== undefined) {
          overviews = await listTaskOverviews(opened.store, { taskName: options.task });
        } else if (options.task !== undefined) {
          throw new NotFoundError(
            'task',
            options.task,
            `no task is named "${options.task}": there is no database at ${opened.missing} yet`,
          );
        }
        if (options.json === true) {
          context.stdout.write(`${JSON.stringify(overviews.map(toTaskJson), null, 2)}\n`);
        } else if (overviews.length === 0) {
          const where = opened.store?.location ?? `${opened.missing} (not created yet)`;
          context.stdout.write(`No tasks in ${where}. Launch one with \`mephisto run\`.\n`);
        } else {
          context.stdout.write(formatRuns(overviews));
        }
      });
    });
}

/** `mephisto runs --json`, one entry per task: a stable shape for scripts. */
export interface TaskJson {
  taskId: string;
  taskName: string;
  taskType: string;
  runs: RunJson[];
}

export interface RunJson {
  runId: string;
  /** ISO 8601. */
  created: string;
  providerType: string;
  sandbox: boolean;
  ended: boolean;
  endReason: string | null;
  endedAt: string | null;
  /** Every unit status, 0 when none. */
  units: Record<string, number>;
  totalUnits: number;
  /** Dollars, from the payments ledger ({@link RunSpend}); `awaitingReview` is an estimate, not spend. */
  spend: RunSpend;
}

function toTaskJson(overview: TaskOverview): TaskJson {
  return {
    taskId: overview.task.id,
    taskName: overview.task.name,
    taskType: overview.task.taskType,
    runs: overview.runs.map(toRunJson),
  };
}

function toRunJson(overview: RunOverview): RunJson {
  return {
    runId: overview.run.id,
    created: overview.run.creationDate.toISOString(),
    providerType: overview.run.providerType,
    sandbox: overview.run.sandbox,
    ended: overview.ended,
    endReason: overview.endReason,
    endedAt: overview.endedAt?.toISOString() ?? null,
    units: { ...overview.units },
    totalUnits: overview.totalUnits,
    spend: { ...overview.spend },
  };
}

/** One line per run (a task without runs gets one line saying so), then the totals explained. */
function formatRuns(overviews: readonly TaskOverview[]): string {
  const rows: string[][] = [];
  const sum = { total: 0, paid: 0, pending: 0, owed: 0, fees: 0, awaitingReview: 0 };
  let budgeted = false;
  let runs = 0;
  for (const { task, runs: taskRuns } of overviews) {
    if (taskRuns.length === 0) rows.push([task.name, '-', '-', '-', '-', '-', 'no runs']);
    for (const overview of taskRuns) {
      const { spend } = overview;
      rows.push([
        task.name,
        overview.run.id,
        formatDate(overview.run.creationDate),
        overview.ended ? (overview.endReason ?? 'yes') : 'no',
        spend.budget === null
          ? formatDollars(spend.total)
          : `${formatDollars(spend.total)} / ${formatDollars(spend.budget)}`,
        formatDollars(spend.awaitingReview),
        formatUnits(overview),
      ]);
      for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += spend[key];
      budgeted ||= spend.budget !== null;
      runs++;
    }
  }
  const table = formatTable(
    ['Task', 'Run', 'Created (UTC)', 'Ended', 'Spend', 'Unreviewed (est.)', 'Units'],
    rows,
    ['left', 'left', 'left', 'left', 'right', 'right', 'left'],
  );
  // Sums of dollar amounts, without binary-fraction drift (sub-cent rewards keep their digits).
  const money = (amount: number) => formatDollars(Math.round(amount * 1e6) / 1e6);
  const noun = runs === 1 ? 'run' : 'runs';
  return (
    `${table}\nTotal spend: ${money(sum.total)} over ${formatCount(runs)} ${noun} (payments ledger): ` +
    `${money(sum.paid)} paid, ${money(sum.pending)} pending, ${money(sum.owed)} owed; ${money(sum.fees)} of it platform fees.\n` +
    'Pending: sent to the provider, not confirmed yet. Owed: in-house work, to pay by hand. Failed payments ' +
    `are not counted.${budgeted ? ' "Spend / budget" when the run has a budget.' : ''}\n` +
    `Unreviewed (est.): ${money(sum.awaitingReview)}, the rewards of submitted units not reviewed yet ` +
    '(before fees); not part of the spend.\n'
  );
}

/** `12: 8 completed, 4 launched`: the total, then each status present, in the lifecycle's order. */
function formatUnits(overview: RunOverview): string {
  const parts = UNIT_STATUSES.filter((status) => overview.units[status] > 0).map(
    (status) => `${formatCount(overview.units[status])} ${status}`,
  );
  return parts.length === 0 ? '0' : `${formatCount(overview.totalUnits)}: ${parts.join(', ')}`;
}

/** `2026-01-31 14:05`, UTC, so output does not depend on the machine's time zone. */
function formatDate(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** Dollars with cents; amounts below a cent keep their digits. */
export function formatDollars(amount: number): string {
  const cents = Math.round(amount * 100) / 100;
  return `$${cents === amount ? amount.toFixed(2) : String(amount)}`;
}
