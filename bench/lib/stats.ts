/**
 * Percentiles from recorded samples. Every latency is kept (runs are bounded, so at most a few
 * hundred thousand samples), sorted once, and read by nearest rank: exact, unlike a bucketed
 * histogram, and with no dependency.
 */

/** Summary of a latency sample set, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summarises samples (any order); the input is not modified. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Growable store of float samples that avoids boxing hundreds of thousands of numbers. */
export interface SampleRecorder {
  add(value: number): void;
  readonly size: number;
  values(): Float64Array;
}

export function sampleRecorder(initialCapacity = 1 << 14): SampleRecorder {
  let buf = new Float64Array(initialCapacity);
  let size = 0;
  return {
    add(value) {
      if (size === buf.length) {
        const next = new Float64Array(buf.length * 2);
        next.set(buf);
        buf = next;
      }
      buf[size++] = value;
    },
    get size() {
      return size;
    },
    values() {
      return buf.subarray(0, size);
    },
  };
}

/** Rounds for display and JSON: 3 significant decimals below 10, fewer above. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
