import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { ErrorCode, type SharedArena, type SharedFixedPool } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectError } from '../support.js';
import { isSharedRun } from './shared-module.js';

/**
 * Shared allocators from one thread: `share()` and `attach*` give holders of one state, a holder's
 * `destroy()` ends that holder only, and bad descriptors are refused. On a backend without
 * `supports.shared`, every way in is refused with `ERR_MEMPOOL_INVALID_ARGUMENT`.
 */
export function sharedHolders({ backend, scope }: SuiteContext): void {
  const shared = isSharedRun(backend);
  if (!backend.supports.shared) {
    describe('Shared allocators (not supported)', () => {
      it('{ shared: true } and attach throw ERR_MEMPOOL_INVALID_ARGUMENT', () => {
        expectError(() => backend.createFixedPool(8, 8, { shared: true }), RangeError, ErrorCode.INVALID_ARGUMENT, 'options.shared');
        expectError(() => backend.createArena(64, { shared: true }), RangeError, ErrorCode.INVALID_ARGUMENT, 'options.shared');
        expectError(() => backend.attachFixedPool({} as never), RangeError, ErrorCode.INVALID_ARGUMENT, 'options.shared');
        expectError(() => backend.attachArena({} as never), RangeError, ErrorCode.INVALID_ARGUMENT, 'options.shared');
      });
    });
    return;
  }
  if (!shared) {
    // Here rather than in the shared run, whose backend sets `shared` itself.
    describe('Shared allocators (options)', () => {
      it('options.shared must be a boolean', () => {
        expectError(() => backend.createFixedPool(8, 8, { shared: 1 as never }), TypeError, ErrorCode.INVALID_ARGUMENT, 'options.shared');
        expectError(() => backend.createArena(64, { shared: 'yes' as never }), TypeError, ErrorCode.INVALID_ARGUMENT, 'options.shared');
        expect(scope.add(backend.createFixedPool(8, 8, { shared: false })).memory).toBeInstanceOf(ArrayBuffer);
      });
    });
    return;
  }
  // The scope destroys every holder after each case (it takes any allocator; shared ones type their memory apart).
  const own = <T extends SharedFixedPool | SharedArena>(holder: T): T => {
    scope.add(holder as never);
    return holder;
  };
  const pool = (capacity = 8): SharedFixedPool => own(backend.createFixedPool(16, capacity, { shared: true }));
  const arena = (size = 4096): SharedArena => own(backend.createArena(size, { shared: true }));
  const attachPool = (p: SharedFixedPool): SharedFixedPool => own(backend.attachFixedPool(structuredClone(p.share())));
  const attachArena = (a: SharedArena): SharedArena => own(backend.attachArena(structuredClone(a.share())));

  describe('Shared allocators', () => {
    it('share() is structured-cloneable and names its backend, kind and geometry', () => {
      const p = pool(5);
      const d = structuredClone(p.share());
      expect(d).toMatchObject({ kind: 'FixedPool', backend: backend.name, objectSize: 16, capacity: 5, align: 8 });
      expect(d.memory).toBeInstanceOf(SharedArrayBuffer);
      expect(structuredClone(arena(100).share())).toMatchObject({ kind: 'Arena', backend: backend.name, bufferSize: 100 });
    });
    it('an attached pool shares slots, stats and memory with its origin', () => {
      const p = pool(4);
      const q = attachPool(p);
      const a = p.alloc();
      const b = q.alloc();
      // Fresh slots go out in ascending order whichever holder asks.
      expect(b).toBe(a + p.slotSize);
      new Uint32Array(q.memory)[a / 4] = 0xabcdef;
      expect(new Uint32Array(p.memory)[a / 4]).toBe(0xabcdef);
      q.free(a);
      expect(p.stats()).toEqual(q.stats());
      expect(q.stats()).toMatchObject({ allocated: 1, available: 3, allocCount: 2, freeCount: 1 });
      expect(p.stats().cached).toBe(1);
      // `a` sits in q's cache: p takes the untouched slots, then `a` from there before it says full.
      const rest = [p.alloc(), p.alloc(), p.alloc()];
      expect(new Set([...rest, b]).size).toBe(4);
      expect(rest).toContain(a);
      expect(p.alloc()).toBe(0);
      expect(q.stats()).toMatchObject({ allocated: 4, available: 0, allocCount: 5, freeCount: 1, failedAllocs: 1 });
      expect(q.stats().cached).toBe(0);
    });
    it('a handle freed through one holder is a double free through another', () => {
      const p = pool();
      const q = attachPool(p);
      const h = p.alloc();
      q.free(h);
      expectError(() => p.free(h), Error, ErrorCode.DOUBLE_FREE, 'handle');
      expect(p.stats()).toMatchObject({ allocated: 0, freeCount: 1 });
    });
    it("a reset through one holder ends the other holders' handles, and theirs of the new epoch free as usual", () => {
      // A holder may remember the epoch it last saw (js does, for free): another holder's reset
      // must still make a pre-reset handle a double free there, and not hide a live one.
      const p = pool(4);
      const q = attachPool(p);
      const old = [q.alloc(), q.alloc()];
      q.free(old[1]!);
      p.reset();
      expectError(() => q.free(old[0]!), Error, ErrorCode.DOUBLE_FREE, 'handle');
      expect(q.stats()).toMatchObject({ allocated: 0, available: 4, freeCount: 1 });
      const fresh = p.alloc();
      expect(fresh).toBe(old[0]);
      p.reset();
      p.reset();
      const again = p.alloc();
      expect(again).toBe(old[0]);
      expectError(() => q.free(old[1]!), Error, ErrorCode.DOUBLE_FREE, 'handle');
      q.free(again);
      expectError(() => q.free(again), Error, ErrorCode.DOUBLE_FREE, 'handle');
      expect(p.stats()).toMatchObject({ allocated: 0, available: 4, allocCount: 4, freeCount: 2 });
    });
    it("one holder's destroy() ends that holder only", () => {
      const p = pool();
      const q = attachPool(p);
      const h = p.alloc();
      p.destroy();
      expectError(() => p.alloc(), Error, ErrorCode.DESTROYED);
      expectError(() => p.share(), Error, ErrorCode.DESTROYED);
      q.free(h);
      expect(q.alloc()).toBe(h);
      expect(q.memory.byteLength).toBeGreaterThan(0);
    });
    it('an attached arena bumps the same offset, and marks work across holders', () => {
      const a = arena();
      const b = attachArena(a);
      const first = a.alloc(10, 1);
      const mark = b.mark();
      expect(b.alloc(8, 8)).toBe(16 + first);
      a.rewind(mark);
      expect(b.stats()).toMatchObject({ offset: 10, allocations: 2 });
      b.reset();
      expectError(() => a.rewind(mark), RangeError, ErrorCode.INVALID_HANDLE, 'mark');
      expect(a.alloc(1, 1)).toBe(a.dataOffset);
    });
    it('attach refuses what share() did not make, with ERR_MEMPOOL_INVALID_ARGUMENT', () => {
      const d = pool().share();
      const a = arena().share();
      expectError(() => backend.attachFixedPool(null as never), TypeError, ErrorCode.INVALID_ARGUMENT, 'descriptor');
      expectError(() => backend.attachFixedPool(a as never), TypeError, ErrorCode.INVALID_ARGUMENT, 'descriptor.kind');
      expectError(() => backend.attachArena(d as never), TypeError, ErrorCode.INVALID_ARGUMENT, 'descriptor.kind');
      expectError(
        () => backend.attachFixedPool({ ...d, backend: 'elsewhere' }),
        RangeError,
        ErrorCode.INVALID_ARGUMENT,
        'descriptor.backend',
      );
      expectError(() => backend.attachFixedPool({ ...d, format: -1 }), RangeError, ErrorCode.INVALID_ARGUMENT, 'descriptor.format');
      expectError(
        () => backend.attachFixedPool({ ...d, memory: new ArrayBuffer(8) as never }),
        TypeError,
        ErrorCode.INVALID_ARGUMENT,
        'descriptor.memory',
      );
      expectError(() => backend.attachFixedPool({ ...d, capacity: 1000 }), RangeError, ErrorCode.INVALID_ARGUMENT, 'descriptor.memory');
      expectError(() => backend.attachArena({ ...a, bufferSize: 0 }), RangeError, ErrorCode.INVALID_ARGUMENT, 'bufferSize');
    });
    it("a holder's destroy() puts the slots in its cache back where every holder finds them", () => {
      const p = pool(8);
      const q = attachPool(p);
      const handles = [q.alloc(), q.alloc(), q.alloc()];
      for (const h of handles) q.free(h);
      q.destroy();
      expect(p.stats()).toMatchObject({ allocated: 0, available: 8, allocCount: 3, freeCount: 3 });
      expect(p.stats().cached ?? 0).toBe(0);
      // Last freed first, as from one holder: the cache went back in order.
      expect([p.alloc(), p.alloc(), p.alloc()]).toEqual(handles.reverse());
    });
  });

  describe('Shared allocators: holder records', () => {
    it('an attach beyond the holder records a pool has is ERR_MEMPOOL_BUSY, and a destroy() frees one', () => {
      const p = pool(4);
      const d = p.share();
      const holders: SharedFixedPool[] = [];
      let refusal: unknown;
      // A backend may have no limit: then 1,000 holders attach and none is refused.
      for (let k = 0; k < 1000 && refusal === undefined; k++) {
        try {
          holders.push(own(backend.attachFixedPool(d)));
        } catch (error) {
          refusal = error;
        }
      }
      if (refusal !== undefined) {
        expect((refusal as { code?: unknown }).code).toBe(ErrorCode.BUSY);
        holders.pop()!.destroy();
        holders.push(own(backend.attachFixedPool(d)));
      }
      const h = holders[holders.length - 1]!.alloc();
      p.free(h);
      expect(p.stats()).toMatchObject({ allocated: 0, allocCount: 1, freeCount: 1 });
    });
  });

  describe('Shared allocators: attach verifies the descriptor', () => {
    /**
     * Attach must refuse `descriptor` with ERR_MEMPOOL_INVALID_ARGUMENT naming `field`, whichever
     * error class the backend picks for it, and leave the allocator it came from working.
     */
    const refused = (act: () => unknown, field: string): void => {
      let thrown: unknown;
      try {
        act();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `attach was expected to refuse ${field}`).toBeInstanceOf(Error);
      expect((thrown as { code?: unknown }).code).toBe(ErrorCode.INVALID_ARGUMENT);
      expect((thrown as Error).message).toContain(field);
    };
    /** The buffer under a backend's bookkeeping: the `SharedArrayBuffer`, or a shared `WebAssembly.Memory`'s buffer. */
    const bufferOf = (state: unknown): SharedArrayBuffer =>
      state instanceof SharedArrayBuffer ? state : (state as { buffer: SharedArrayBuffer }).buffer;
    /** A zeroed bookkeeping of the same type and size as `state`. */
    const zeroedLike = (state: unknown): unknown => {
      if (state instanceof SharedArrayBuffer) return new SharedArrayBuffer(state.byteLength);
      const pages = bufferOf(state).byteLength / 65536;
      const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: object) => unknown } }).WebAssembly;
      return new Memory({ initial: pages, maximum: pages, shared: true });
    };
    /** Allocates a slot and fills it, and checks after the refusals that it kept its bytes and the pool still works. */
    const watched = (p: SharedFixedPool): (() => void) => {
      const h = p.alloc();
      new Uint8Array(p.memory, h, p.objectSize).fill(0x5a);
      return () => {
        expect(new Uint8Array(p.memory, h, p.objectSize).every((b) => b === 0x5a)).toBe(true);
        const other = p.alloc();
        expect(other).not.toBe(h);
        p.free(other);
        p.free(h);
        expect(p.stats()).toMatchObject({ allocated: 0 });
      };
    };

    it('refuses a pool descriptor whose objectSize, capacity or align was changed', () => {
      const p = pool(8);
      const unchanged = watched(p);
      const d = p.share();
      refused(() => backend.attachFixedPool({ ...d, objectSize: 8 }), 'descriptor.objectSize');
      refused(() => backend.attachFixedPool({ ...d, capacity: 4 }), 'descriptor.capacity');
      refused(() => backend.attachFixedPool({ ...d, align: 16 }), 'descriptor.align');
      unchanged();
    });
    it('refuses an arena descriptor whose align or bufferSize was changed', () => {
      const a = arena(4096);
      const first = a.alloc(100, 8);
      const d = a.share();
      refused(() => backend.attachArena({ ...d, align: 64 }), 'descriptor.align');
      refused(() => backend.attachArena({ ...d, bufferSize: 2048 }), 'descriptor.bufferSize');
      expect(a.alloc(8, 8)).toBe(first + 104);
    });
    it("refuses a zeroed bookkeeping of the right size, and another allocator's of the same geometry", () => {
      const p = pool(8);
      const unchanged = watched(p);
      const d = p.share();
      refused(() => backend.attachFixedPool({ ...d, state: zeroedLike(d.state) }), 'descriptor.state');
      const twin = pool(8).share();
      refused(() => backend.attachFixedPool({ ...d, state: twin.state }), 'descriptor.');
      refused(() => backend.attachFixedPool({ ...twin, memory: d.memory }), 'descriptor.');
      const a = arena(4096).share();
      refused(() => backend.attachArena({ ...a, state: zeroedLike(a.state) }), 'descriptor.state');
      unchanged();
    });
    it("refuses a pool's own bookkeeping given as its memory", () => {
      const p = pool(8);
      const unchanged = watched(p);
      const d = p.share();
      refused(() => backend.attachFixedPool({ ...d, memory: bufferOf(d.state) }), 'descriptor.memory');
      unchanged();
    });
    it("refuses an arena's memory and bookkeeping swapped or aliased", () => {
      const a = arena(4096);
      const first = a.alloc(64, 8);
      new Uint8Array(a.memory, first, 64).fill(0x77);
      const d = a.share();
      refused(() => backend.attachArena({ ...d, memory: bufferOf(d.state), state: d.memory }), 'descriptor.');
      refused(() => backend.attachArena({ ...d, state: d.memory }), 'descriptor.');
      refused(() => backend.attachArena({ ...d, memory: bufferOf(d.state) }), 'descriptor.memory');
      expect(new Uint8Array(a.memory, first, 64).every((b) => b === 0x77)).toBe(true);
      expect(a.alloc(8, 8)).toBe(first + 64);
    });
    it("refuses a pool's bookkeeping relabelled as an arena descriptor", () => {
      const p = pool(8);
      const unchanged = watched(p);
      const d = p.share();
      const a = arena(4096).share();
      const relabelled = {
        kind: 'Arena' as const,
        backend: d.backend,
        format: a.format,
        bufferSize: d.memory.byteLength - 64,
        align: 8,
        memory: d.memory,
        state: d.state,
      };
      refused(() => backend.attachArena(relabelled), 'descriptor.');
      unchanged();
    });
    it('reads each descriptor field once: a memory getter that answers differently later changes nothing', () => {
      const p = pool(8);
      const unchanged = watched(p);
      const d = p.share();
      const small = new SharedArrayBuffer(128);
      let reads = 0;
      const shifty = {
        ...d,
        get memory(): SharedArrayBuffer {
          reads++;
          return reads === 1 ? d.memory : small;
        },
      };
      let q: SharedFixedPool | undefined;
      try {
        q = own(backend.attachFixedPool(shifty));
      } catch (error) {
        expect((error as { code?: unknown }).code).toBe(ErrorCode.INVALID_ARGUMENT);
      }
      expect(reads).toBe(1);
      if (q !== undefined) {
        // Attached: over the real memory, every handle inside it.
        expect(q.memory.byteLength).toBe(p.memory.byteLength);
        const handles = [q.alloc(), q.alloc()];
        for (const h of handles) expect(h + q.slotSize).toBeLessThanOrEqual(p.memory.byteLength);
        for (const h of handles) q.free(h);
      }
      unchanged();
    });
  });
}
