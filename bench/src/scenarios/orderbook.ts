import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { Backend } from '@mempool/api';
import type { Figure } from '../types.js';

/**
 * The seed's first use case: an order book holding ~10,000 resting orders through a stream of
 * add/cancel/fill events. The stream is generated from a fixed seed before timing, so every subject
 * (each in its own process) sees the same events; each reports a checksum of the final book that
 * the report compares across subjects.
 */
export const ADD = 0;
export const CANCEL = 1;
export const FILL = 2;

const MID = 10_000;
/** Price ticks per side of the level table. */
const LEVELS = 20_480;
/** Events per latency sample: one `performance.now()` pair per batch keeps the timer's cost small. */
export const BATCH = 16;

export interface Stream {
  readonly kind: Uint8Array;
  readonly id: Uint32Array;
  readonly side: Uint8Array;
  readonly price: Uint32Array;
  readonly qty: Uint32Array;
  /** The first `prefill` events are the resting orders' adds (not timed). */
  readonly prefill: number;
  readonly length: number;
  readonly hash: string;
}

/** mulberry32: small, fast, and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeStream(events: number, resting = 10_000, seed = 0x5eed): Stream {
  const total = resting + events;
  const rand = prng(seed);
  const kind = new Uint8Array(total);
  const id = new Uint32Array(total);
  const side = new Uint8Array(total);
  const price = new Uint32Array(total);
  const qty = new Uint32Array(total);
  const dense = new Uint32Array(total);
  const pos = new Int32Array(total + 1);
  const liveQty = new Uint32Array(total + 1);
  let live = 0;
  let nextId = 1;
  let hash = 0x811c9dc5;
  for (let k = 0; k < total; k++) {
    let what = ADD;
    if (k >= resting && live > 0) {
      // About 72% of removal draws remove an order (every cancel, ~45% of fills), so these odds pull
      // the book back towards `resting` from either side: it stays within a few hundred of it.
      const pAdd = live < resting ? 0.5 : 0.35;
      const r = rand();
      what = r < pAdd ? ADD : r < pAdd + (1 - pAdd) * 0.5 ? CANCEL : FILL;
    }
    if (what === ADD) {
      const s = rand() < 0.5 ? 0 : 1;
      const p = s === 0 ? MID - 1 - Math.floor(rand() * 100) : MID + 1 + Math.floor(rand() * 100);
      const q = 1 + Math.floor(rand() * 100);
      const o = nextId++;
      kind[k] = ADD;
      id[k] = o;
      side[k] = s;
      price[k] = p;
      qty[k] = q;
      dense[live] = o;
      pos[o] = live++;
      liveQty[o] = q;
    } else {
      const j = Math.floor(rand() * live);
      const o = dense[j]!;
      let removed = true;
      kind[k] = what;
      id[k] = o;
      if (what === FILL) {
        const q = liveQty[o]!;
        const f = rand() < 0.4 ? q : 1 + Math.floor(rand() * q);
        qty[k] = f;
        removed = f >= q;
        liveQty[o] = q - Math.min(f, q);
      }
      if (removed) {
        const last = dense[--live]!;
        dense[j] = last;
        pos[last] = j;
      }
    }
    hash = Math.imul(hash ^ (kind[k]! * 7 + id[k]! * 31 + qty[k]! * 131 + price[k]!), 0x01000193) >>> 0;
  }
  return { kind, id, side, price, qty, prefill: resting, length: total, hash: hash.toString(16) };
}

/** A book the driver feeds events to. */
export interface Book {
  apply(s: Stream, k: number): void;
  /** `orders:restingQty:filledQty`: equal on every subject for the same stream. */
  checksum(): string;
  dispose(): void;
}

interface Order {
  id: number;
  side: number;
  price: number;
  qty: number;
  ts: number;
}

/** Plain JavaScript: one object per order in a Map by id. */
export class ObjectBook implements Book {
  private readonly orders = new Map<number, Order>();
  private readonly levels = new Float64Array(2 * LEVELS);
  private filled = 0;

