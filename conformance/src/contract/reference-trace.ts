import type { Backend } from '@mempool/api';
import { mulberry32 } from '../random.js';

export type TraceEntry = readonly [call: string, result: unknown];

/**
 * Runs a fixed script of 600 pool and arena calls (a seeded mix of every operation) and records
 * what each returned. `reference-trace.json` holds the trace every backend must reproduce exactly.
 */
export function recordTrace(backend: Backend): TraceEntry[] {
  const next = mulberry32(0xc0ffee);
  const pick = (n: number) => Math.floor(next() * n);
  const trace: TraceEntry[] = [];
  const pool = backend.createFixedPool(40, 50, { align: 16 });
  const arena = backend.createArena(5000, { align: 32 });
  try {
    const live: number[] = [];
    for (let step = 0; step < 300; step++) {
      const op = pick(100);
      if (op < 45) {
        const h = pool.alloc();
        if (h !== 0) live.push(h);
        trace.push(['pool.alloc()', h]);
      } else if (op < 80 && live.length > 0) {
        const [h] = live.splice(pick(live.length), 1);
        pool.free(h!);
        trace.push([`pool.free(${h})`, null]);
      } else if (op < 88) {
        const out = new Float64Array(pick(6));
        const placed = pool.allocMany(out);
        live.push(...out.subarray(0, placed));
        trace.push([`pool.allocMany(${out.length})`, [...out]]);
      } else if (op < 95) {
        const batch = live.splice(0, pick(Math.min(live.length, 5) + 1));
        pool.freeMany(Uint32Array.from(batch));
        trace.push([`pool.freeMany([${batch}])`, null]);
      } else if (op < 97) {
        pool.reset();
        live.length = 0;
        trace.push(['pool.reset()', null]);
      } else trace.push(['pool.stats()', pool.stats()]);
    }
    trace.push(['pool.stats()', pool.stats()]);
    const marks: number[] = [];
    for (let step = 0; step < 300; step++) {
      const op = pick(100);
      if (op < 70) {
        const size = 1 + pick(200);
        const align = 2 ** pick(8);
        trace.push([`arena.alloc(${size}, ${align})`, arena.alloc(size, align)]);
      } else if (op < 82) {
        const mark = arena.mark();
        marks.push(mark);
        trace.push(['arena.mark()', mark]);
      } else if (op < 94 && marks.length > 0) {
        const mark = marks.pop()!;
        let result: unknown = null;
        try {
          arena.rewind(mark);
        } catch (error) {
          result = (error as { code: string }).code;
        }
        trace.push([`arena.rewind(${mark})`, result]);
      } else if (op < 97) {
        arena.reset();
        trace.push(['arena.reset()', null]);
      } else trace.push(['arena.stats()', arena.stats()]);
    }
    trace.push(['arena.stats()', arena.stats()]);
  } finally {
    pool.destroy();
    arena.destroy();
  }
  return trace;
}
