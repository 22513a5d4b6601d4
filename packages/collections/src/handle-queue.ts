import { invalidRange, invalidType } from '@mempool/api';
import { badHandle } from './checks.js';
import {
  W_CAPACITY,
  W_CLOSED,
  W_FORMAT,
  W_MAGIC,
  W_MODE,
  W_POP_WAITERS,
  W_POPPED,
  W_PUSH_WAITERS,
  W_PUSHED,
  MAGIC,
  QUEUE_FORMAT,
  type QueueMode,
} from './queue-layout.js';

/** What `share()` returns and `attachHandleQueue()` takes: post it to a worker. */
export interface HandleQueueDescriptor {
  readonly kind: 'HandleQueue';
  readonly format: number;
  readonly mode: QueueMode;
  readonly capacity: number;
  readonly memory: SharedArrayBuffer;
}

type WaitAsync = (
  typedArray: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

/**
 * Tries before a blocking call announces itself and sleeps: the other side is usually a few
 * hundred nanoseconds from freeing a cell or filling one, far less than a futex sleep and wake
 * (microseconds), so a short spin keeps both sides out of the kernel. Measured in bench `queue.*`.
 */
const SPINS = 256;

/** The longest a blocked push sleeps before it looks for a free cell again (see `wakePushers`). */
const PUSH_RECHECK_MS = 1;

/** Polls when `Atomics.waitAsync` is missing (Firefox before 145, older Safari): 1 ms, doubling to 16. */
const POLL_MAX_MS = 16;

/**
 * A bounded queue of handles (non-null u32) in a `SharedArrayBuffer`, for passing handles of a
 * shared pool between workers. The non-blocking calls (`tryPush`, `tryPop`, `pushMany`, `popMany`)
 * are the variant's; blocking (`push`, `pop`, for workers) and awaited (`popAsync`, for a main
 * thread) ones are built on them here. A side about to sleep raises a flag, so a call
 * that finds nobody waiting costs one extra load and no notify.
 */
export abstract class HandleQueue {
  readonly capacity: number;
  readonly mode: QueueMode;
  readonly memory: SharedArrayBuffer;
  protected readonly words: Int32Array;
  protected readonly mask: number;

  protected constructor(memory: SharedArrayBuffer, mode: QueueMode, capacity: number) {
    this.memory = memory;
    this.mode = mode;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.words = new Int32Array(memory);
  }

  /** Adds `handle` unless the queue is full or closed (false then; `closed` says which). */
  abstract tryPush(handle: number): boolean;
  /** The oldest handle, or 0 if the queue is empty. */
  abstract tryPop(): number;
  /** Pushes `handles[start..end)` in order until the queue is full; returns how many it pushed. */
  abstract pushMany(handles: ArrayLike<number>, start?: number, end?: number): number;
  /** Pops into `out[start..end)` until the queue is empty; returns how many it popped. */
  abstract popMany(out: Uint32Array, start?: number, end?: number): number;
  /** Handles in the queue now (a snapshot: other threads move it). */
  abstract get size(): number;

  get closed(): boolean {
    return Atomics.load(this.words, W_CLOSED) !== 0;
  }

  /**
   * Closes the queue: pushes fail from now on, pops drain what is left and then return 0, and
   * every blocked or awaiting caller wakes.
   */
  close(): void {
    const words = this.words;
    Atomics.store(words, W_CLOSED, 1);
    Atomics.add(words, W_PUSHED, 1);
    Atomics.add(words, W_POPPED, 1);
    Atomics.notify(words, W_PUSHED);
    Atomics.notify(words, W_POPPED);
  }

  /** Everything another thread needs to attach the same queue. */
  share(): HandleQueueDescriptor {
    return { kind: 'HandleQueue', format: QUEUE_FORMAT, mode: this.mode, capacity: this.capacity, memory: this.memory };
  }

  /**
   * Pops, blocking with `Atomics.wait` while the queue is empty: for workers (a browser's main
   * thread cannot block; use `popAsync` there). Returns 0 once the queue is closed and drained, or
   * when `timeoutMs` passes.
   */
  pop(timeoutMs = Number.POSITIVE_INFINITY): number {
    checkTimeout(timeoutMs);
    for (let i = 0; i < SPINS; i++) {
      const h = this.tryPop();
      if (h !== 0) return h;
    }
    const words = this.words;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Raise the flag, read the word, try again, and only then sleep: a push after the try sees
      // the flag and bumps the word, so the wait returns at once instead of missing it.
      Atomics.store(words, W_POP_WAITERS, 1);
      const seen = Atomics.load(words, W_PUSHED);
      const h = this.tryPop();
      if (h !== 0 || Atomics.load(words, W_CLOSED) !== 0) return h;
      const left = deadline - performance.now();
      if (left <= 0) return 0;
      // A push lowered the flag after we raised it (and woke those asleep then): raise it again,
      // or the next push, seeing it down, would leave us asleep beside a handle.
      if (Atomics.load(words, W_POP_WAITERS) === 0) continue;
      Atomics.wait(words, W_PUSHED, seen, left);
    }
  }

  /**
   * Pushes, blocking while the queue is full (workers only, as `pop`). False if the queue is or
   * gets closed, or `timeoutMs` passes.
   */
  push(handle: number, timeoutMs = Number.POSITIVE_INFINITY): boolean {
    checkTimeout(timeoutMs);
    for (let i = 0; i < SPINS; i++) if (this.tryPush(handle)) return true;
    const words = this.words;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      Atomics.store(words, W_PUSH_WAITERS, 1);
      const seen = Atomics.load(words, W_POPPED);
      if (this.tryPush(handle)) return true;
      if (Atomics.load(words, W_CLOSED) !== 0) return false;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      if (Atomics.load(words, W_PUSH_WAITERS) === 0) continue; // lowered since: raise it again, as in `pop`
      Atomics.wait(words, W_POPPED, seen, Math.min(left, PUSH_RECHECK_MS));
    }
  }

  /**
   * Pops without blocking the thread: resolves with the next handle, or 0 once the queue is closed
   * and drained. Waits with `Atomics.waitAsync` where the engine has it, else polls.
   */
  popAsync(): Promise<number> {
    const h = this.tryPop();
    return h !== 0 ? Promise.resolve(h) : this.popAsyncSlow();
  }

  private async popAsyncSlow(): Promise<number> {
    const words = this.words;
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    let pollMs = 1;
    for (;;) {
      Atomics.store(words, W_POP_WAITERS, 1);
      const seen = Atomics.load(words, W_PUSHED);
      const h = this.tryPop();
      if (h !== 0 || Atomics.load(words, W_CLOSED) !== 0) return h;
      if (Atomics.load(words, W_POP_WAITERS) === 0) continue; // lowered since: raise it again, as in `pop`
      if (typeof waitAsync === 'function') {
        const result = waitAsync(words, W_PUSHED, seen);
        if (result.async) await result.value;
      } else {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        pollMs = Math.min(POLL_MAX_MS, pollMs * 2);
      }
    }
  }

  /**
   * After a push: if a popper raised its flag, lower it and wake every popper. Lowering it is what
   * keeps the cost off the pushes that follow: on a loaded machine a woken thread can take
   * milliseconds to run, and a flag that stayed up until then would cost each of those pushes a
   * read-modify-write and a notify. Poppers that find nothing raise it again.
   */
  protected wakePoppers(): void {
    const words = this.words;
    if (Atomics.load(words, W_POP_WAITERS) !== 0 && Atomics.exchange(words, W_POP_WAITERS, 0) !== 0) {
      Atomics.add(words, W_PUSHED, 1);
      Atomics.notify(words, W_PUSHED);
    }
  }

  /**
   * After a pop: as `wakePoppers`, once half the queue is free. Waking a pusher at every pop would
   * have it fill the one free cell and sleep again, a futex round trip per handle; a pusher that
   * waits anyway re-checks every `PUSH_RECHECK_MS` (a consumer that pops a few and stops leaves it
   * that long at most).
   */
  protected wakePushers(): void {
    const words = this.words;
    if (Atomics.load(words, W_PUSH_WAITERS) !== 0 && this.size <= this.capacity >>> 1 && Atomics.exchange(words, W_PUSH_WAITERS, 0) !== 0) {
      Atomics.add(words, W_POPPED, 1);
      Atomics.notify(words, W_POPPED);
    }
  }
}

