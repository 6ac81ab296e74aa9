/**
 * A separate process for multi-process tests: opens (and so migrates) the SQLite store at the path
 * given, writes `count` projects named `<name>-<i>` concurrently, and prints `ok` or the error.
 *
 * Usage: node --import tsx open-child.ts <database path> <name> <count>
 */
import { openStore } from '../../../src/store/open-store.js';

const [path, name, count] = process.argv.slice(2);
if (path === undefined || name === undefined || count === undefined) {
  throw new Error('usage: open-child.ts <database path> <name> <count>');
}
try {
  const store = await openStore({ kind: 'sqlite', path });
  await Promise.all(Array.from({ length: Number(count) }, (_, i) => store.createProject(`${name}-${i}`)));
  await store.close();
  process.stdout.write('ok\n');
} catch (error) {
  process.stdout.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
}
