/**
 * `mephisto db …`: look at the database and bring its schema up to date. Both commands open the store
 * without migrating, so `status` shows pending migrations instead of silently applying them.
 */
import type { Command } from 'commander';
import type { SchemaStatus, Store, TableCounts } from '../../store/store.js';
import { resolveStoreConfig } from '../../store/store-config.js';
import { formatCount, formatFields, formatTable } from '../output.js';
import type { CommandContext, GlobalOptions } from '../program.js';

export function registerDbCommands(program: Command, context: CommandContext): void {
  const db = program.command('db').description('inspect the database and apply migrations');

  db.command('migrate')
    .description('apply pending migrations')
    .action(async (_options: unknown, command: Command) => {
      await withStore(context, command.optsWithGlobals<GlobalOptions>(), async (store) => {
        const applied = await store.migrate();
        const { applied: all } = await store.schemaStatus();
        context.stdout.write(formatMigrateReport(store, applied, all.at(-1) ?? null));
      });
    });

  db.command('status')
    .description('show where the database is, its schema version, pending migrations and row counts')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(context, command.optsWithGlobals<GlobalOptions>(), async (store) => {
        const schema = await store.schemaStatus();
        // A database no migration has touched has no tables to count yet.
        const tables = schema.applied.length > 0 ? await store.countRows() : null;
        const status = toDbStatus(store, schema, tables);
        context.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatDbStatus(status));
      });
    });
}

/** `mephisto db status --json`: a stable shape for scripts. */
export interface DbStatus {
  location: string;
  dialect: 'sqlite' | 'postgres';
  /** The last applied migration, or null for an empty database. */
  schemaVersion: string | null;
  applied: readonly string[];
  pending: readonly string[];
  /** Rows per table; null until the first migration created the tables. */
  tables: TableCounts | null;
}

function toDbStatus(store: Store, schema: SchemaStatus, tables: TableCounts | null): DbStatus {
  return {
    location: store.location,
    dialect: store.dialect,
    schemaVersion: schema.applied.at(-1) ?? null,
    applied: schema.applied,
    pending: schema.pending,
    tables,
  };
}

function formatDbStatus(status: DbStatus): string {
  let text = formatFields([
    ['Database', status.location],
    ['Dialect', status.dialect],
    ['Schema version', status.schemaVersion ?? 'none (empty database)'],
    ['Pending migrations', status.pending.length === 0 ? 'none' : status.pending.join(', ')],
  ]);
  if (status.pending.length > 0) text += 'Run `mephisto db migrate` to apply them.\n';
  if (status.tables !== null) {
    const rows = Object.entries(status.tables).map(([table, count]) => [table, formatCount(count)]);
    text += `\n${formatTable(['Table', 'Rows'], rows, ['left', 'right'])}`;
  }
  return text;
}

function formatMigrateReport(store: Store, applied: readonly string[], version: string | null): string {
  const where = `${store.location} (${store.dialect})`;
  if (applied.length === 0) {
    return `Database ${where} is already up to date (schema version ${version ?? 'none'}).\n`;
  }
  const noun = applied.length === 1 ? 'migration' : 'migrations';
  return (
    `Applied ${applied.length} ${noun} to ${where}:\n` +
    applied.map((name) => `  ${name}\n`).join('') +
    `Schema version: ${version ?? 'none'}\n`
  );
}

/** Opens the store the global options (or the environment) designate, runs `use`, always closes it. */
async function withStore(
  context: CommandContext,
  options: GlobalOptions,
  use: (store: Store) => Promise<void>,
): Promise<void> {
  const config = resolveStoreConfig(options.db, context.env);
  const store = await context.openStore(config, { migrate: false });
  try {
    await use(store);
  } finally {
    await store.close();
  }
}
