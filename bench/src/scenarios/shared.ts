/**
 * Shared allocators: a shared pool's single-thread pair (tinybench, against the
 * unshared `pool.pair` of the same run), then throughput with 1 and 2 workers on alloc/free pairs
 * and on a producer/consumer pattern (one worker allocates and fills, another frees), for the
 * lock-free pool, the same pool behind an `Atomics.wait` mutex, and (pairs only: a private pool
 * cannot take another worker's frees) one private pool per worker. A throughput figure is wall
 * nanoseconds per operation with all workers together, so lower is better and 1-worker / 2-worker
 * is the speed-up.
 */
import { Worker } from 'node:worker_threads';
import type { Backend, BackendModule, FixedPool } from '@mempool/api';
import { describe, measure } from '../measure.js';
import type { Budget, Figure, Skip } from '../types.js';
import { pairCase } from './pool.js';
import { ARRIVED, CONTROL_BYTES, GO, type Pattern, type ThroughputTask, type Variant } from './shared-worker.js';

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
  const workers = patterns.map((pattern) => {
    const task: ThroughputTask = { specifier, variant, pattern, ops, descriptor: pool.share(), control };
    const worker = new Worker(WORKER, { workerData: task });
    const done = new Promise<number>((resolve, reject) => {
      worker.once('message', () => resolve(performance.now()));
      worker.once('error', reject);
    });
    return done;
  });
  while (Atomics.load(words, ARRIVED) < patterns.length) await new Promise((r) => setTimeout(r, 5));
  const start = performance.now();
  Atomics.store(words, GO, 1);
  Atomics.notify(words, GO);
  const ends = await Promise.all(workers);
  const stats = pool.stats();
  if (variant !== 'private' && stats.allocated !== 0) throw new Error(`${stats.allocated} slots still allocated after the run`);
  pool.destroy();
  return Math.max(...ends) - start;
}

interface Run {
  readonly scenario: string;
  readonly unit: string;
  readonly variant: Variant;
  readonly patterns: readonly Pattern[];
  /** Operations the figure counts, per `ops` each worker is given. */
  readonly countedPerOp: number;
}

const RUNS: readonly Run[] = (['lock-free', 'mutex', 'private'] as const).flatMap((variant) => [
  { scenario: 'shared.pairs.1w', unit: 'alloc()+free() pair, 1 worker', variant, patterns: ['pairs'], countedPerOp: 1 },
  { scenario: 'shared.pairs.2w', unit: 'alloc()+free() pair, 2 workers together', variant, patterns: ['pairs', 'pairs'], countedPerOp: 2 },
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
  for (const run of RUNS) {
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
