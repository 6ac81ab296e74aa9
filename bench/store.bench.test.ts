/**
 * Smoke test of the store benchmark at 500 units: it runs end to end on every available database,
 * leaves every unit `launched`, and prints its table in the documented shape.
 */
import { describe, expect, inject, it } from 'vitest';
import { runBenchmarks } from './benchmarks.js';
import { formatStoreBench, runStoreBench } from './store.bench.js';

const UNITS = 500;

function collector(): { write(text: string): boolean; text: () => string } {
  let text = '';
  return {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

describe('store benchmark', () => {
  it(`runs with ${UNITS} units and leaves every unit launched`, async () => {
    const pgUrl = inject('pgUrl');
    const results = await runStoreBench({ units: UNITS, concurrency: 16, pgUrl });

    const ran = results.filter((result) => result.skipped === undefined);
    expect(ran.map((result) => result.database)).toEqual(
      pgUrl === null ? ['sqlite'] : ['sqlite', 'postgres'],
    );
    for (const result of ran) {
      expect(result.launchedUnits).toBe(UNITS);
      expect(result.steps.map((step) => step.step)).toEqual([
        'create units',
        'read units',
        'guarded transitions',
      ]);
      for (const step of result.steps) {
        expect(step.rows).toBe(UNITS);
        expect(step.rowsPerSecond).toBeGreaterThan(0);
        expect(step.peakRssBytes).toBeGreaterThan(0);
      }
    }

    const lines = formatStoreBench(results, { units: UNITS, concurrency: 16 }).split('\n');
    const header = lines.findIndex((line) => line.startsWith('database'));
    expect(lines[header]).toMatch(
      /^database\s+step\s+rows\s+seconds\s+rows\/s\s+target\s+result\s+peak RSS$/,
    );
    const sqliteRows = lines.filter((line) => line.startsWith('sqlite '));
    expect(sqliteRows).toHaveLength(3);
    expect(sqliteRows[0]).toMatch(
      /^sqlite\s+create units\s+500\s+\d+\.\d{3}\s+[\d,]+\s+≥100,000\/s\s+(MET|MISSED)\s+\d+ MB$/,
    );
    expect(sqliteRows[1]).toMatch(/^sqlite\s+read units\s+500\s+\d+\.\d{3}\s+[\d,]+\s+\d+ MB$/);
    expect(sqliteRows[2]).toMatch(
      /^sqlite\s+guarded transitions\s+500\s+.*≥20,000\/s\s+(MET|MISSED)\s+\d+ MB$/,
    );
    // Columns line up: every cell of a column starts at the same offset as its header.
    const rowsCol = lines[header]?.indexOf('seconds') ?? -1;
    for (const row of sqliteRows) expect(row.slice(0, rowsCol).trimEnd()).toMatch(/500$/);
  });

  it('lists the benchmarks for an unknown name', async () => {
    const out = collector();
    const err = collector();
    expect(await runBenchmarks(['nonesuch'], out, err)).toBe(2);
    expect(err.text()).toContain('unknown benchmark "nonesuch"');
    expect(err.text()).toMatch(/^\s+store\s+/m);
  });

  it('reports a wrong option or count with the usage and exit code 2', async () => {
    for (const args of [
      ['store', '--unit', '5'],
      ['store', '--units', '0'],
      ['store', '--units'],
    ]) {
      const out = collector();
      const err = collector();
      expect(await runBenchmarks(args, out, err)).toBe(2);
      expect(err.text()).toMatch(
        /^error: (Unknown option '--unit'|--units must be a positive integer|Option '--units)/,
      );
      expect(err.text()).toContain('Usage: npm run bench');
      expect(out.text()).toBe('');
    }
  });
});
