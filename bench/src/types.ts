import type { SweepPoint } from './sweep.js';

/** One measured figure: what every scenario produces and what `latest.json` holds. */
export interface Figure {
  /** Stable id, e.g. `pool.pair`, `arena.alloc16`, `c.malloc.pair`, `orderbook`. */
  readonly scenario: string;
  /** Who ran it: `js`, `wasm`, `native`, `Uint8Array`, `MemPool`, `glibc`, ... */
  readonly subject: string;
  /** What one operation is, e.g. `alloc()+free() pair`. */
  readonly unit: string;
  /** Mean (tinybench) or median (C harness) nanoseconds per operation. */
  readonly nsPerOp: number;
  /** Relative margin of error of the mean, percent (95% confidence). */
  readonly rmePercent: number;
  /** 99th percentile of the per-sample ns/op. */
  readonly p99NsPerOp: number;
  /** Number of timed samples behind the figure. */
  readonly samples: number;
  /** Operations inside one timed sample (the figure is sample time / opsPerSample). */
  readonly opsPerSample: number;
  /** Extra numbers a scenario reports (the C harness's mean, an LD_PRELOAD path). */
  readonly extra?: Record<string, number | string>;
}

/** A scenario that could not run, and why. */
export interface Skip {
  readonly scenario: string;
  readonly subject: string;
  readonly reason: string;
}

/** What a child process writes to its result file. */
export interface SubjectResult {
  readonly subject: string;
  readonly figures: Figure[];
  readonly skipped: Skip[];
  /** The scale sweeps' points (a `sweep:` child has one). */
  readonly sweeps?: SweepPoint[];
  readonly meta?: Record<string, string>;
}

/** How long to measure. */
export interface Budget {
  readonly quick: boolean;
  /** tinybench time per task, ms. */
  readonly timeMs: number;
  /** tinybench warm-up time per task, ms. */
  readonly warmupMs: number;
}

export const budgetFor = (quick: boolean): Budget => (quick ? { quick, timeMs: 60, warmupMs: 20 } : { quick, timeMs: 1000, warmupMs: 250 });
