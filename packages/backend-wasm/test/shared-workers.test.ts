// Shared allocators used from several workers at once (more workers than this machine's cores):
// every slot a worker holds keeps its stamp, slots are conserved, racing frees of one handle give
// exactly one success, and no two arena allocations overlap. Seeds are printed on failure.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@mempool/api';
import { createArena, createFixedPool } from '../src/index.js';

const WORKER = new URL('./shared-worker.mjs', import.meta.url);
const WORKERS = 4;

/** Starts one worker per job, opens the gate once all wait at it, and collects their reports. */
async function runWorkers<T>(jobs: Record<string, unknown>[]): Promise<T[]> {
  const gate = new SharedArrayBuffer(8);
  const word = new Int32Array(gate);
  const workers = jobs.map((data) => new Worker(WORKER, { workerData: { ...data, gate } }));
  const reports = workers.map(
    (worker) =>
      new Promise<T>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  while (Atomics.load(word, 1) < jobs.length) await new Promise((resolve) => setTimeout(resolve, 1));
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
  try {
    return await Promise.all(reports);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

describe('shared allocators across workers', () => {
  it(`${WORKERS} workers x 100,000 operations: every held slot keeps its stamp, slots are conserved`, async () => {
    const seed = Date.now() >>> 0;
    const pool = createFixedPool(8, 96, { shared: true });
    const reports = await runWorkers<{ bad: number; failures: number }>(
      Array.from({ length: WORKERS }, (_, id) => ({ job: 'stamp', descriptor: pool.share(), id: id + 1, ops: 100_000, seed: seed + id })),
    );
    expect(reports.map((r) => r.bad), `seed ${seed}`).toEqual(reports.map(() => 0));
    const stats = pool.stats();
    expect(stats, `seed ${seed}`).toMatchObject({ allocated: 0, available: 96, failedAllocs: reports.reduce((sum, r) => sum + r.failures, 0) });
    expect(stats.freeCount, `seed ${seed}`).toBe(stats.allocCount);
    const all = new Float64Array(97);
    expect(pool.allocMany(all), `seed ${seed}`).toBe(96);
    expect(new Set(all.subarray(0, 96)).size).toBe(96);
    pool.destroy();
  }, 60_000);

  it('K workers racing to free one handle: exactly one succeeds, the others get DOUBLE_FREE', async () => {
    const pool = createFixedPool(16, 4, { shared: true });
    for (let round = 0; round < 5; round++) {
      const handle = pool.alloc();
      const reports = await runWorkers<{ won: boolean; code?: string }>(
        Array.from({ length: WORKERS }, () => ({ job: 'race', descriptor: pool.share(), handle })),
      );
      expect(reports.filter((r) => r.won)).toHaveLength(1);
      expect(reports.filter((r) => !r.won).map((r) => r.code)).toEqual(Array(WORKERS - 1).fill(ErrorCode.DOUBLE_FREE));
      expect(pool.stats().allocated).toBe(0);
    }
    pool.destroy();
  }, 60_000);

  it(`${WORKERS} workers bumping one arena: no two allocations overlap, all aligned, offset accounts for them`, async () => {
    const seed = Date.now() >>> 0;
    const arena = createArena(4 * 100_000 * 16, { shared: true });
    const reports = await runWorkers<{ ranges: number[] }>(
      Array.from({ length: WORKERS }, (_, id) => ({ job: 'bump', descriptor: arena.share(), ops: 100_000, seed: seed + id })),
    );
    const ranges = reports.flatMap((r) => r.ranges);
    expect(ranges.includes(-1), `seed ${seed}: a misaligned allocation`).toBe(false);
    const pairs: [number, number][] = [];
    for (let k = 0; k < ranges.length; k += 2) pairs.push([ranges[k]!, ranges[k + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    let overlaps = 0;
    for (let k = 1; k < pairs.length; k++) if (pairs[k]![0] < pairs[k - 1]![1]) overlaps++;
    expect(overlaps, `seed ${seed}`).toBe(0);
    expect(arena.stats().allocations).toBe(pairs.length);
    expect(arena.stats().offset).toBeGreaterThanOrEqual(pairs[pairs.length - 1]![1] - arena.dataOffset);
    arena.destroy();
  }, 60_000);
});