  apply(s: Stream, k: number): void {
    const kind = s.kind[k]!;
    const id = s.id[k]!;
    if (kind === ADD) {
      const o: Order = { id, side: s.side[k]!, price: s.price[k]!, qty: s.qty[k]!, ts: k };
      this.orders.set(id, o);
      this.levels[o.side * LEVELS + o.price] = this.levels[o.side * LEVELS + o.price]! + o.qty;
    } else if (kind === CANCEL) {
      const o = this.orders.get(id)!;
      this.levels[o.side * LEVELS + o.price] = this.levels[o.side * LEVELS + o.price]! - o.qty;
      this.orders.delete(id);
    } else {
      const o = this.orders.get(id)!;
      const f = s.qty[k]!;
      const take = f < o.qty ? f : o.qty;
      this.levels[o.side * LEVELS + o.price] = this.levels[o.side * LEVELS + o.price]! - take;
      this.filled += take;
      if (f >= o.qty) this.orders.delete(id);
      else o.qty -= f;
    }
  }

  checksum(): string {
    let resting = 0;
    for (let i = 0; i < this.levels.length; i++) resting += this.levels[i]!;
    return `${this.orders.size}:${resting}:${this.filled}`;
  }

  dispose(): void {
    this.orders.clear();
  }
}

/**
 * A backend's fixed pool: each order is a 64-byte slot (id, price, qty, ts as f64 at 0/8/16/24, side
 * as u32 at 32) read and written through typed-array views made once; a Map from id to handle.
 */
export class PoolBook implements Book {
  private readonly pool;
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;
  private readonly index = new Map<number, number>();
  private readonly levels = new Float64Array(2 * LEVELS);
  private filled = 0;

  constructor(backend: Backend, capacity: number) {
    this.pool = backend.createFixedPool(64, capacity);
    this.f64 = new Float64Array(this.pool.memory);
    this.u32 = new Uint32Array(this.pool.memory);
  }

  apply(s: Stream, k: number): void {
    const kind = s.kind[k]!;
    const id = s.id[k]!;
    const f64 = this.f64;
    if (kind === ADD) {
      const h = this.pool.alloc();
      if (h === 0) throw new Error('order pool exhausted');
      // Handles are byte offsets; this pool is far below 4 GiB, so `>>> 3` is exact here.
      const o = h >>> 3;
      const side = s.side[k]!;
      const price = s.price[k]!;
      const qty = s.qty[k]!;
      f64[o] = id;
      f64[o + 1] = price;
      f64[o + 2] = qty;
      f64[o + 3] = k;
      this.u32[(h >>> 2) + 8] = side;
      this.index.set(id, h);
      this.levels[side * LEVELS + price] = this.levels[side * LEVELS + price]! + qty;
    } else {
      const h = this.index.get(id)!;
      const o = h >>> 3;
      const level = this.u32[(h >>> 2) + 8]! * LEVELS + f64[o + 1]!;
      const q = f64[o + 2]!;
      if (kind === CANCEL) {
        this.levels[level] = this.levels[level]! - q;
        this.index.delete(id);
        this.pool.free(h);
      } else {
        const f = s.qty[k]!;
        const take = f < q ? f : q;
        this.levels[level] = this.levels[level]! - take;
        this.filled += take;
        if (f >= q) {
          this.index.delete(id);
          this.pool.free(h);
        } else f64[o + 2] = q - f;
      }
    }
  }

  checksum(): string {
    let resting = 0;
    for (let i = 0; i < this.levels.length; i++) resting += this.levels[i]!;
    return `${this.index.size}:${resting}:${this.filled}`;
  }

