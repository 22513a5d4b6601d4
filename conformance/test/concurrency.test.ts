import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { Backend, SharedArena, SharedFixedPool } from '@mempool/api';
import { linearizable, type PoolCall } from '../src/shared-allocators/linearizability.js';
import {
  HISTORY_FIELDS,
  RACE_DONE,
  RACE_HANDLE,
  RACE_ROUND,
  STAMP_WORDS,
  type StressReport,
  type StressTask,
} from '../src/shared-allocators/stress-worker.js';

// The concurrency suite: shared allocators used by more workers than this machine has cores, on
// every backend in the repository whose `supports.shared` is true. Each run's seed is printed when
// it fails; MEMPOOL_SEED=<n> replays one.

const WORKER = new URL('../dist/shared-allocators/stress-worker.js', import.meta.url);
const WORKERS = 6;
const OPS = 100_000;
/** The most slots one call moves at once between a holder's cache and the shared stack (docs/SHARED.md). */
const BATCH_SLOTS = 16;
const baseSeed = Number(process.env.MEMPOOL_SEED ?? Math.floor(Math.random() * 2 ** 31));

const packagesDir = new URL('../../packages/', import.meta.url);
const specifiers = readdirSync(packagesDir)
  .filter((dir) => dir.startsWith('backend-'))
  .map((dir) => (JSON.parse(readFileSync(new URL(`${dir}/package.json`, packagesDir), 'utf8')) as { name: string }).name);
const backends: { specifier: string; backend: Backend }[] = [];
for (const specifier of specifiers) {
  const { backend } = (await import(specifier)) as { backend: Backend };
  if (backend.supports.shared) backends.push({ specifier, backend });
}

