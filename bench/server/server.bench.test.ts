/**
 * Smoke test of the server benchmark with small numbers: its simulated browsers (wire-client.ts on raw
 * sockets) complete exactly the units asked for against the real task server, without an error, in
 * the closed loop and paced, and the report has its documented shape.
 */
import { describe, expect, it } from 'vitest';
import { formatServerBench, runServerBench } from './server.bench.js';

describe('server benchmark', () => {
  it('has 20 browsers in 2 processes complete 2 units each, then work paced, without an error', async () => {
    const result = await runServerBench({ levels: [20], rounds: 2, processes: 2, pacedMinSeconds: 2 });
    expect(result.processes).toBe(2);
    const [level] = result.levels;
    expect(level).toBeDefined();
    if (level === undefined) return;
    expect(level.errorSamples).toEqual([]);
    expect(level.errors).toBe(0);
    expect(level.workers).toBe(20);
    expect(level.completed).toBe(40);
    expect(level.unitsPerSecond).toBeGreaterThan(0);
    expect(level.requestAgentP99Ms).toBeGreaterThanOrEqual(level.requestAgentP50Ms);
    expect(level.submitP99Ms).toBeGreaterThanOrEqual(level.submitP50Ms);
    expect(level.serverCpuMsPerUnit).toBeGreaterThan(0);
    expect(level.browsersCpuMsPerUnit).toBeGreaterThan(0);
    expect(level.heapBytesPerWorker).toBeGreaterThanOrEqual(0);
    expect(level.paced.unitsPerSecond).toBeGreaterThan(0);
    expect(level.paced.requestAgentP99Ms).toBeGreaterThanOrEqual(level.paced.requestAgentP50Ms);
    expect(level.paced.loopDelayMaxMs).toBeGreaterThan(0);

    const lines = formatServerBench(result).split('\n');
    expect(lines[0]).toBe(
      'server benchmark (SQLite, HTTP + WebSocket on loopback, 2 browser processes, 2 units per worker per level)',
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\s+20\s+40\s+[\d,]+\/s\s/));
    expect(lines).toContainEqual(expect.stringMatching(/^targets at 20 workers:$/));
    expect(lines).toContain('  2,000 concurrent workers: 20 MISSED');
    expect(lines).toContain('  zero errors: 0 MET');
  }, 60_000);
});
