import { Layout, type Fields } from '@mempool/layout';
import { checkAlign, checkInteger } from './checks.js';
import type { Arena, Backend, FixedPool, FixedPoolOptions } from './contract.js';
import { invalidRange, invalidType } from './errors.js';

function checkLayout(value: unknown): Layout<Fields> {
  if (!Layout.isLayout(value)) throw invalidType('layout', 'a layout made by defineLayout()', value);
  // A layout can only be made with an alignment an allocator honours; checked again here so that a
  // future layout option cannot reach a pool unchecked.
  checkAlign('layout.align', value.align);
  return value;
}

/**
 * A fixed pool whose slots are records of `layout`, on any backend: `objectSize` is
 * `layout.byteSize` and `align` is `layout.align`, so neither can be wrong. `options.align` may
 * ask for more (a multiple of `layout.align`, e.g. 64 for cache lines), never for less.
 */
export function createRecordPool(backend: Backend, layout: Layout<Fields>, capacity: number, options?: FixedPoolOptions): FixedPool {
  if (typeof backend !== 'object' || backend === null || typeof backend.createFixedPool !== 'function') {
    throw invalidType('backend', 'a Backend', backend);
  }
  const record = checkLayout(layout);
  let align = record.align;
  if (options?.align !== undefined) {
    align = checkAlign('options.align', options.align);
    if (align < record.align) {
      throw invalidRange('options.align', `at least ${record.align}, the alignment of ${record.name}`, options.align);
    }
  }
  return backend.createFixedPool(record.byteSize, capacity, { ...options, align });
}

/**
 * `count` consecutive records of `layout` from `arena`: the handle of the first, aligned to
 * `layout.align`; record `i` is at `handle + i * layout.byteSize`. Returns 0 and changes nothing
 * but the arena's `failedAllocs` when they do not fit, as `arena.alloc` does.
 */
export function allocRecords(arena: Arena, layout: Layout<Fields>, count = 1): number {
  // A pool has `alloc()` too, which would ignore the size and hand out one slot for `count` records.
  if (typeof arena !== 'object' || arena === null || typeof arena.alloc !== 'function' || typeof arena.mark !== 'function') {
    throw invalidType('arena', 'an Arena (a fixed pool holds one record per slot: use createRecordPool)', arena);
  }
  const record = checkLayout(layout);
  const n = checkInteger('count', count, 1, Math.floor(Number.MAX_SAFE_INTEGER / record.byteSize));
  return arena.alloc(n * record.byteSize, record.align);
}
