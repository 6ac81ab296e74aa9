/**
 * The work of `mephisto mturk cleanup` (commands/mturk.ts), loaded only when the command runs: it pulls
 * in the AWS SDK, which would slow every other command's start.
 */
import { MturkProviderArgsSchema, MturkSandboxProviderArgsSchema } from '../../core/config/provider-args.js';
import { MturkApi } from '../../providers/mturk/mturk-api.js';
import { planCleanup, withdrawHit, type CleanupEntry } from '../../providers/mturk/mturk-cleanup.js';
import { resolveMturkCredentials } from '../../providers/mturk/mturk-credentials.js';
import { apiEndpoint } from '../../providers/mturk/mturk-endpoints.js';
import { EXIT_FAILURE, formatCount, formatTable } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';
import { withStoreForReading } from './store-for-reading.js';

export interface CleanupOptions {
  sandbox?: boolean;
  endpoint?: string;
  region?: string;
  requester?: string;
  dryRun?: boolean;
  yes?: boolean;
  includeForeign?: boolean;
}

const VERDICT_WORDS: Readonly<Record<CleanupEntry['verdict'], string>> = {
  live: 'keep',
  stale: 'expire',
  unknown: 'expire',
  foreign: 'not ours',
};

function listing(entries: readonly CleanupEntry[], includeForeign: boolean): string {
  return formatTable(
    ['HIT', 'Status', 'Run', 'Unit', 'Action', 'Why'],
    entries.map((e) => [
      e.hitId,
      e.status,
      e.taskRunId ?? '',
      e.unitId ?? '',
      e.verdict === 'foreign' && includeForeign ? 'expire' : VERDICT_WORDS[e.verdict],
      e.reason,
    ]),
    ['left', 'left', 'left', 'left', 'left', 'left'],
  );
}

/** Lists the account's open HITs against the database and expires the ones no live unit needs. */
export async function runMturkCleanup(
  context: CommandContext,
  globals: GlobalOptions,
  options: CleanupOptions,
): Promise<void> {
  const sandbox = options.sandbox === true;
  const providerType = sandbox ? 'mturk_sandbox' : 'mturk';
  const args = (sandbox ? MturkSandboxProviderArgsSchema : MturkProviderArgsSchema).parse({
    endpoint: options.endpoint ?? '',
    region: options.region ?? 'us-east-1',
    ...(options.requester === undefined ? {} : { requester_name: options.requester }),
  });
  const api = new MturkApi({
    endpoint: apiEndpoint(args.endpoint, sandbox),
    region: args.region,
    credentials: resolveMturkCredentials(context.env, args.requester_name),
  });
  try {
    await withStoreForReading(context, globals, async ({ store, missing }) => {
      if (store === undefined) {
        context.stderr.write(
          `error: there is no database at ${missing}: cleanup compares the account's HITs with the ` +
            'database the runs were launched from (pass it with --db).\n',
        );
        context.setExitCode(EXIT_FAILURE);
        return;
      }
      const out = context.stdout;
      out.write(
        `Listing open HITs on the ${sandbox ? 'sandbox' : 'live'} MTurk account (${api.endpoint})…\n`,
      );
      const entries = await planCleanup({ api, store, providerType, now: Date.now() });
      if (entries.length === 0) {
        out.write('No open HITs: nothing to clean up.\n');
        return;
      }
      const includeForeign = options.includeForeign === true;
      out.write(listing(entries, includeForeign));
      const targets = entries.filter(
        (e) =>
          e.verdict === 'stale' || e.verdict === 'unknown' || (includeForeign && e.verdict === 'foreign'),
      );
      const kept = entries.filter((e) => e.verdict === 'live').length;
      const foreign = entries.filter((e) => e.verdict === 'foreign').length;
      const unknown = entries.filter((e) => e.verdict === 'unknown').length;
      if (unknown > 0)
        out.write(
          `Note: ${formatCount(unknown)} HIT(s) belong to units this database does not have. If another ` +
            'database launches on this account, check before expiring.\n',
        );
      if (targets.length === 0) {
        out.write(`Nothing to expire: ${formatCount(kept)} HIT(s) offer live units.\n`);
        return;
      }
      if (options.dryRun === true || options.yes !== true) {
        out.write(
          `${options.dryRun === true ? 'Dry run: ' : ''}${formatCount(targets.length)} HIT(s) would be expired.` +
            (options.dryRun === true ? '\n' : ' Run again with --yes to expire them.\n'),
        );
        return;
      }
      let expired = 0;
      const failed: string[] = [];
      for (const [index, entry] of targets.entries()) {
        try {
          await withdrawHit({ api, store, providerType, hitId: entry.hitId });
          expired++;
          out.write(`[${index + 1}/${targets.length}] expired ${entry.hitId} (${entry.reason})\n`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failed.push(entry.hitId);
          context.stderr.write(
            `[${index + 1}/${targets.length}] could not expire ${entry.hitId}: ${message}\n`,
          );
        }
      }
      out.write(
        `Expired ${formatCount(expired)} HIT(s); kept ${formatCount(kept)} offering live units` +
          (foreign > 0 && !includeForeign
            ? `; left ${formatCount(foreign)} not created by mephisto-ts alone (--include-foreign expires them)`
            : '') +
          '.\n',
      );
      if (failed.length > 0) {
        context.stderr.write(
          `${formatCount(failed.length)} HIT(s) could not be expired; run the command again.\n`,
        );
        context.setExitCode(EXIT_FAILURE);
      }
    });
  } finally {
    api.destroy();
  }
}
