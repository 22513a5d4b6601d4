import { describe, expect, it } from 'vitest';
import { ARENA_STATS_FIELDS, arenaStatsFrom, FIXED_POOL_STATS_FIELDS, fixedPoolStatsFrom } from '../src/index.js';

describe('stats builders', () => {
  it.each([
    ['fixedPoolStatsFrom', fixedPoolStatsFrom, FIXED_POOL_STATS_FIELDS],
    ['arenaStatsFrom', arenaStatsFrom, ARENA_STATS_FIELDS],
  ] as const)('%s reads its values in its *_STATS_FIELDS order', (_, build, fields) => {
    const values = fields.map((_, i) => i + 1);
    const stats = build(values) as unknown as Record<string, number>;
    expect(Object.keys(stats)).toEqual([...fields]);
    expect(fields.map((field) => stats[field])).toEqual(values);
    expect(Object.isFrozen(stats)).toBe(true);
  });
});
