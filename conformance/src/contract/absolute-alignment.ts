import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import type { Allocator } from '@mempool/api';
import type { SuiteContext } from '../context.js';

/**
 * `supports.absoluteAlignment`: the first byte of every `memory` sits at an address that is a
 * multiple of it, so a handle aligned to `align` (up to that much) is aligned in absolute address
 * too, as SIMD loads and C structs shared with native code need. Checked through the caller's
 * `addressOf` probe, on allocators of many sizes (so more than one of the system's size classes).
 */
export function absoluteAlignment({ backend, options, scope }: SuiteContext): void {
  const declared = backend.supports.absoluteAlignment;
  const addressOf = options.addressOf!;
  const offsetIn = (allocator: Allocator): number => Number(BigInt(addressOf(allocator.memory)) % BigInt(declared));

  describe('Absolute alignment', () => {
    it(`supports.absoluteAlignment (${declared}) is a power of two from 1 to 4096`, () => {
      expect(Number.isInteger(declared) && declared >= 1 && declared <= 4096 && (declared & (declared - 1)) === 0).toBe(true);
    });
    it(`every pool's and arena's memory starts on a multiple of ${declared} bytes`, () => {
      for (const size of [1, 24, 100, 4096, 65_536, 1 << 20]) {
        expect(offsetIn(scope.add(backend.createFixedPool(size, 3))), `pool of ${size}-byte objects`).toBe(0);
        expect(offsetIn(scope.add(backend.createArena(size))), `arena of ${size} bytes`).toBe(0);
      }
    });
    it(`handles aligned to align are aligned in absolute address up to ${declared}`, () => {
      for (let align = 1; align <= declared; align *= 2) {
        const pool = scope.add(backend.createFixedPool(3, 4, { align }));
        const arena = scope.add(backend.createArena(4096, { align }));
        const base = BigInt(addressOf(pool.memory));
        for (let i = 0; i < 4; i++) expect(Number((base + BigInt(pool.alloc())) % BigInt(align)), `pool align ${align}`).toBe(0);
        const arenaBase = BigInt(addressOf(arena.memory));
        expect(Number((arenaBase + BigInt(arena.alloc(5, align))) % BigInt(align)), `arena align ${align}`).toBe(0);
      }
    });
  });
}