function start(task: StressTask): { worker: Worker; done: Promise<StressReport>; exited: Promise<void> } {
  const worker = new Worker(WORKER, { workerData: task });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const done = new Promise<StressReport>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker ${task.id} exited with ${code} before reporting`)));
  });
  return { worker, done, exited };
}

/** Terminates a worker and waits for its 'exit' too: Bun's terminate() resolves before the worker stops. */
async function stop(run: { worker: Worker; exited: Promise<void> }): Promise<void> {
  await Promise.all([run.worker.terminate(), run.exited]);
}

/**
 * Whether `terminate()` stops a worker busy in synchronous code, tried on a worker spinning on a
 * shared counter. Deno 2.9's does not: the worker runs on after terminate() and 'exit', so a case
 * about workers killed mid-call cannot be run there (it would only measure workers that go on).
 */
async function terminateStopsBusyWorker(): Promise<boolean> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const source = `const { workerData } = require('node:worker_threads'); const c = new Int32Array(workerData); for (;;) Atomics.add(c, 0, 1);`;
  const run = { worker: new Worker(source, { eval: true, workerData: counter.buffer }), exited: Promise.resolve() };
  run.exited = new Promise((resolve) => run.worker.once('exit', () => resolve()));
  while (Atomics.load(counter, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await stop(run);
  const before = Atomics.load(counter, 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return Atomics.load(counter, 0) === before;
}

const TERMINATES = await terminateStopsBusyWorker();
if (!TERMINATES) {
  console.warn("concurrency: 'workers terminated mid-run' not run: worker.terminate() does not stop a busy worker on this runtime");
}

const sum = (reports: readonly StressReport[], key: 'allocs' | 'frees' | 'failed'): number => reports.reduce((n, r) => n + r[key], 0);

/** Takes every slot still free, checking each is distinct and held by nobody; returns how many. */
function drain(pool: SharedFixedPool, context: string): number {
  const words = new Int32Array(pool.memory);
  const seen = new Set<number>();
  for (let h = pool.alloc(); h !== 0; h = pool.alloc()) {
    expect(seen.has(h), `${context}: ${h} handed out twice`).toBe(false);
    expect(Atomics.compareExchange(words, h / 4, 0, -1), `${context}: ${h} is held by a worker`).toBe(0);
    seen.add(h);
  }
  for (const h of seen) {
    Atomics.store(words, h / 4, 0);
    pool.free(h);
  }
  return seen.size;
}

describe('the linearizability checker', () => {
  const handleOf = (index: number): number => 64 + index * 8;
  const alloc = (result: number, invoked: number, returned: number, worker = 0): PoolCall => ({
    kind: 'alloc',
    worker,
    handle: 0,
    result,
    invoked,
    returned,
  });
  const free = (handle: number, result: number, invoked: number, returned: number, worker = 0): PoolCall => ({
    kind: 'free',
    worker,
    handle,
    result,
    invoked,
    returned,
  });
  it('accepts overlapping calls in whichever order explains them', () => {
    expect(linearizable([alloc(72, 0, 3), alloc(64, 1, 2, 1)], 2, handleOf)).toBe(true);
  });
  it('refuses one slot handed to two overlapping calls', () => {
    expect(linearizable([alloc(64, 0, 3), alloc(64, 1, 2, 1)], 2, handleOf)).toBe(false);
  });
  it('refuses a handle that names no slot', () => {
    expect(linearizable([alloc(68, 0, 1)], 2, handleOf)).toBe(false);
    expect(linearizable([alloc(80, 0, 1)], 2, handleOf)).toBe(false);
  });
  it('accepts any free slot, holds frees to exactly once', () => {
    const calls = [alloc(64, 0, 1), alloc(72, 2, 3), free(64, 1, 4, 5), free(72, 1, 6, 7)];
    expect(linearizable([...calls, alloc(72, 8, 9)], 2, handleOf)).toBe(true);
    expect(linearizable([...calls, alloc(64, 8, 9)], 2, handleOf)).toBe(true);
    expect(linearizable([...calls, free(72, 1, 8, 9)], 2, handleOf)).toBe(false);
    expect(linearizable([...calls, free(72, -1, 8, 9)], 2, handleOf)).toBe(true);
    expect(linearizable([alloc(64, 0, 1), free(64, 1, 2, 5, 1), free(64, 1, 3, 4, 2)], 2, handleOf)).toBe(false);
  });
  it('refuses a live slot handed out again', () => {
    expect(linearizable([alloc(64, 0, 1), alloc(72, 2, 3), free(72, 1, 4, 5), alloc(64, 6, 7)], 2, handleOf)).toBe(false);
  });
  it('accepts 0 from a full pool, or while another holder frees; refuses it with a slot free and no free racing', () => {
    expect(linearizable([alloc(64, 0, 1), alloc(72, 2, 3), alloc(0, 4, 5)], 2, handleOf)).toBe(true);
    expect(linearizable([alloc(64, 0, 1), alloc(0, 2, 3)], 2, handleOf)).toBe(false);
    const full = [alloc(64, 0, 1), alloc(72, 2, 3)];
    expect(linearizable([...full, free(72, 1, 4, 6, 1), alloc(0, 5, 9)], 2, handleOf)).toBe(true);
    expect(linearizable([...full, free(72, 1, 4, 5, 1), alloc(72, 6, 7, 2), alloc(0, 8, 9)], 2, handleOf)).toBe(true);
    expect(linearizable([...full, free(72, 1, 4, 5, 1), alloc(0, 6, 7)], 2, handleOf)).toBe(false);
  });
});

describe('concurrency', () => {
  it('runs on every backend whose supports.shared is true', () => {
    expect(specifiers.length).toBeGreaterThan(0);
    for (const { backend } of backends) expect(backend.supports.shared).toBe(true);
  });
  for (const { specifier, backend } of backends) {
    describe(`concurrency ${backend.name}`, () => {
      it(`${WORKERS} workers x ${OPS} alloc/free each, stamping every slot they hold, conserve every slot`, async () => {
        const seed = baseSeed;
        const pool = backend.createFixedPool(STAMP_WORDS * 4, 64, { shared: true, align: 4 });
        const descriptor = pool.share();
        const barrier = new SharedArrayBuffer(4);
        const runs = Array.from({ length: WORKERS }, (_, id) =>
          start({ specifier, task: 'pool', id, seed: seed + id, ops: OPS, descriptor, barrier, workers: WORKERS }),
        );
        const reports = await Promise.all(runs.map((r) => r.done));
        const context = `seed ${seed} (MEMPOOL_SEED=${seed} replays it)`;
        expect(
          reports.flatMap((r) => r.errors),
          context,
        ).toEqual([]);
        expect(pool.stats(), context).toMatchObject({
          allocated: 0,
          available: 64,
          allocCount: sum(reports, 'allocs'),
          freeCount: sum(reports, 'frees'),
          failedAllocs: sum(reports, 'failed'),
        });
        expect(pool.stats().peakAllocated, context).toBeLessThanOrEqual(64);
        expect(drain(pool, context), context).toBe(64);
        pool.destroy();
      });

      it(`${WORKERS} workers racing to free one handle: exactly one succeeds, the others get ERR_MEMPOOL_DOUBLE_FREE`, async () => {
        const rounds = 600;
        const pool = backend.createFixedPool(8, 4, { shared: true });
        const control = new SharedArrayBuffer(16);
        const words = new Int32Array(control);
        const descriptor = pool.share();
        const runs = Array.from({ length: WORKERS }, (_, id) =>
          start({ specifier, task: 'race', id, seed: baseSeed, ops: 0, descriptor, control, rounds }),
        );
        for (let round = 1; round <= rounds; round++) {
          const handle = pool.alloc();
          expect(handle).not.toBe(0);
          Atomics.store(words, RACE_HANDLE, handle);
          Atomics.store(words, RACE_ROUND, round);
          Atomics.notify(words, RACE_ROUND);
          for (let done = Atomics.load(words, RACE_DONE); done < WORKERS * round; done = Atomics.load(words, RACE_DONE)) {
            Atomics.wait(words, RACE_DONE, done, 1000);
          }
        }
        const reports = await Promise.all(runs.map((r) => r.done));
        for (let round = 0; round < rounds; round++) {
          const outcomes = reports.map((r) => r.outcomes![round]!).sort();
          expect(outcomes, `round ${round + 1}`).toEqual([1, ...Array<number>(WORKERS - 1).fill(2)]);
        }
        expect(pool.stats()).toMatchObject({ allocated: 0, allocCount: rounds, freeCount: rounds });
        pool.destroy();
      });

      // Registered only where terminate() stops a busy worker (see TERMINATES): never a skipped case.
      if (TERMINATES)
        it('workers terminated mid-run leave the others working, and their slots are never handed out twice', async () => {
          const seed = baseSeed + 1000;
          const killed = 2;
          const pool = backend.createFixedPool(STAMP_WORDS * 4, 64, { shared: true, align: 4 });
          const descriptor = pool.share();
          const barrier = new SharedArrayBuffer(4);
          const runs = Array.from({ length: WORKERS }, (_, id) =>
            start({ specifier, task: 'pool', id, seed: seed + id, ops: id < killed ? 1e9 : OPS, descriptor, barrier, workers: WORKERS }),
          );
          for (const run of runs.slice(0, killed)) run.done.catch(() => undefined);
          // Terminate only workers past the start barrier: one killed while still importing (slow on a
          // loaded machine) never arrives, and the others would wait for it forever.
          const arrived = new Int32Array(barrier);
          while (Atomics.load(arrived, 0) < WORKERS) await new Promise((resolve) => setTimeout(resolve, 10));
          await new Promise((resolve) => setTimeout(resolve, 600));
          await Promise.all(runs.slice(0, killed).map(stop));
          const reports = await Promise.all(runs.slice(killed).map((r) => r.done));
          const context = `seed ${seed} (MEMPOOL_SEED=${seed - 1000} replays it)`;
          expect(
            reports.flatMap((r) => r.errors),
            context,
          ).toEqual([]);
          const { allocated, available } = pool.stats();
          expect(allocated + available, context).toBe(64);
          // A worker stopped inside a call can leave what that call was moving neither counted nor
          // reachable: one slot, or one batch between its cache and the shared stack (docs/SHARED.md).
          // The slots parked in the dead workers' caches are taken by drain's allocs before "full".
          const free = drain(pool, context);
          expect(free, context).toBeLessThanOrEqual(available);
          expect(free, context).toBeGreaterThanOrEqual(available - killed * BATCH_SLOTS);
          // The dead workers' slots leak until reset, and reset gives every one of them back.
          pool.reset();
          new Int32Array(pool.memory).fill(0);
          expect(drain(pool, context), context).toBe(64);
          pool.destroy();
        });

      it("a terminated worker's parked slots are taken by the others before full, never twice; the slots it held stay out until reset", async () => {
        const pool = backend.createFixedPool(16, 64, { shared: true });
        const run = start({
          specifier,
          task: 'park',
          id: 7,
          seed: baseSeed,
          ops: 40,
          keep: 10,
          descriptor: pool.share(),
          barrier: new SharedArrayBuffer(4),
        });
        run.done.catch(() => undefined);
        const report = await run.done;
        expect(report.errors).toEqual([]);
        await run.worker.terminate();
        const kept = new Set(report.ranges);
        expect(pool.stats()).toMatchObject({ allocated: 10, available: 54, allocCount: 40, freeCount: 30 });
        // 24 untouched slots, then the 30 parked in the dead holder's cache: drain checks each is
        // unstamped and distinct, so none of the 10 it kept comes back.
        expect(drain(pool, 'after the terminate')).toBe(54);
        for (const handle of kept) expect(new Int32Array(pool.memory)[handle / 4]).toBe(8);
        expect(pool.stats()).toMatchObject({ allocated: 10, available: 54, failedAllocs: 1 });
        pool.reset();
        new Int32Array(pool.memory).fill(0);
        expect(drain(pool, 'after reset')).toBe(64);
        pool.destroy();
      });

      it('short histories of 3 workers on a 3-slot pool are linearizable to the set model', async () => {
        const seed = baseSeed + 3000;
        const rounds = 200;
        const workers = 3;
        const ops = 4;
        const pools = Array.from({ length: rounds }, () => backend.createFixedPool(8, 3, { shared: true }));
        const control = new SharedArrayBuffer(8);
        const runs = Array.from({ length: workers }, (_, id) =>
          start({
            specifier,
            task: 'history',
            id,
            seed: seed + id,
            ops,
            descriptor: pools[0]!.share(),
            rounds_: pools.map((p) => p.share()),
            control,
            workers,
          }),
        );
        const reports = await Promise.all(runs.map((r) => r.done));
        const context = `seed ${seed} (MEMPOOL_SEED=${seed - 3000} replays it)`;
        expect(
          reports.flatMap((r) => r.errors),
          context,
        ).toEqual([]);
        const byRound: PoolCall[][] = pools.map(() => []);
        for (const { history } of reports) {
          for (let k = 0; k < history!.length; k += HISTORY_FIELDS) {
            const [round, worker, kind, handle, result, invoked, returned] = history!.slice(k, k + HISTORY_FIELDS) as number[];
            byRound[round!]!.push({
              kind: (['alloc', 'free', 'destroy'] as const)[kind!]!,
              worker: worker!,
              handle: handle!,
              result: result!,
              invoked: invoked!,
              returned: returned!,
            });
          }
        }
        const pool = pools[0]!;
        const handleOf = (index: number): number => pool.dataOffset + index * pool.slotSize;
        const refused = byRound.flatMap((calls, round) => (linearizable(calls, 3, handleOf) ? [] : [{ round, calls }]));
        expect(refused.slice(0, 1), context).toEqual([]);
        for (const p of pools) p.destroy();
      });

      it(`${WORKERS} workers x ${OPS} arena allocations: none overlap, all aligned and in bounds`, async () => {
        const seed = baseSeed + 2000;
        const arena: SharedArena = backend.createArena(16 * 1024 * 1024, { shared: true });
        const descriptor = arena.share();
        const barrier = new SharedArrayBuffer(4);
        const runs = Array.from({ length: WORKERS }, (_, id) =>
          start({ specifier, task: 'arena', id, seed: seed + id, ops: OPS, descriptor, barrier, workers: WORKERS }),
        );
        const reports = await Promise.all(runs.map((r) => r.done));
        const context = `seed ${seed} (MEMPOOL_SEED=${seed - 2000} replays it)`;
        expect(
          reports.flatMap((r) => r.errors),
          context,
        ).toEqual([]);
        const ranges: [number, number][] = [];
        for (const r of reports) for (let k = 0; k < r.ranges!.length; k += 2) ranges.push([r.ranges![k]!, r.ranges![k + 1]!]);
        ranges.sort((a, b) => a[0] - b[0]);
        let end = arena.dataOffset;
        const overlaps: string[] = [];
        for (const [startAt, size] of ranges) {
          if (startAt < end) overlaps.push(`allocation at ${startAt} overlaps the one ending at ${end}`);
          end = startAt + size;
        }
        expect(overlaps.slice(0, 5), context).toEqual([]);
        const stats = arena.stats();
        expect(end - arena.dataOffset, context).toBeLessThanOrEqual(stats.offset);
        expect(stats.offset, context).toBeLessThanOrEqual(arena.bufferSize);
        expect(stats, context).toMatchObject({ allocations: ranges.length, failedAllocs: sum(reports, 'failed') });
        arena.destroy();
      });
    });
  }
});
