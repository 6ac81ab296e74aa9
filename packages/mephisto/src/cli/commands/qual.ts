/**
 * `mephisto qual create|grant|revoke|list`: qualifications from the shell, through the review service
 * (each grant and revoke recorded with a `worker_review` row). Running a command again is harmless: an
 * existing qualification, a grant of the same value or a revoke of nothing is reported, not an error.
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type { QualificationSummary } from '../../review/review-api.js';
import { formatCount, formatTable } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';
import { withReviewService } from './workers.js';

function integer(value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(number) || Math.abs(number) > 2_147_483_647)
    throw new InvalidArgumentError('expected an integer.');
  return number;
}

function formatQualifications(list: readonly QualificationSummary[]): string {
  if (list.length === 0) return 'No qualifications.\n';
  return formatTable(
    ['Qualification', 'Granted', 'Description'],
    list.map((q) => [q.name, formatCount(q.granted), q.description ?? '']),
    ['left', 'right', 'left'],
  );
}

export function registerQualCommands(program: Command, context: CommandContext): void {
  const qual = program.command('qual').description('create, grant, revoke and list qualifications');

  qual
    .command('create')
    .description('create a qualification (nothing happens if it exists)')
    .argument('<name>', 'qualification name')
    .option('--description <text>', 'what holding it means')
    .action(async (name: string, options: { description?: string }, command: Command) => {
      await withReviewService(context, command.optsWithGlobals<GlobalOptions>(), async (service) => {
        const { created } = await service.createQualification({
          name,
          ...(options.description === undefined ? {} : { description: options.description }),
        });
        context.stdout.write(
          created ? `Created qualification ${name}.\n` : `Qualification ${name} already exists.\n`,
        );
      });
    });

  qual
    .command('grant')
    .description('grant a qualification to a worker (or change its value)')
    .argument('<name>', 'qualification name')
    .argument('<worker>', 'worker name (or id)')
    .option('--value <n>', 'the value granted', integer, 1)
    .addHelpText('after', '\nExample:\n  mephisto qual grant trusted-annotator A1B2C3_sandbox --value 2\n')
    .action(async (name: string, workerName: string, options: { value: number }, command: Command) => {
      await withReviewService(context, command.optsWithGlobals<GlobalOptions>(), async (service) => {
        const worker = await service.findWorker(workerName);
        const { applied } = await service.grantQualification(name, {
          worker_id: worker.id,
          value: options.value,
          idempotency_key: randomUUID(),
        });
        context.stdout.write(
          applied
            ? `Granted ${name} (value ${options.value}) to ${worker.name}.\n`
            : `${worker.name} already holds ${name} with value ${options.value}.\n`,
        );
      });
    });

  qual
    .command('revoke')
    .description("revoke a worker's qualification")
    .argument('<name>', 'qualification name')
    .argument('<worker>', 'worker name (or id)')
    .action(async (name: string, workerName: string, _options: unknown, command: Command) => {
      await withReviewService(context, command.optsWithGlobals<GlobalOptions>(), async (service) => {
        const worker = await service.findWorker(workerName);
        const { applied } = await service.revokeQualification(name, {
          worker_id: worker.id,
          idempotency_key: randomUUID(),
        });
        context.stdout.write(
          applied ? `Revoked ${name} from ${worker.name}.\n` : `${worker.name} does not hold ${name}.\n`,
        );
      });
    });

  qual
    .command('list')
    .description('list qualifications and how many workers hold each')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withReviewService(context, command.optsWithGlobals<GlobalOptions>(), async (service) => {
        const list = await service.listQualifications();
        context.stdout.write(
          options.json ? `${JSON.stringify(list, null, 2)}\n` : formatQualifications(list),
        );
      });
    });
}