  dispose(): void {
    this.pool.destroy();
  }
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

interface Pass {
  readonly totalMs: number;
  readonly perEvent: Float64Array;
  readonly gcCount: number;
  readonly gcMs: number;
  readonly checksum: string;
}

/** One timed pass of the stream on a fresh book: per-batch latency and the GC pauses inside it. */
async function timedPass(stream: Stream, makeBook: () => Book, events: number): Promise<Pass> {
  (globalThis as { gc?: () => void }).gc?.();
  const book = makeBook();
  for (let k = 0; k < stream.prefill; k++) book.apply(stream, k);

  const gcs: { start: number; duration: number }[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, duration: e.duration });
  });
  obs.observe({ entryTypes: ['gc'] });

  const batches = Math.floor(events / BATCH);
  const perEvent = new Float64Array(batches);
  const start = performance.now();
  let k = stream.prefill;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    const end = k + BATCH;
    for (; k < end; k++) book.apply(stream, k);
    perEvent[b] = ((performance.now() - t0) * 1e6) / BATCH;
  }
  for (; k < stream.length; k++) book.apply(stream, k);
  const end = performance.now();
  // 'gc' entries arrive asynchronously: let the observer catch up before reading them.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  const checksum = book.checksum();
  book.dispose();
  const inRun = gcs.filter((g) => g.start >= start && g.start <= end);
  return { totalMs: end - start, perEvent, gcCount: inRun.length, gcMs: inRun.reduce((a, g) => a + g.duration, 0), checksum };
}

/**
 * Warms the subject up on a throw-away book, then times the whole stream on a fresh book `passes`
 * times and reports the median pass (by total time): one descheduled moment on a busy machine
 * should not decide the figure.
 */
export async function runOrderBook(subject: string, makeBook: () => Book, events: number, passes: number): Promise<Figure> {
  const stream = makeStream(events);
  const warm = makeBook();
  const warmEnd = Math.min(stream.length, stream.prefill + Math.max(50_000, events >> 2));
  for (let k = 0; k < warmEnd; k++) warm.apply(stream, k);
  warm.dispose();

  const runs: Pass[] = [];
  for (let i = 0; i < passes; i++) runs.push(await timedPass(stream, makeBook, events));
  const sums = new Set(runs.map((r) => r.checksum));
  if (sums.size !== 1) throw new Error(`order book passes disagree: ${[...sums].join(' vs ')}`);
  const pass = [...runs].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(runs.length / 2)]!;

  const { perEvent } = pass;
  const batches = perEvent.length;
  let sum = 0;
  let sq = 0;
  for (const v of perEvent) sum += v;
  const mean = sum / batches;
  for (const v of perEvent) sq += (v - mean) ** 2;
  const sd = Math.sqrt(sq / Math.max(1, batches - 1));
  const sorted = perEvent.slice().sort();
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const figure: Figure = {
    scenario: 'orderbook',
    subject,
    unit: `event (add/cancel/fill; ${events.toLocaleString('en-US')} events, ${stream.prefill.toLocaleString('en-US')} resting)`,
    nsPerOp: (pass.totalMs * 1e6) / events,
    rmePercent: ((1.96 * sd) / Math.sqrt(batches) / mean) * 100,
    p99NsPerOp: percentile(sorted, 99),
    samples: batches,
    opsPerSample: BATCH,
    extra: {
      eventsPerSec: Math.round(events / (pass.totalMs / 1000)),
      p50Ns: round1(percentile(sorted, 50)),
      p99Ns: round1(percentile(sorted, 99)),
      p999Ns: round1(percentile(sorted, 99.9)),
      gcCount: pass.gcCount,
      gcTotalMs: Math.round(pass.gcMs * 100) / 100,
      checksum: pass.checksum,
      streamHash: stream.hash,
      events,
      passes,
      eventsPerSecAllPasses: runs.map((r) => Math.round(events / (r.totalMs / 1000))).join(' '),
    },
  };
  process.stderr.write(
    `    ${subject.padEnd(10)} orderbook  ${Number(figure.extra!['eventsPerSec']).toLocaleString('en-US')} events/s (median of ${passes})  p50 ${figure.extra!['p50Ns']} ns  p99.9 ${figure.extra!['p999Ns']} ns  GC ${pass.gcCount}× ${pass.gcMs.toFixed(1)} ms  [${pass.checksum}]\n`,
  );
  return figure;
}
