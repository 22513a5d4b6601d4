import { MemPool } from '@thi.ng/malloc';
import { blackhole, type Case } from '../measure.js';
import { N } from './pool.js';

/**
 * What a user does today, in the pool's two loops. A JavaScript value has no `free`: the "pair" is
 * an allocation that becomes garbage at once (the collector's cost is in the figure, as it is in a
 * real program); churn keeps 1,000 alive in an array, then drops them.
 */
export type BaselineName = 'Uint8Array' | 'Buffer' | 'object' | 'MemPool';

export const BASELINES: readonly BaselineName[] = ['Uint8Array', 'Buffer', 'object', 'MemPool'];

interface Obj {
  id: number;
  price: number;
  qty: number;
  ts: number;
  side: number;
  a: number;
  b: number;
  c: number;
}

export function baselineCases(name: BaselineName): Case[] {
  if (name === 'MemPool') return memPoolCases();
  const make: () => unknown =
    name === 'Uint8Array'
      ? () => new Uint8Array(64)
      : name === 'Buffer'
        ? () => Buffer.allocUnsafe(64)
        : () => ({ id: 1, price: 2, qty: 3, ts: 4, side: 0, a: 0, b: 0, c: 0 }) satisfies Obj;
  const kept: unknown[] = new Array(N).fill(undefined);
  return [
    {
      scenario: 'pool.pair',
      unit: 'allocation that is dropped at once',
      ops: N,
      fn: () => {
        for (let i = 0; i < N; i++) blackhole.value = make();
      },
    },
    {
      scenario: 'pool.churn',
      unit: 'alloc+drop per object (1,000 kept, then dropped)',
      ops: N,
      fn: () => {
        for (let i = 0; i < N; i++) kept[i] = make();
        for (let i = 0; i < N; i++) kept[i] = undefined;
      },
    },
  ];
}

/** `@thi.ng/malloc`'s MemPool: a TypeScript malloc/free over one ArrayBuffer. */
function memPoolCases(): Case[] {
  const pool = new MemPool({ size: 1 << 20 });
  const addrs = new Uint32Array(N);
  return [
    {
      scenario: 'pool.pair',
      unit: 'malloc(64)+free() pair',
      ops: N,
      check: () => {
        const a = pool.malloc(64);
        if (a === 0 || !pool.free(a)) throw new Error('MemPool malloc/free failed');
      },
      fn: () => {
        let acc = 0;
        for (let i = 0; i < N; i++) {
          const a = pool.malloc(64);
          acc += a;
          pool.free(a);
        }
        blackhole.value = acc;
      },
    },
    {
      scenario: 'pool.churn',
      unit: 'malloc+free per object (1,000 mallocs, then 1,000 frees)',
      ops: N,
      check: () => {
        for (let i = 0; i < N; i++) if ((addrs[i] = pool.malloc(64)) === 0) throw new Error('MemPool full');
        for (let i = 0; i < N; i++) pool.free(addrs[i]!);
      },
      fn: () => {
        for (let i = 0; i < N; i++) addrs[i] = pool.malloc(64);
        for (let i = 0; i < N; i++) pool.free(addrs[i]!);
      },
    },
  ];
}
