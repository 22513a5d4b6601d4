import type { ArenaStats, FixedPoolStats, SharedFixedPoolStats } from './contract.js';

/**
 * The fields of `FixedPoolStats` in the order of the C library's `MP_FixedPoolStats`, so an engine
 * can fill a `Float64Array` and every backend builds the same object from it.
 */
export const FIXED_POOL_STATS_FIELDS = [
  'objectSize',
  'slotSize',
  'capacity',
  'allocated',
  'available',
  'peakAllocated',
  'allocCount',
  'freeCount',
  'failedAllocs',
] as const satisfies readonly (keyof FixedPoolStats)[];

/** The fields of `ArenaStats` in the order of the C library's `MP_ArenaStats`. */
export const ARENA_STATS_FIELDS = [
  'bufferSize',
  'offset',
  'remaining',
  'allocations',
  'peakOffset',
  'failedAllocs',
] as const satisfies readonly (keyof ArenaStats)[];

// The builders below spell the fields out in `*_STATS_FIELDS` order rather than loop over them: an
// object literal gets its final shape at once and builds about 4x faster than keyed stores in a
// loop. test/stats.test.ts fails by name if the two orders ever differ.

/** A `FixedPoolStats` from values in `FIXED_POOL_STATS_FIELDS` order, not yet frozen. */
function fixedPoolStatsObject(values: ArrayLike<number>): FixedPoolStats {
  return {
    objectSize: values[0]!,
    slotSize: values[1]!,
    capacity: values[2]!,
    allocated: values[3]!,
    available: values[4]!,
    peakAllocated: values[5]!,
    allocCount: values[6]!,
    freeCount: values[7]!,
    failedAllocs: values[8]!,
  };
}

/** A frozen `FixedPoolStats` from values in `FIXED_POOL_STATS_FIELDS` order. */
export function fixedPoolStatsFrom(values: ArrayLike<number>): FixedPoolStats {
  return Object.freeze(fixedPoolStatsObject(values));
}

/** A frozen `ArenaStats` from values in `ARENA_STATS_FIELDS` order. */
export function arenaStatsFrom(values: ArrayLike<number>): ArenaStats {
  return Object.freeze({
    bufferSize: values[0]!,
    offset: values[1]!,
    remaining: values[2]!,
    allocations: values[3]!,
    peakOffset: values[4]!,
    failedAllocs: values[5]!,
  });
}

/**
 * A frozen `SharedFixedPoolStats`: `FIXED_POOL_STATS_FIELDS` order, then `cached`. `cached` is
 * not enumerable, so the object compares, spreads and serialises exactly as an unshared pool's
 * stats do (the contract: one holder alone sees an unshared pool's stats), and reads as a field.
 */
export function sharedFixedPoolStatsFrom(values: ArrayLike<number>): SharedFixedPoolStats & { readonly cached: number } {
  const stats = fixedPoolStatsObject(values);
  return Object.freeze(Object.defineProperty(stats, 'cached', { value: values[9]!, enumerable: false })) as SharedFixedPoolStats & {
    readonly cached: number;
  };
}
