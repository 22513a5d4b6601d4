import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { ErrorCode } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectMemoryReleased } from '../released-memory.js';
import { isSharedRun } from '../shared-allocators/shared-module.js';
import { expectError } from '../support.js';

/** `destroy()`, `Symbol.dispose` and `using`. */
export function lifetime({ backend }: SuiteContext): void {
  const shared = isSharedRun(backend);
  describe('Destroy and dispose', () => {
    it('destroy() detaches every view over a pool and an arena where supports.detachOnDestroy is true', () => {
      expect(typeof backend.supports.detachOnDestroy).toBe('boolean');
      const pool = backend.createFixedPool(16, 16);
      const arena = backend.createArena(1024);
      const views = [new Uint8Array(pool.memory), new Float64Array(pool.memory), new Int32Array(arena.memory, 64)];
      const dataView = new DataView(arena.memory);
      pool.destroy();
      arena.destroy();
      if (shared || backend.supports.detachOnDestroy) {
        expectMemoryReleased(pool.memory, views.slice(0, 2), shared);
        expectMemoryReleased(arena.memory, [views[2]!], shared);
        if (!shared) expect(() => dataView.getUint8(0)).toThrow(TypeError);
      } else {
        // Where the runtime cannot detach: the views keep their bytes, nothing throws, and the
        // allocators refuse every call.
        expect(views.map((view) => view.length)).toEqual([
          pool.memory.byteLength,
          pool.memory.byteLength / 8,
          (arena.memory.byteLength - 64) / 4,
        ]);
        views[0]![0] = 1;
        expect(dataView.getUint8(0)).toBe(0);
        expectError(() => pool.alloc(), Error, ErrorCode.DESTROYED);
      }
    });
    it('destroy() is idempotent', () => {
      const pool = backend.createFixedPool(16, 16);
      pool.destroy();
      expect(() => pool.destroy()).not.toThrow();
      expect(pool.destroyed).toBe(true);
      const arena = backend.createArena(64);
      arena.destroy();
      expect(() => arena.destroy()).not.toThrow();
    });
    it('[Symbol.dispose]() destroys', () => {
      const pool = backend.createFixedPool(16, 16);
      pool[Symbol.dispose]();
      expect(pool.destroyed).toBe(true);
      expectError(() => pool.alloc(), Error, ErrorCode.DESTROYED, 'alloc');
      const arena = backend.createArena(64);
      arena[Symbol.dispose]();
      expect(arena.destroyed).toBe(true);
    });
    it('`using` destroys a pool and an arena at the end of their block, even on a throw', () => {
      let pool: ReturnType<typeof backend.createFixedPool> | undefined;
      let arena: ReturnType<typeof backend.createArena> | undefined;
      expect(() => {
        using p = backend.createFixedPool(8, 8);
        using a = backend.createArena(64);
        pool = p;
        arena = a;
        expect(p.destroyed || a.destroyed).toBe(false);
        throw new Error('leaving the block');
      }).toThrow('leaving the block');
      expect([pool?.destroyed, arena?.destroyed]).toEqual([true, true]);
    });
    it('a view made after creation stays valid while other allocators come and go', () => {
      const pool = backend.createFixedPool(8, 8);
      const view = new Uint8Array(pool.memory);
      const h = pool.alloc();
      view[h] = 99;
      for (let i = 0; i < 200; i++) {
        backend.createArena(1 << 16).destroy();
        backend.createFixedPool(64, 100);
      }
      expect(view.length).toBe(pool.memory.byteLength);
      expect(view[h]).toBe(99);
      pool.destroy();
    });
  });
}
