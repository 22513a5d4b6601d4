import type { Backend, FixedPool } from '@mempool/api';
import { blackhole, type Case } from '../measure.js';

/** Operations per timed call for the cheap bodies: tinybench's own per-call cost is ~100 ns. */
export const N = 1000;

/** Fixed pool of 64-byte objects: pair, churn, allocMany/freeMany, reset, create+destroy. */
/** `N` alloc()+free() pairs on an empty pool: the single-call cost. */
export function pairCase(pool: Pick<FixedPool, 'alloc' | 'free'>, scenario: string, unit: string): Case {
  return {
    scenario,
    unit,
    ops: N,
    check: () => {
      const h = pool.alloc();
      if (h === 0) throw new Error('alloc returned 0 on an empty pool');
      pool.free(h);
    },
    fn: () => {
      let acc = 0;
      for (let i = 0; i < N; i++) {
        const h = pool.alloc();
        acc += h;
        pool.free(h);
      }
      blackhole.value = acc;
    },
  };
}

export function poolCases(b: Backend): Case[] {
  const pool = b.createFixedPool(64, 4096);
  const handles = new Uint32Array(N);
  const batch = new Uint32Array(N);
  const resetPool = b.createFixedPool(64, 4096);
  for (let i = 0; i < 512; i++) resetPool.alloc();

  return [
    pairCase(pool, 'pool.pair', 'alloc()+free() pair'),
    {
      scenario: 'pool.churn',
      unit: 'alloc+free per object (1,000 allocs, then 1,000 frees)',
      ops: N,
      fn: () => {
        for (let i = 0; i < N; i++) handles[i] = pool.alloc();
        for (let i = 0; i < N; i++) pool.free(handles[i]!);
      },
    },
    {
      scenario: 'pool.many',
      unit: 'handle through allocMany(1,000)+freeMany(1,000)',
      ops: N,
      check: () => {
        if (pool.allocMany(batch, N) !== N) throw new Error('allocMany placed fewer than 1000');
        pool.freeMany(batch, N);
      },
      fn: () => {
        pool.allocMany(batch, N);
        pool.freeMany(batch, N);
      },
    },
    {
      scenario: 'pool.reset',
      unit: 'reset() call',
      ops: N,
      fn: () => {
        for (let i = 0; i < N; i++) resetPool.reset();
      },
    },
    {
      scenario: 'pool.create',
      unit: 'createFixedPool(64, 1024)+destroy()',
      ops: 10,
      fn: () => {
        for (let i = 0; i < 10; i++) {
          const p = b.createFixedPool(64, 1024);
          blackhole.value = p;
          p.destroy();
        }
      },
    },
  ];
}
