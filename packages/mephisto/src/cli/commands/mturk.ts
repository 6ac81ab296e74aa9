/**
 * `mephisto mturk cleanup`: withdraws HITs left open on the MTurk account that no live unit of the
 * database needs (runs that crashed or were killed, orphans from a crash between MTurk creating a HIT
 * and the database recording it). Lists what it found first; expires only with `--yes` (without it, or
 * with `--dry-run`, nothing changes), so a shell script cannot expire a shared account's HITs by
 * accident. HITs mephisto-ts did not create are left alone unless `--include-foreign`.
 */
import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../program.js';
import type { CleanupOptions } from './mturk-cleanup-run.js';

export function registerMturkCommands(program: Command, context: CommandContext): void {
  const mturk = program.command('mturk').description('manage the MTurk account: open HITs');

  mturk
    .command('cleanup')
    .description('expire HITs still open on the MTurk account that no live unit of the database needs')
    .option('--sandbox', "use MTurk's sandbox (the mturk_sandbox provider's account)")
    .option('--endpoint <url>', "MTurk requester API address (default: AWS's live or sandbox endpoint)")
    .option('--region <name>', 'AWS region of the API', 'us-east-1')
    .option(
      '--requester <name>',
      'requester whose AWS profile holds the keys (as in mephisto.provider.requester_name)',
    )
    .option('--dry-run', 'list what would be expired; change nothing')
    .option('--yes', 'expire without asking (without it, the HITs are only listed)')
    .option('--include-foreign', 'also expire open HITs mephisto-ts did not create')
    .addHelpText(
      'after',
      '\nCredentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the profile named by\n' +
        '--requester (docs/providers/mturk.md).\n\nExamples:\n' +
        '  mephisto mturk cleanup --sandbox            list open sandbox HITs and what would happen\n' +
        '  mephisto mturk cleanup --sandbox --yes      expire the ones no live unit needs\n',
    )
    .action(async (options: CleanupOptions, command: Command) => {
      const { runMturkCleanup } = await import('./mturk-cleanup-run.js');
      await runMturkCleanup(context, command.optsWithGlobals<GlobalOptions>(), options);
    });
}
