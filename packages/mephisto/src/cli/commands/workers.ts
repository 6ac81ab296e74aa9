/**
 * `mephisto workers list|block|unblock`: the workers of the database (all, or one task's) with their
 * units and earnings, and blocking from the shell. Blocks go through the review service like the
 * review app's, so the store records them with a `worker_review` row and the worker's provider is told
 * (a provider that failed is retried by blocking again).
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { UNIT_STATUSES } from '../../core/index.js';
import type { ReviewService, WorkerActionOutcome } from '../../review/review-service.js';
import { defaultDataDir, resolveStoreConfig } from '../../store/store-config.js';
import type { WorkerSummary } from '../../store/store.js';
import { EXIT_FAILURE, formatCount, formatTable } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';

/** Opens the store the global options designate (migrated: the review tables are needed), runs `use` with a review service over it, always closes it. */
export async function withReviewService(
  context: CommandContext,
  globals: GlobalOptions,
  use: (service: ReviewService) => Promise<void>,
): Promise<void> {
  const { ReviewService } = await import('../../review/review-service.js');
  const store = await context.openStore(resolveStoreConfig(globals.db, context.env));
  try {
    await use(new ReviewService({ store, dataDir: defaultDataDir(context.env) }));
  } finally {
    await store.close();
  }
}

/**
 * Tells the user when the provider's part failed (the store's part is done): a warning on stderr and
 * exit code 1, so scripts notice.
 */
export function reportDelivery(context: CommandContext, outcome: WorkerActionOutcome, retry: string): void {
  const { record } = outcome;
  if (record.delivery === 'failed' || record.delivery === 'pending') {
    context.stderr.write(
      `warning: recorded, but the provider has not done it: ${record.deliveryDetail ?? 'no answer'}\n` +
        `Run \`${retry}\` again to retry.\n`,
    );
    context.setExitCode(EXIT_FAILURE);
  } else if (record.delivery === 'manual') {
    context.stdout.write('This provider has no way to do it: do it by hand on its side.\n');
  }
}

/** `mephisto workers list --json`: one entry per worker. */
export interface WorkerListEntry {
  id: string;
  name: string;
  providerType: string;
  blocked: boolean;
  /** Units per status, statuses with none left out. */
  units: Partial<Record<string, number>>;
  /** Rewards of accepted and soft-rejected units plus bonuses, dollars. */
  earned: number;
}

function toEntry(summary: WorkerSummary): WorkerListEntry {
  const units: Partial<Record<string, number>> = {};
  for (const status of UNIT_STATUSES)
    if (summary.unitsByStatus[status] > 0) units[status] = summary.unitsByStatus[status];
  return {
    id: summary.worker.id,
    name: summary.worker.name,
    providerType: summary.worker.providerType,
    blocked: summary.blocked,
    units,
    earned: Math.round(summary.earned * 100) / 100,
  };
}

function formatWorkers(entries: readonly WorkerListEntry[]): string {
  if (entries.length === 0) return 'No workers.\n';
  const total = (e: WorkerListEntry) => Object.values(e.units).reduce<number>((a, b) => a + (b ?? 0), 0);
  return formatTable(
    ['Worker', 'ID', 'Provider', 'Units', 'Accepted', 'Rejected', 'Earned', 'Blocked'],
    entries.map((e) => [
      e.name,
      e.id,
      e.providerType,
      formatCount(total(e)),
      formatCount(e.units.accepted ?? 0),
      formatCount(e.units.rejected ?? 0),
      `$${e.earned.toFixed(2)}`,
      e.blocked ? 'yes' : '',
    ]),
    ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'],
  );
}

export function registerWorkersCommands(program: Command, context: CommandContext): void {
  const workers = program.command('workers').description('list workers and block or unblock them');

  workers
    .command('list')
    .description('list workers with their units and earnings')
    .option('--task <name>', 'only workers who took a unit of this task')
    .option('--json', 'print the list as JSON')
    .action(async (options: { task?: string; json?: boolean }, command: Command) => {
      await withReviewService(context, command.optsWithGlobals<GlobalOptions>(), async (service) => {
        const entries = (
          await service.listWorkers(options.task === undefined ? {} : { taskName: options.task })
        ).map(toEntry);
        context.stdout.write(options.json ? `${JSON.stringify(entries, null, 2)}\n` : formatWorkers(entries));
      });
    });

  workers
    .command('block')
    .description('block a worker from every task (recorded in the store and told to their provider)')
    .argument('<worker>', 'worker name (or id)')
    .requiredOption('--reason <text>', 'why (kept with the block)')
    .addHelpText('after', '\nExample:\n  mephisto workers block A1B2C3_sandbox --reason "copied answers"\n')
    .action(async (name: string, options: { reason: string }, command: Command) => {
      await withReviewService(context, command.optsWithGlobals<GlobalOptions>(), async (service) => {
        const worker = await service.findWorker(name);
        const outcome = await service.blockWorker(worker.id, {
          reason: options.reason,
          idempotency_key: randomUUID(),
        });
        context.stdout.write(
          outcome.applied
            ? `Blocked worker ${worker.name} (${worker.id}): ${options.reason}\n`
            : `Worker ${worker.name} (${worker.id}) is already blocked.\n`,
        );
        reportDelivery(context, outcome, `mephisto workers block ${name} --reason ...`);
      });
    });

  workers
    .command('unblock')
    .description('lift every block of a worker')
    .argument('<worker>', 'worker name (or id)')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withReviewService(context, command.optsWithGlobals<GlobalOptions>(), async (service) => {
        const worker = await service.findWorker(name);
        const outcome = await service.unblockWorker(worker.id, { idempotency_key: randomUUID() });
        context.stdout.write(
          outcome.applied
            ? `Unblocked worker ${worker.name} (${worker.id}).\n`
            : `Worker ${worker.name} (${worker.id}) is not blocked.\n`,
        );
        reportDelivery(context, outcome, `mephisto workers unblock ${name}`);
      });
    });
}
