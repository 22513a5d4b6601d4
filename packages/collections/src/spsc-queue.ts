import { badHandle } from './checks.js';
import { batchRange, checkBatch, checkHandles, checkOut, HandleQueue } from './handle-queue.js';
import { W_CELLS, W_CLOSED, W_HEAD, W_TAIL } from './queue-layout.js';

/**
 * One producer, one consumer (an audio callback, a pipeline stage): a ring whose tail only the
 * producer writes and whose head only the consumer writes, so a call is a load, a store and no
 * compare-and-swap. Each side caches the other's index and reloads it only when the ring looks
 * full (or empty): a stale copy only ever undercounts, so the cache is always safe. Cells are
 * plain stores published by the sequentially consistent store of the index after them.
 *
 * More than one producer or more than one consumer at a time corrupts it: use the MPMC queue.
 */
export class SpscHandleQueue extends HandleQueue {
  private readonly cells: Uint32Array;
  private headSeen = 0;
  private tailSeen = 0;

  constructor(memory: SharedArrayBuffer, capacity: number) {
    super(memory, 'spsc', capacity);
    this.cells = new Uint32Array(memory, W_CELLS * 4, capacity);
    this.headSeen = Atomics.load(this.words, W_HEAD);
    this.tailSeen = Atomics.load(this.words, W_TAIL);
  }

  tryPush(handle: number): boolean {
    if (typeof handle !== 'number' || handle >>> 0 !== handle || handle === 0) throw badHandle(handle);
    const words = this.words;
    // Plain reads: `Atomics.load` is a call costing ~20 ns in Node 20's V8, not a move. The tail is
    // written only by the producer (this thread), and a close seen one push late is still a close.
    if (words[W_CLOSED] !== 0) return false;
    const tail = words[W_TAIL]!;
    if (((tail - this.headSeen) | 0) >= this.capacity) {
      this.headSeen = Atomics.load(words, W_HEAD);
      if (((tail - this.headSeen) | 0) >= this.capacity) return false;
    }
    this.cells[tail & this.mask] = handle;
    Atomics.store(words, W_TAIL, (tail + 1) | 0);
    this.wakePoppers();
    return true;
  }

  tryPop(): number {
    const words = this.words;
    const head = words[W_HEAD]!; // written only by the consumer (this thread)
    // Signed: a consumer role handed to this object from another leaves its copy behind the head.
    if (((this.tailSeen - head) | 0) <= 0) {
      this.tailSeen = Atomics.load(words, W_TAIL);
      if (this.tailSeen === head) return 0;
    }
    const handle = this.cells[head & this.mask]!;
    Atomics.store(words, W_HEAD, (head + 1) | 0);
    this.wakePushers();
    return handle;
  }

  /** One index store for the whole batch. */
  pushMany(handles: ArrayLike<number>, start?: number, end?: number): number {
    const [s, e] = batchRange('pushMany', checkBatch('handles', handles).length, start, end);
    checkHandles(handles, s, e);
    const words = this.words;
    if (words[W_CLOSED] !== 0) return 0;
    const tail = words[W_TAIL]!;
    this.headSeen = Atomics.load(words, W_HEAD);
    const n = Math.min(e - s, this.capacity - ((tail - this.headSeen) | 0));
    const cells = this.cells;
    const mask = this.mask;
    for (let k = 0; k < n; k++) cells[(tail + k) & mask] = handles[s + k]!;
    if (n > 0) {
      Atomics.store(words, W_TAIL, (tail + n) | 0);
      this.wakePoppers();
    }
    return n;
  }

  /** One index store for the whole batch. */
  popMany(out: Uint32Array, start?: number, end?: number): number {
    const [s, e] = batchRange('popMany', checkOut(out).length, start, end);
    const words = this.words;
    const head = words[W_HEAD]!;
    this.tailSeen = Atomics.load(words, W_TAIL);
    const n = Math.min(e - s, (this.tailSeen - head) | 0);
    const cells = this.cells;
    const mask = this.mask;
    for (let k = 0; k < n; k++) out[s + k] = cells[(head + k) & mask]!;
    if (n > 0) {
      Atomics.store(words, W_HEAD, (head + n) | 0);
      this.wakePushers();
    }
    return n;
  }

  get size(): number {
    return Math.max(0, Math.min(this.capacity, (Atomics.load(this.words, W_TAIL) - Atomics.load(this.words, W_HEAD)) | 0));
  }
}