function checkTimeout(ms: number): void {
  if (typeof ms !== 'number' || !(ms >= 0)) throw invalidRange('timeoutMs', 'a number of milliseconds, 0 or more', ms);
}

/** Writes a new queue's fixed words. */
export function initQueueWords(words: Int32Array, mode: number, capacity: number): void {
  words[W_MAGIC] = MAGIC;
  words[W_FORMAT] = QUEUE_FORMAT;
  words[W_MODE] = mode;
  words[W_CAPACITY] = capacity;
}

/** A batch's source: an array or a typed array of handles. */
export function checkBatch(name: string, value: unknown): ArrayLike<number> {
  if (typeof value !== 'object' || value === null || typeof (value as { length?: unknown }).length !== 'number')
    throw invalidType(name, 'an array or a typed array of handles', value);
  return value as ArrayLike<number>;
}

/** `popMany`'s destination. */
export function checkOut(value: unknown): Uint32Array {
  if (!(value instanceof Uint32Array)) throw invalidType('out', 'a Uint32Array', value);
  return value;
}

/** `[start, end)` of a batch over `length` items, checked. */
export function batchRange(name: string, length: number, start: unknown, end: unknown): [number, number] {
  const s = start === undefined ? 0 : start;
  const e = end === undefined ? length : end;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > length)
    throw invalidRange(`${name} start`, `an integer from 0 to ${length}`, s);
  if (typeof e !== 'number' || !Number.isInteger(e) || e < s || e > length)
    throw invalidRange(`${name} end`, `an integer from ${s} to ${length}`, e);
  return [s, e];
}

/** Every handle of a batch checked before any is pushed, so a bad one changes nothing. */
export function checkHandles(handles: ArrayLike<number>, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const h = handles[i]!;
    if (typeof h !== 'number' || h >>> 0 !== h || h === 0) throw badHandle(h);
  }
}
