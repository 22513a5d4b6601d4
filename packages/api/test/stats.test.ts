import { describe, expect, it } from 'vitest';
import { ARENA_STATS_FIELDS, arenaStatsFrom, FIXED_POOL_STATS_FIELDS, fixedPoolStatsFrom } from '../src/index.js';

describe('stats builders', () => {
  it('fixedPoolStatsFrom reads its values in FIXED_POOL_STATS_FIELDS order', () => {
    const values = FIXED_POOL_STATS_FIELDS.map((_, i) => i + 1);
    const stats = fixedPoolStatsFrom(values);
    expect(Object.keys(stats)).toEqual([...FIXED_POOL_STATS_FIELDS]);
    expect(FIXED_POOL_STATS_FIELDS.map((field) => stats[field])).toEqual(values);
    expect(Object.isFrozen(stats)).toBe(true);
  });
  it('arenaStatsFrom reads its values in ARENA_STATS_FIELDS order', () => {
    const values = ARENA_STATS_FIELDS.map((_, i) => i + 1);
    const stats = arenaStatsFrom(values);
    expect(Object.keys(stats)).toEqual([...ARENA_STATS_FIELDS]);
    expect(ARENA_STATS_FIELDS.map((field) => stats[field])).toEqual(values);
    expect(Object.isFrozen(stats)).toBe(true);
  });
});
