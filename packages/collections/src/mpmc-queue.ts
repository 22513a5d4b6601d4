import { badHandle } from './checks.js';
import { batchRange, checkBatch, checkHandles, checkOut, HandleQueue } from './handle-queue.js';
import { W_CELLS, W_CLOSED, W_HEAD, W_TAIL } from './queue-layout.js';

/**
 * Any number of producers and consumers (a scheduler's workers): Dmitry Vyukov's bounded MPMC
 * queue. Each cell carries a sequence number next to its handle: `pos` when it is free for the
 * push that claims position `pos`, `pos + 1` once that push has written it, and `pos + capacity`
 * once the pop has taken it, so a push or pop claims its position with one compare-and-swap on
 * the tail or head and then owns its cell alone. Positions are 32-bit and wrap; every comparison
 * is a signed difference, exact while the capacity is far below 2^31.
 */
export class MpmcHandleQueue extends HandleQueue {
  constructor(memory: SharedArrayBuffer, capacity: number) {
    super(memory, 'mpmc', capacity);
  }

  tryPush(handle: number): boolean {
    if (typeof handle !== 'number' || handle >>> 0 !== handle || handle === 0) throw badHandle(handle);
    const words = this.words;
    if (words[W_CLOSED] !== 0) return false; // a plain read: a close seen one push late is still a close
    const mask = this.mask;
    let pos = Atomics.load(words, W_TAIL);
    for (;;) {
      const cell = W_CELLS + 2 * (pos & mask);
      const dif = (Atomics.load(words, cell) - pos) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(words, W_TAIL, pos, (pos + 1) | 0);
        if (seen === pos) {
          words[cell + 1] = handle | 0;
          Atomics.store(words, cell, (pos + 1) | 0);
          this.wakePoppers();
          return true;
        }
        pos = seen;
      } else if (dif < 0) {
        return false; // the cell still holds the handle of a lap ago: full
      } else {
        pos = Atomics.load(words, W_TAIL);
      }
    }
  }

  tryPop(): number {
    const words = this.words;
    const mask = this.mask;
    let pos = Atomics.load(words, W_HEAD);
    for (;;) {
      const cell = W_CELLS + 2 * (pos & mask);
      const dif = (Atomics.load(words, cell) - ((pos + 1) | 0)) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(words, W_HEAD, pos, (pos + 1) | 0);
        if (seen === pos) {
          const handle = words[cell + 1]! >>> 0;
          Atomics.store(words, cell, (pos + mask + 1) | 0);
          this.wakePushers();
          return handle;
        }
        pos = seen;
      } else if (dif < 0) {
        return 0; // not written yet: empty
      } else {
        pos = Atomics.load(words, W_HEAD);
      }
    }
  }

  /** One claim per handle (cells are claimed one at a time in this design). */
  pushMany(handles: ArrayLike<number>, start?: number, end?: number): number {
    const [s, e] = batchRange('pushMany', checkBatch('handles', handles).length, start, end);
    checkHandles(handles, s, e);
    let k = s;
    while (k < e && this.tryPush(handles[k]!)) k++;
    return k - s;
  }

  popMany(out: Uint32Array, start?: number, end?: number): number {
    const [s, e] = batchRange('popMany', checkOut(out).length, start, end);
    let k = s;
    for (; k < e; k++) {
      const h = this.tryPop();
      if (h === 0) break;
      out[k] = h;
    }
    return k - s;
  }

  get size(): number {
    return Math.max(0, Math.min(this.capacity, (Atomics.load(this.words, W_TAIL) - Atomics.load(this.words, W_HEAD)) | 0));
  }
}
