/** Small helpers the benchmarks share to reduce and report their samples. */

/** The value below which `fraction` of the sorted samples fall (nearest rank); 0 for no samples. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** How a figure compares with its target, as every benchmark table prints it. */
export function verdict(met: boolean): string {
  return met ? 'MET' : 'MISSED';
}
