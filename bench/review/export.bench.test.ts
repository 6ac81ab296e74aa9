/**
 * Smoke test of the export benchmark at 300 units: the export runs in its own process, writes every
 * row, and reports its time and memory.
 */
import { describe, expect, it } from 'vitest';
import { formatExportBench, runExportBench } from './export.bench.js';

describe('export benchmark', () => {
  it('exports 300 units in a child process and reports rows, time and memory', async () => {
    const result = await runExportBench({ units: 300, format: 'csv' });
    expect(result.rows).toBe(300);
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.peakRssBytes).toBeGreaterThanOrEqual(result.startRssBytes);
    expect(result.startRssBytes).toBeGreaterThan(10_000_000);
    const table = formatExportBench(result, { units: 300, format: 'csv' });
    expect(table).toMatch(/Units +Format +Rows +Seconds/);
    expect(table).toContain('300  csv');
  });
});
