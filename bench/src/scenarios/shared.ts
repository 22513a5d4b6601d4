/**
 * Shared allocators: a shared pool's single-thread pair (tinybench, against the unshared
 * `pool.pair` of the same run), then throughput with 1, 2, 4, ... workers (`--workers`) on bursts
 * of 16 allocs then 16 frees, and with 1 and 2 workers on a producer/consumer pattern (one worker
 * allocates and fills, another frees), for the lock-free pool, the same pool behind an
 * `Atomics.wait` mutex, and (bursts only: a private pool cannot take another worker's frees) one
 * private pool per worker. A throughput figure is wall nanoseconds per operation with all workers
 * together, so lower is better and 1-worker / n-worker is the speed-up. While the workers run, the
 * main thread sleeps in `Atomics.wait` (an event loop would take a core's time slices).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Backend, BackendModule, FixedPool } from '@mempool/api';
import { describe, measure } from '../measure.js';
import type { Budget, Figure, Skip } from '../types.js';
import { pairCase } from './pool.js';
import { ARRIVED, CONTROL_BYTES, DONE, GO, type Pattern, type ThroughputTask, type Variant } from './shared-worker.js';

const WORKER = new URL('./shared-worker.js', import.meta.url);

/** The subject a variant's figures go under, e.g. `js`, `js mutex`, `js private`. */
export const sharedSubject = (backend: string, variant: Variant): string => (variant === 'lock-free' ? backend : `${backend} ${variant}`);

/** Starts one worker per pattern, waits until all have warmed up, and times them from the start line to the last one done. */
async function timeWorkers(
  specifier: string,
  variant: Variant,
  patterns: readonly Pattern[],
  ops: number,
  backend: Backend,
): Promise<number> {
  const pool = backend.createFixedPool(64, 4096, { shared: true });
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const words = new Int32Array(control);
  let failure: unknown;
  const workers = patterns.map((pattern) => {
    const task: ThroughputTask = { specifier, variant, pattern, ops, descriptor: pool.share(), control };
    const worker = new Worker(WORKER, { workerData: task });
    return new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
      worker.once('error', (error) => {
        failure = error;
        // Counted as done, so the main thread's wait below ends.
        Atomics.add(words, ARRIVED, 1);
        Atomics.add(words, DONE, 1);
        resolve();
      });
    });
  });
  while (Atomics.load(words, ARRIVED) < patterns.length) await new Promise((r) => setTimeout(r, 5));
  if (failure !== undefined) throw failure;
  const start = performance.now();
  Atomics.store(words, GO, 1);
  Atomics.notify(words, GO);
  // Asleep, not polling: the workers have every core while they run.
  for (let done = Atomics.load(words, DONE); done < patterns.length; done = Atomics.load(words, DONE))
    Atomics.wait(words, DONE, done, 1000);
  const end = performance.now();
  await Promise.all(workers);
  if (failure !== undefined) throw failure;
  const stats = pool.stats();
  if (variant !== 'private' && stats.allocated !== 0) throw new Error(`${stats.allocated} slots still allocated after the run`);
  pool.destroy();
  return end - start;
}

interface Run {
  readonly scenario: string;
  readonly unit: string;
  readonly variant: Variant;
  readonly patterns: readonly Pattern[];
  /** Operations the figure counts, per `ops` each worker is given. */
  readonly countedPerOp: number;
}

/**
 * The worker counts of the burst runs: `MEMPOOL_BENCH_WORKERS` (main.ts sets it from `--workers
 * 1,2,8`), else 1, 2 and every power of two up to the machine's cores.
 */
export function workerCounts(): number[] {
  const asked = process.env['MEMPOOL_BENCH_WORKERS'];
  if (asked) {
    const counts = asked.split(',').map(Number);
    if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 256)) throw new Error(`--workers takes counts from 1 to 256, got ${asked}`);
    return [...new Set(counts)].sort((a, b) => a - b);
  }
  const counts = [1, 2];
  for (let n = 4; n <= availableParallelism(); n *= 2) counts.push(n);
  return counts;
}

function runs(): Run[] {
  return (['lock-free', 'mutex', 'private'] as const).flatMap((variant) => [
    ...workerCounts().map(
      (n): Run => ({
        scenario: `shared.pairs.${n}w`,
        unit: `alloc()+free() pair (bursts of 16), ${n} worker${n === 1 ? '' : 's'} together`,
        variant,
        patterns: Array<Pattern>(n).fill('pairs'),
        countedPerOp: n,
      }),
    ),
    ...(variant === 'private'
      ? []
      : ([
          {
            scenario: 'shared.prodcons.1w',
            unit: 'handle allocated, filled and freed, 1 worker',
            variant,
            patterns: ['alone'],
            countedPerOp: 1,
          },
          {
            scenario: 'shared.prodcons.2w',
            unit: 'handle allocated+filled by one worker, freed by another',
            variant,
            patterns: ['producer', 'consumer'],
            countedPerOp: 1,
          },
        ] satisfies Run[])),
  ]);
}

/** Every shared-allocator figure of one backend; a backend without `supports.shared` is one skip. */
export async function sharedFigures(specifier: string, budget: Budget): Promise<{ figures: Figure[]; skipped: Skip[] }> {
  const { backend } = (await import(specifier)) as BackendModule;
  if (!backend.supports.shared) {
    return { figures: [], skipped: [{ scenario: 'shared.*', subject: backend.name, reason: 'supports.shared is false' }] };
  }
  const pool = backend.createFixedPool(64, 4096, { shared: true }) as unknown as FixedPool;
  const { figures, skipped } = await measure(
    backend.name,
    [pairCase(pool, 'shared.pair', 'alloc()+free() pair on a shared pool, one thread')],
    budget,
  );
  const ops = budget.quick ? 200_000 : 2_000_000;
  const reps = budget.quick ? 1 : 3;
  for (const run of runs()) {
    const subject = sharedSubject(backend.name, run.variant);
    try {
      const perOp: number[] = [];
      for (let r = 0; r < reps; r++)
        perOp.push(((await timeWorkers(specifier, run.variant, run.patterns, ops, backend)) * 1e6) / (ops * run.countedPerOp));
      perOp.sort((a, b) => a - b);
      const median = perOp[Math.floor(perOp.length / 2)]!;
      const mean = perOp.reduce((a, b) => a + b, 0) / perOp.length;
      const spread = perOp.length > 1 ? Math.sqrt(perOp.reduce((s, x) => s + (x - mean) ** 2, 0) / (perOp.length - 1)) : 0;
      figures.push({
        scenario: run.scenario,
        subject,
        unit: `${run.unit} (wall ns per operation, median of ${reps})`,
        nsPerOp: median,
        rmePercent: (100 * spread) / mean,
        p99NsPerOp: perOp[perOp.length - 1]!,
        samples: reps,
        opsPerSample: ops * run.countedPerOp,
      });
      process.stderr.write(
        `    ${subject.padEnd(12)} ${run.scenario.padEnd(18)} ${median.toFixed(1).padStart(8)} ns/op (wall, all workers)\n`,
      );
    } catch (error) {
      skipped.push({ scenario: run.scenario, subject, reason: describe(error) });
      process.stderr.write(`    ${subject} ${run.scenario}: FAILED ${describe(error)}\n`);
    }
  }
  return { figures, skipped };
}
