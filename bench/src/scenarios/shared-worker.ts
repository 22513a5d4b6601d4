/**
 * One worker of the shared-allocator throughput runs (scenarios/shared.ts). It warms up, waits at
 * the start line with the others, runs its share of operations and posts how many it did.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Backend, FixedPool, SharedFixedPoolDescriptor } from '@mempool/api';

export type Variant = 'lock-free' | 'mutex' | 'private';
export type Pattern = 'pairs' | 'producer' | 'consumer' | 'alone';

export interface ThroughputTask {
  readonly specifier: string;
  readonly variant: Variant;
  readonly pattern: Pattern;
  readonly ops: number;
  readonly descriptor: SharedFixedPoolDescriptor;
  /** [arrived, go, done] at words 0 to 2; the mutex word at 16; the ring's head at 32 and tail at 48, its slots from 64. */
  readonly control: SharedArrayBuffer;
}

export const ARRIVED = 0;
export const GO = 1;
/** Workers that finished their timed run: the main thread sleeps in `Atomics.wait` on it, off the cores. */
export const DONE = 2;
const LOCK = 16;
const HEAD = 32;
const TAIL = 48;
/** How many ring users are inside `pause`. */
const WAITING = 56;
const RING = 64;
export const RING_SLOTS = 1024;
export const CONTROL_BYTES = (RING + RING_SLOTS) * 4;
/** Handles the single-worker producer/consumer allocates and fills before it frees them. */
const BATCH = 32;
/** A `pairs` worker allocates this many handles, then frees them (issue 18's measure): `ops` counts pairs. */
export const BURST = 16;

/**
 * Waits a little for `words[at]` to leave `seen`: with two cores shared by every process on the
 * machine, a worker that only spun could hold the core its partner needs. The other side notifies
 * whenever someone is waiting.
 */
function pause(words: Int32Array, at: number, seen: number): void {
  Atomics.add(words, WAITING, 1);
  Atomics.wait(words, at, seen, 1);
  Atomics.sub(words, WAITING, 1);
}

/** A futex-style mutex over one word (0 free, 1 held, 2 held with waiters), as in Drepper's "Futexes are tricky". */
function lock(words: Int32Array): void {
  let c = Atomics.compareExchange(words, LOCK, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(words, LOCK, 2);
  while (c !== 0) {
    Atomics.wait(words, LOCK, 2);
    c = Atomics.exchange(words, LOCK, 2);
  }
}

function unlock(words: Int32Array): void {
  if (Atomics.sub(words, LOCK, 1) !== 1) {
    Atomics.store(words, LOCK, 0);
    Atomics.notify(words, LOCK, 1);
  }
}

/** The pool's calls as the variant makes them: straight, or each inside the mutex. */
function calls(pool: FixedPool, variant: Variant, words: Int32Array): { alloc: () => number; free: (h: number) => void } {
  if (variant !== 'mutex') return { alloc: () => pool.alloc(), free: (h) => pool.free(h) };
  return {
    alloc: () => {
      lock(words);
      const h = pool.alloc();
      unlock(words);
      return h;
    },
    free: (h) => {
      lock(words);
      pool.free(h);
      unlock(words);
    },
  };
}

function run(task: ThroughputTask, pool: FixedPool, words: Int32Array, ops: number): number {
  const { alloc, free } = calls(pool, task.variant, words);
  const f64 = new Float64Array(pool.memory);
  let acc = 0;
  if (task.pattern === 'pairs') {
    const burst = new Float64Array(BURST);
    for (let i = 0; i < ops; i += BURST) {
      for (let k = 0; k < BURST; k++) {
        const h = alloc();
        acc += h;
        burst[k] = h;
      }
      for (let k = 0; k < BURST; k++) free(burst[k]!);
    }
  } else if (task.pattern === 'alone') {
    // Producer and consumer in one thread: allocate and fill a batch, then free it.
    const batch = new Float64Array(BATCH);
    for (let i = 0; i < ops; i += BATCH) {
      for (let k = 0; k < BATCH; k++) {
        const h = alloc();
        f64.fill(k, h / 8, h / 8 + 8);
        batch[k] = h;
      }
      for (let k = 0; k < BATCH; k++) {
        acc += f64[batch[k]! / 8]!;
        free(batch[k]!);
      }
    }
  } else if (task.pattern === 'producer') {
    for (let i = 0; i < ops; i++) {
      let h = alloc();
      while (h === 0) h = alloc(); // the consumer is behind: the pool is empty until it frees
      f64.fill(i, h / 8, h / 8 + 8);
      const head = Atomics.load(words, HEAD);
      // Ring full: wait for the consumer to move the tail.
      for (let tail = Atomics.load(words, TAIL); head - tail >= RING_SLOTS; tail = Atomics.load(words, TAIL)) pause(words, TAIL, tail);
      Atomics.store(words, RING + (head % RING_SLOTS), h);
      Atomics.store(words, HEAD, head + 1);
      if (Atomics.load(words, WAITING) !== 0) Atomics.notify(words, HEAD);
    }
  } else {
    for (let i = 0; i < ops; i++) {
      const tail = Atomics.load(words, TAIL);
      // Ring empty: wait for the producer to move the head.
      for (let head = Atomics.load(words, HEAD); head === tail; head = Atomics.load(words, HEAD)) pause(words, HEAD, head);
      const h = Atomics.load(words, RING + (tail % RING_SLOTS));
      Atomics.store(words, TAIL, tail + 1);
      if (Atomics.load(words, WAITING) !== 0) Atomics.notify(words, TAIL);
      acc += f64[h / 8]!;
      free(h);
    }
  }
  return acc;
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'variant' in workerData) {
  const task = workerData as ThroughputTask;
  const { backend } = (await import(task.specifier)) as { backend: Backend };
  const words = new Int32Array(task.control);
  const d = task.descriptor;
  const pool: FixedPool =
    task.variant === 'private'
      ? backend.createFixedPool(d.objectSize, d.capacity, { align: d.align })
      : (backend.attachFixedPool(d) as unknown as FixedPool);
  // Warm up on a private pool of the same kind, so the timed run starts with optimized code and
  // leaves the measured pool's state as it found it.
  const warm: FixedPool =
    task.variant === 'private'
      ? backend.createFixedPool(64, 4096)
      : (backend.createFixedPool(64, 4096, { shared: true }) as unknown as FixedPool);
  const warmWords = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
  run({ ...task, pattern: task.pattern === 'alone' ? 'alone' : 'pairs' }, warm, warmWords, 200_000);
  Atomics.add(words, ARRIVED, 1);
  Atomics.notify(words, ARRIVED);
  while (Atomics.load(words, GO) === 0) Atomics.wait(words, GO, 0);
  const acc = run(task, pool, words, task.ops);
  Atomics.add(words, DONE, 1);
  Atomics.notify(words, DONE);
  parentPort.postMessage(acc);
}
