import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import type { SuiteContext } from '../context.js';
import { garbageCollector, residentBytes } from '../platform.js';

const ARENA_BYTES = 64 * 1024 * 1024;
const ARENAS = 48;

/**
 * `supports.gcReclaim`: an allocator dropped without `destroy()` gives its memory back when it is
 * collected, native and wasm memory included. Needs Node (a collector and the resident memory);
 * no command-line flag is needed.
 */
export function gcReclaim({ backend }: SuiteContext): void {
  describe('Reclaim by the garbage collector', () => {
    it('allocators dropped without destroy() are reclaimed by the garbage collector', () => {
      const gc = garbageCollector()!;
      gc();
      const before = residentBytes()!;
      for (let i = 0; i < ARENAS; i++) {
        // Touch every page so the memory is really committed: 3 GiB in all if nothing is reclaimed.
        const arena = backend.createArena(ARENA_BYTES);
        const bytes = new Uint8Array(arena.memory);
        for (let p = 64; p < ARENA_BYTES; p += 4096) bytes[p] = 1;
        if (i % 4 === 3) gc();
      }
      gc();
      expect(residentBytes()! - before).toBeLessThan(1024 * 1024 * 1024);
    });
  });
}
