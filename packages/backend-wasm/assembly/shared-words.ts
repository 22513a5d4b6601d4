/**
 * The shared engine's state words: all in its memory (a shared WebAssembly.Memory every holder's
 * instance imports), read and written only with atomics. Words that different calls write at once
 * sit on cache lines of their own.
 */
import { RESERVED } from './engine-memory';

/** Bytes between two words that must not share a cache line. */
export const LINE: usize = 64;

/** Refused: a call that needs quiescence found another such call running (ERR_MEMPOOL_BUSY). */
export { BUSY } from './engine-facts';

/** The address of cache line `line` of the state. */
// @ts-ignore: decorator
@inline export function lineAt(line: usize): usize {
  return RESERVED + line * LINE;
}

/** Raises the u32 at `address` to at least `value` (a compare-and-swap loop: no update is lost). */
export function raiseTo(address: usize, value: u32): void {
  let seen = atomic.load<u32>(address);
  while (value > seen) {
    const was = atomic.cmpxchg<u32>(address, seen, value);
    if (was == seen) return;
    seen = was;
  }
}
