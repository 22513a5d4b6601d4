/**
 * One worker of the queue throughput runs (scenarios/queue.ts): a producer sends `ops` handles, a
 * consumer takes them until the queue is closed and drained (or, for a port or the ring, until it
 * has `ops`). It warms up on a private queue, waits at the start line, runs, and posts its count.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { attachHandleQueue, createHandleQueue, type HandleQueue, type HandleQueueDescriptor } from '@mempool/collections';

export type Carrier = 'spsc' | 'spsc-batch' | 'mpmc' | 'ring' | 'post';

export interface QueueTask {
  readonly carrier: Carrier;
  readonly role: 'producer' | 'consumer';
  readonly ops: number;
  /** [arrived, go] at words 0 and 1; the hand-written ring's words from 16. */
  readonly control: SharedArrayBuffer;
  readonly queue?: HandleQueueDescriptor;
  readonly port?: MessagePort;
}

export const ARRIVED = 0;
export const GO = 1;
const BATCH = 64;

// The ring scenarios/shared-worker.ts passes handles through (there between pool calls): head and
// tail words, a waiting count, 1024 slots, and a 1 ms Atomics.wait when the other side is behind.
const HEAD = 16;
const TAIL = 32;
const WAITING = 48;
const RING = 64;
const RING_SLOTS = 1024;
export const CONTROL_BYTES = (RING + RING_SLOTS) * 4;

function pause(words: Int32Array, at: number, seen: number): void {
  Atomics.add(words, WAITING, 1);
  Atomics.wait(words, at, seen, 1);
  Atomics.sub(words, WAITING, 1);
}

function ringPush(words: Int32Array, h: number): void {
  const head = Atomics.load(words, HEAD);
  for (let tail = Atomics.load(words, TAIL); head - tail >= RING_SLOTS; tail = Atomics.load(words, TAIL)) pause(words, TAIL, tail);
  Atomics.store(words, RING + (head % RING_SLOTS), h);
  Atomics.store(words, HEAD, head + 1);
  if (Atomics.load(words, WAITING) !== 0) Atomics.notify(words, HEAD);
}

function ringPop(words: Int32Array): number {
  const tail = Atomics.load(words, TAIL);
  for (let head = Atomics.load(words, HEAD); head === tail; head = Atomics.load(words, HEAD)) pause(words, HEAD, head);
  const h = Atomics.load(words, RING + (tail % RING_SLOTS));
  Atomics.store(words, TAIL, tail + 1);
  if (Atomics.load(words, WAITING) !== 0) Atomics.notify(words, TAIL);
  return h;
}

function produce(q: HandleQueue, ops: number, batch: boolean): void {
  if (!batch) {
    for (let i = 1; i <= ops; i++) if (!q.push(i)) throw new Error('closed under the producer');
    return;
  }
  const buf = new Uint32Array(BATCH);
  for (let i = 0; i < ops; ) {
    const n = Math.min(BATCH, ops - i);
    for (let k = 0; k < n; k++) buf[k] = i + k + 1;
    let done = q.pushMany(buf, 0, n);
    while (done < n) {
      if (!q.push(buf[done]!)) throw new Error('closed under the producer');
      done++;
      done += q.pushMany(buf, done, n);
    }
    i += n;
  }
}

function consume(q: HandleQueue, batch: boolean): number {
  let got = 0;
  let acc = 0;
  if (batch) {
    const out = new Uint32Array(BATCH);
    for (;;) {
      const n = q.popMany(out);
      if (n > 0) {
        for (let k = 0; k < n; k++) acc += out[k]!;
        got += n;
        continue;
      }
      const h = q.pop();
      if (h === 0) break;
      acc += h;
      got++;
    }
  } else {
    for (let h = q.pop(); h !== 0; h = q.pop()) {
      acc += h;
      got++;
    }
  }
  if (acc < got) throw new Error('a handle came out as 0');
  return got;
}

async function run(task: QueueTask, words: Int32Array): Promise<number> {
  const { carrier, role, ops } = task;
  if (carrier === 'post') {
    const port = task.port!;
    if (role === 'producer') {
      for (let i = 1; i <= ops; i++) port.postMessage(i);
      return ops;
    }
    return new Promise((resolve) => {
      let got = 0;
      port.on('message', () => {
        if (++got === ops) {
          port.close();
          resolve(got);
        }
      });
    });
  }
  if (carrier === 'ring') {
    if (role === 'producer') for (let i = 1; i <= ops; i++) ringPush(words, i);
    else for (let i = 0; i < ops; i++) ringPop(words);
    return ops;
  }
  const q = attachHandleQueue(task.queue);
  if (role === 'producer') {
    produce(q, ops, carrier === 'spsc-batch');
    return ops;
  }
  return consume(q, carrier === 'spsc-batch');
}

/** Both sides in one thread on a private queue or ring, so the timed run starts optimized. */
function warmUp(carrier: Carrier): void {
  if (carrier === 'post') return;
  if (carrier === 'ring') {
    const words = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    for (let i = 1; i <= 200_000; i++) {
      ringPush(words, i);
      ringPop(words);
    }
    return;
  }
  const q = createHandleQueue(1024, { mode: carrier === 'mpmc' ? 'mpmc' : 'spsc' });
  for (let r = 0; r < 400; r++) {
    produce(q, 500, carrier === 'spsc-batch');
    const out = new Uint32Array(BATCH);
    while (q.popMany(out) > 0 || q.tryPop() !== 0);
  }
  q.close();
  consume(q, carrier === 'spsc-batch');
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'carrier' in workerData) {
  const task = workerData as QueueTask;
  const words = new Int32Array(task.control);
  warmUp(task.carrier);
  Atomics.add(words, ARRIVED, 1);
  Atomics.notify(words, ARRIVED);
  while (Atomics.load(words, GO) === 0) Atomics.wait(words, GO, 0);
  parentPort.postMessage(await run(task, words));
}
