/**
 * The id index on its own: `@mempool/collections`' `HandleMap` against `Map<number, number>` and
 * the bench's earlier hand-written index (keys and handles in two separate typed arrays), at 10k,
 * 1M and (full runs) 10M sparse u32 keys. Per op: insert every key into a new index (presized
 * where the index takes a hint), look every key up in a shuffled order, delete every key. Bytes per
 * entry is the footprint after a full collection (heap + array buffers); GC pauses are the
 * `PerformanceObserver` 'gc' entries that start while timing. One subject and size per process.
 */
import { HandleMap } from '@mempool/collections';
import type { Figure } from '../types.js';
import { HashIndex } from './hash-index.js';
import { MapIndex, type HandleIndex } from './orderbook.js';

export const INDEX_SUBJECTS = { handlemap: 'HandleMap', map: 'Map', 'two-arrays': 'two typed arrays' } as const;
export type IndexSubject = keyof typeof INDEX_SUBJECTS;

export const indexSizes = (quick: boolean): readonly number[] => (quick ? [10_000, 1_000_000] : [10_000, 1_000_000, 10_000_000]);

const sizeLabel = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

function makeIndex(subject: IndexSubject, capacity: number): HandleIndex {
  if (subject === 'handlemap') return new HandleMap(capacity);
  if (subject === 'map') return new MapIndex();
  return new HashIndex(capacity);
}

/** n distinct sparse u32 keys (an odd multiplier is a bijection of u32), and a shuffled lookup order. */
function keysOf(n: number): { keys: Uint32Array; order: Uint32Array } {
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.imul(i + 1, 0x85eb_ca6b) >>> 0;
  const order = keys.slice();
  let s = 0x2545_f491;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return { keys, order };
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the index bench needs node --expose-gc');
  gc();
  gc();
}

const footprint = () => {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Where lookups put their sum so the JIT cannot drop them. */
export const sink = { value: 0 };

/** One pass: set, get (repeated to at least 2M lookups), delete; ns per op of each, and the bytes per entry after the sets. */
function pass(
  subject: IndexSubject,
  keys: Uint32Array,
  order: Uint32Array,
  windows: [number, number][],
): { set: number; get: number; del: number; bytes: number } {
  const n = keys.length;
  const before = footprint();
  const index = makeIndex(subject, n);
  let t = performance.now();
  for (let i = 0; i < n; i++) index.set(keys[i]!, 64 + 64 * i);
  windows.push([t, performance.now()]);
  const set = ((windows.at(-1)![1] - t) * 1e6) / n;
  const bytes = (footprint() - before) / n;
  const reps = Math.max(1, Math.ceil(2_000_000 / n));
  let acc = 0;
  t = performance.now();
  for (let r = 0; r < reps; r++) for (let i = 0; i < n; i++) acc += index.get(order[i]!);
  windows.push([t, performance.now()]);
  const get = ((windows.at(-1)![1] - t) * 1e6) / (n * reps);
  sink.value += acc;
  t = performance.now();
  for (let i = 0; i < n; i++) index.delete(order[i]!);
  windows.push([t, performance.now()]);
  const del = ((windows.at(-1)![1] - t) * 1e6) / n;
  if (index.size !== 0) throw new Error(`${INDEX_SUBJECTS[subject]} kept ${index.size} keys after deleting them all`);
  return { set, get, del, bytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rme = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return (100 * sd) / mean;
};

export async function indexFigures(subject: IndexSubject, n: number, quick: boolean): Promise<Figure[]> {
  const { keys, order } = keysOf(n);
  // Warm-up on a small index: the timed passes start with optimized code.
  const warm = keysOf(20_000);
  for (let w = 0; w < 5; w++) pass(subject, warm.keys, warm.order, []);
  const passes = quick ? 3 : 5;
  const results: ReturnType<typeof pass>[] = [];
  const pauses: { start: number; duration: number }[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, duration: e.duration });
  });
  obs.observe({ entryTypes: ['gc'] });
  // Only pauses that start inside a timed loop count: the forced collections of `footprint()` are not the index's.
  const windows: [number, number][] = [];
  for (let p = 0; p < passes; p++) results.push(pass(subject, keys, order, windows));
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  const inRuns = pauses.filter((g) => windows.some(([a, b]) => g.start >= a && g.start <= b) && g.duration > 0);
  const gcMaxMs = Math.round(inRuns.reduce((m, g) => Math.max(m, g.duration), 0) * 100) / 100;
  const bytesPerEntry = Math.round(median(results.map((r) => r.bytes)) * 10) / 10;
  const name = INDEX_SUBJECTS[subject];
  const figure = (op: 'set' | 'get' | 'del', unit: string): Figure => {
    const xs = results.map((r) => r[op]);
    return {
      scenario: `index.${op === 'del' ? 'delete' : op}.${sizeLabel(n)}`,
      subject: name,
      unit: `${unit}, ${n.toLocaleString('en-US')} sparse u32 keys (median of ${passes} passes)`,
      nsPerOp: median(xs),
      rmePercent: rme(xs),
      p99NsPerOp: Math.max(...xs),
      samples: passes,
      opsPerSample: n,
      extra: { bytesPerEntry, gcMaxMsInPasses: gcMaxMs, gcCountInPasses: inRuns.length },
    };
  };
  const figs = [figure('set', 'insert of a new key'), figure('get', 'lookup of a present key'), figure('del', 'delete of a present key')];
  for (const f of figs)
    process.stderr.write(
      `    ${name.padEnd(16)} ${f.scenario.padEnd(18)} ${f.nsPerOp.toFixed(1).padStart(8)} ns/op  ${bytesPerEntry} B/entry  gc max ${gcMaxMs} ms\n`,
    );
  return figs;
}
