import { outOfMemory } from '@mempool/api';

/**
 * Shared bookkeeping: words of a `SharedArrayBuffer` read and written only through `Atomics`.
 * Words that different calls write at once sit on cache lines of their own, so two workers do not
 * fight over a line that only one of them needs.
 */

/** Bytes between two words that must not share a cache line. */
export const LINE = 64;
/** The index of the u32 word at the start of cache line `line`. */
export const lineWord = (line: number): number => (line * LINE) / 4;

/** A zeroed `SharedArrayBuffer` of `bytes`, or `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it. */
export function reserveShared(bytes: number): SharedArrayBuffer {
  try {
    return new SharedArrayBuffer(bytes);
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
}

/**
 * Adds one to the 64-bit counter in words `at` (low) and `at + 1` (high). Each half is atomic; a
 * reader sees the exact sum whenever no add is in flight.
 */
export function countOne(words: Uint32Array, at: number): void {
  if (Atomics.add(words, at, 1) === 0xffffffff) Atomics.add(words, at + 1, 1);
}

/** The 64-bit counter at `at` as a number (exact below 2^53). */
export function readCount(words: Uint32Array, at: number): number {
  return Atomics.load(words, at + 1) * 2 ** 32 + Atomics.load(words, at);
}

/** Adds `n` to the 64-bit counter at `at`. */
export function addCount(words: Uint32Array, at: number, n: number): void {
  const total = readCount(words, at) + n;
  Atomics.store(words, at, total % 2 ** 32);
  Atomics.store(words, at + 1, Math.floor(total / 2 ** 32));
}

/** Raises the word at `at` to at least `value` (a compare-and-swap loop: no update is lost). */
export function raiseTo(words: Uint32Array, at: number, value: number): void {
  let seen = Atomics.load(words, at);
  while (value > seen) {
    const was = Atomics.compareExchange(words, at, seen, value);
    if (was === seen) return;
    seen = was;
  }
}
