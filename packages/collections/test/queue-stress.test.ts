import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createHandleQueue, type QueueMode } from '../src/index.js';

const WORKER = new URL('./fixtures/stress-worker.mjs', import.meta.url);

interface Plan {
  readonly mode: QueueMode;
  readonly producers: number;
  readonly consumers: number;
  readonly capacity: number;
  readonly count: number;
  readonly batch: number;
  readonly seed: number;
  /** Consumers spin on `tryPop` and never sleep: the most contention on the head. */
  readonly spin?: boolean;
}

/** Runs one worker to its end; its message is how many handles it pushed or popped. */
function run(data: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: data });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker exited with ${code}`))));
  });
}

/**
 * Producers push `count` stamped handles each (single pushes and batches, blocking when full),
 * consumers pop until the queue is closed and drained (blocking and batch pops); every stamp must
 * be tallied exactly once.
 */
async function stress(plan: Plan): Promise<void> {
  // The seed decides every worker's call mix: printed so a failure replays (STRESS_SEED=...).
  console.log(`queue stress ${JSON.stringify(plan)}`);
  const queue = createHandleQueue(plan.capacity, { mode: plan.mode });
  const tally = new SharedArrayBuffer(plan.producers * plan.count);
  const descriptor = queue.share();
  const common = { descriptor, count: plan.count, batch: plan.batch, tally };
  const producers = Array.from({ length: plan.producers }, (_, p) =>
    run({ ...common, role: 'producer', producer: p + 1, seed: plan.seed + 7919 * (p + 1) }),
  );
  const consumers = Array.from({ length: plan.consumers }, (_, c) =>
    run({ ...common, role: 'consumer', seed: plan.seed + 104729 * (c + 1), spin: plan.spin === true }),
  );
  const pushed = await Promise.all(producers);
  queue.close();
  const popped = await Promise.all(consumers);
  expect(pushed.reduce((a, b) => a + b, 0)).toBe(plan.producers * plan.count);
  expect(
    popped.reduce((a, b) => a + b, 0),
    `seed ${plan.seed}`,
  ).toBe(plan.producers * plan.count);
  const tallies = new Uint8Array(tally);
  const lost = tallies.indexOf(0);
  const twice = tallies.findIndex((t) => t > 1);
  expect({ lost, twice }, `seed ${plan.seed}`).toEqual({ lost: -1, twice: -1 });
  expect(queue.size).toBe(0);
}

const seed = Number(process.env['STRESS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe('HandleQueue across workers', () => {
  it('SPSC: 1 producer, 1 consumer, no handle lost or duplicated', { timeout: 60_000 }, async () => {
    await stress({ mode: 'spsc', producers: 1, consumers: 1, capacity: 64, count: 200_000, batch: 16, seed });
  });

  it('MPMC: 3 producers, 3 consumers, no handle lost or duplicated', { timeout: 60_000 }, async () => {
    await stress({ mode: 'mpmc', producers: 3, consumers: 3, capacity: 32, count: 60_000, batch: 8, seed });
  });

  it('MPMC: 2 producers, 3 spinning consumers racing for every cell', { timeout: 60_000 }, async () => {
    await stress({ mode: 'mpmc', producers: 2, consumers: 3, capacity: 4, count: 50_000, batch: 4, seed, spin: true });
  });

  it('MPMC: 4 producers, 1 consumer through a queue of 2 cells', { timeout: 60_000 }, async () => {
    await stress({ mode: 'mpmc', producers: 4, consumers: 1, capacity: 2, count: 20_000, batch: 4, seed });
  });
});
