import type { Backend } from '@mempool/api';
import { blackhole, type Case } from '../measure.js';
import { N } from './pool.js';

const SIZES = [8, 24, 100, 3, 64, 256, 12, 40, 16, 7, 128, 32, 48, 1, 200, 72];
const ALIGNS = [8, 16, 4, 1, 64, 8, 32, 8, 16, 1, 64, 8, 16, 1, 8, 64];

/** Arena: alloc 16 at 8, a mix of sizes and alignments, reset, mark/rewind. */
export function arenaCases(b: Backend): Case[] {
  const arena = b.createArena(1 << 20);
  const small = b.createArena(1 << 16);
  const sizes = Int32Array.from(SIZES);
  const aligns = Int32Array.from(ALIGNS);
  const marked = b.createArena(1 << 16);
  marked.alloc(100, 8);

  return [
    {
      scenario: 'arena.alloc16',
      unit: 'alloc(16, 8) (1,000 then reset)',
      ops: N,
      check: () => {
        if (small.alloc(16, 8) === 0) throw new Error('alloc returned 0 on an empty arena');
        small.reset();
      },
      fn: () => {
        let acc = 0;
        for (let i = 0; i < N; i++) acc += small.alloc(16, 8);
        small.reset();
        blackhole.value = acc;
      },
    },
    {
      scenario: 'arena.mixed',
      unit: 'alloc(size, align) of mixed sizes 1..256 / aligns 1..64 (1,000 then reset)',
      ops: N,
      check: () => {
        for (let i = 0; i < N; i++) if (arena.alloc(sizes[i & 15]!, aligns[i & 15]!) === 0) throw new Error('arena full');
        arena.reset();
      },
      fn: () => {
        let acc = 0;
        for (let i = 0; i < N; i++) acc += arena.alloc(sizes[i & 15]!, aligns[i & 15]!);
        arena.reset();
        blackhole.value = acc;
      },
    },
    {
      scenario: 'arena.reset',
      unit: 'reset() call',
      ops: N,
      fn: () => {
        for (let i = 0; i < N; i++) small.reset();
      },
    },
    {
      scenario: 'arena.mark',
      unit: 'mark()+rewind() pair',
      ops: N,
      fn: () => {
        for (let i = 0; i < N; i++) marked.rewind(marked.mark());
      },
    },
  ];
}
