import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import type { SuiteContext } from '../context.js';
import { recordTrace, type TraceEntry } from './reference-trace.js';
import { ArenaModel, PoolModel } from './model.js';

import trace from './reference-trace.json' with { type: 'json' };

const reference = trace as unknown as TraceEntry[];

/** The same calls give the same handles, marks and stats on every backend. */
export function determinism({ backend }: SuiteContext): void {
  describe('Determinism', () => {
    it('reproduces the reference trace call for call', () => {
      const trace = recordTrace(backend);
      expect(trace).toHaveLength(reference.length);
      trace.forEach((entry, step) => expect(entry, `step ${step}`).toEqual(reference[step]));
    });
    it('two runs of the same calls on fresh allocators agree', () => {
      expect(recordTrace(backend)).toEqual(recordTrace(backend));
    });
    it('a pool hands out the handles the contract computes: dataOffset + i * slotSize', () => {
      const model = new PoolModel(100, 30, 64);
      const pool = backend.createFixedPool(100, 30, { align: 64 });
      try {
        for (let i = 0; i < 31; i++) expect(pool.alloc()).toBe(model.alloc(i));
      } finally {
        pool.destroy();
      }
    });
    it('an arena hands out the handles the contract computes: the lowest aligned offset at the end', () => {
      const model = new ArenaModel(3000, 128);
      const arena = backend.createArena(3000, { align: 128 });
      try {
        for (let i = 0; i < 60; i++) {
          const size = 1 + ((i * 37) % 90);
          const align = 2 ** (i % 9);
          expect(arena.alloc(size, align)).toBe(model.alloc(size, align, i));
        }
      } finally {
        arena.destroy();
      }
    });
  });
}
