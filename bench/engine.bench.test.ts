/**
 * Smoke test of the engine benchmark with small numbers: it launches, completes exactly the units
 * asked for, and prints its table in the documented shape.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmarks } from './benchmarks.js';
import { formatEngineBench, runEngineBench } from './engine.bench.js';

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

describe('engine benchmark', () => {
  it('launches 300 units, has 20 workers complete 100 in a closed loop, then 50 more at half load', async () => {
    const result = await runEngineBench({ units: 300, workers: 20, complete: 100 });
    expect(result.completedUnits).toBe(100);
    expect(result.latencyUnits).toBe(50);
    expect(result.meanThinkMs).toBeCloseTo((20 / (0.5 * result.unitsPerSecond)) * 1000);
    expect(result.saturatedP99LatencyMs).toBeGreaterThanOrEqual(result.saturatedP50LatencyMs);
    expect(result.launchSeconds).toBeGreaterThan(0);
    expect(result.unitsPerSecond).toBeGreaterThan(0);
    expect(result.p99LatencyMs).toBeGreaterThanOrEqual(result.p50LatencyMs);

    const lines = formatEngineBench(result).split('\n');
    expect(lines[0]).toBe('engine benchmark (SQLite): 300 units launched, 20 workers completing 100');
    expect(lines).toContainEqual(expect.stringMatching(/^measure\s+work\s+value\s+target\s+result$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^launch\s+300 units\s+\d+\.\d{3} s\s+<2 s\s+(MET|MISSED)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^throughput\s+100 units\s+[\d,]+ units\/s\s+≥5,000\/s\s+(MET|MISSED)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^closed-loop latency p50\s+\d+\.\d{2} ms\s+\(≈ workers \/ throughput\)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^closed-loop latency p99\s+\d+\.\d{2} ms$/));
    expect(lines).toContainEqual(expect.stringMatching(/^assign latency p50\s+50 units\s+\d+\.\d{2} ms$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^assign latency p99\s+at [\d,]+\/s\s+\d+\.\d{2} ms\s+<20 ms\s+(MET|MISSED)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^latency phase: .* offering [\d,]+ units\/s/));
  });

  it('runs through npm run bench -- engine with options, and refuses bad ones', async () => {
    const out = collector();
    expect(
      await runBenchmarks(
        ['engine', '--units', '40', '--workers', '4', '--complete', '12'],
        out,
        collector(),
      ),
    ).toBe(0);
    expect(out.text()).toContain('engine benchmark (SQLite): 40 units launched, 4 workers completing 12');

    const err = collector();
    expect(await runBenchmarks(['engine', '--workers', '0'], collector(), err)).toBe(2);
    expect(err.text()).toMatch(/^error: --workers must be a positive integer/);
    expect(err.text()).toMatch(/^\s+engine\s+launch 100,000 units/m);
  });
});
