import { array, defineLayout, type FixedPool } from '@mempool/api';
import { ObjectPool } from './object-pool.js';
import { measurePoint, warmUp, type SweepPoint } from '../sweep.js';
import { mulberry32 } from '@mempool/conformance/random';

/**
 * The library's first use case: an order book holding `resting` orders through a stream of
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
  /** The most orders resting at once: what a pool must hold. */
  readonly peakLive: number;
  readonly hash: string;
}

export function makeStream(events: number, resting = 10_000, seed = 0x5eed): Stream {
  const total = resting + events;
  const rand = mulberry32(seed);
  const kind = new Uint8Array(total);
  const id = new Uint32Array(total);
  const side = new Uint8Array(total);
  const price = new Uint32Array(total);
  const qty = new Uint32Array(total);
  const dense = new Uint32Array(total);
  const pos = new Int32Array(total + 1);
  const liveQty = new Uint32Array(total + 1);
  let live = 0;
  let peakLive = 0;
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
      if (live > peakLive) peakLive = live;
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
  return { kind, id, side, price, qty, prefill: resting, length: total, peakLive, hash: hash.toString(16) };
}

/** A book the driver feeds events to. */
export interface Book {
  apply(s: Stream, k: number): void;
  /** `orders:restingQty:filledQty`: equal on every subject for the same stream. */
  checksum(): string;
  dispose(): void;
}

/** Makes a fresh book that holds up to `capacity` orders whose ids are below `maxId`. */
export type BookFactory = (capacity: number, maxId: number) => Book;

/** One resting order as a JavaScript object. */
export interface Order {
  id: number;
  side: number;
  price: number;
  qty: number;
  ts: number;
}

/** Plain JavaScript: one object literal per order, in a Map by id (what people write today). */
export class ObjectBook implements Book {
  private readonly orders = new Map<number, Order>();
  private readonly levels = new Float64Array(2 * LEVELS);
  private filled = 0;

  /** A new order object; the pooled book takes one from its free list instead. */
  protected newOrder(id: number, side: number, price: number, qty: number, ts: number): Order {
    return { id, side, price, qty, ts };
  }

  /** The order left the book: garbage here, back to the free list in the pooled book. */
  protected dropOrder(_o: Order): void {}

  apply(s: Stream, k: number): void {
    const kind = s.kind[k]!;
    const id = s.id[k]!;
    if (kind === ADD) {
      const o = this.newOrder(id, s.side[k]!, s.price[k]!, s.qty[k]!, k);
      this.orders.set(id, o);
      this.levels[o.side * LEVELS + o.price] = this.levels[o.side * LEVELS + o.price]! + o.qty;
    } else if (kind === CANCEL) {
      const o = this.orders.get(id)!;
      this.levels[o.side * LEVELS + o.price] = this.levels[o.side * LEVELS + o.price]! - o.qty;
      this.orders.delete(id);
      this.dropOrder(o);
    } else {
      const o = this.orders.get(id)!;
      const f = s.qty[k]!;
      const take = f < o.qty ? f : o.qty;
      this.levels[o.side * LEVELS + o.price] = this.levels[o.side * LEVELS + o.price]! - take;
      this.filled += take;
      if (f >= o.qty) {
        this.orders.delete(id);
        this.dropOrder(o);
      } else o.qty -= f;
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

/** The same book with its order objects reused through a hand-written object pool. */
export class PooledObjectBook extends ObjectBook {
  private readonly pool: ObjectPool<Order>;

  constructor(capacity: number) {
    super();
    this.pool = new ObjectPool<Order>(() => ({ id: 0, side: 0, price: 0, qty: 0, ts: 0 }), capacity);
  }

  protected override newOrder(id: number, side: number, price: number, qty: number, ts: number): Order {
    const o = this.pool.acquire();
    o.id = id;
    o.side = side;
    o.price = price;
    o.qty = qty;
    o.ts = ts;
    return o;
  }

  protected override dropOrder(o: Order): void {
    this.pool.release(o);
  }
}

/** Where a pool book keeps its 64-byte orders: a backend's fixed pool, or `MemPoolSlots`. */
export type Slots = Pick<FixedPool, 'alloc' | 'free' | 'memory' | 'destroy'>;

/** From an order's id to its handle. */
export interface HandleIndex {
  get(id: number): number;
  set(id: number, handle: number): void;
  delete(id: number): void;
  readonly size: number;
}

/** A `Map` from id to handle: the same index structure as the objects' book. */
export class MapIndex implements HandleIndex {
  private readonly map = new Map<number, number>();
  get(id: number): number {
    return this.map.get(id)!;
  }
  set(id: number, handle: number): void {
    this.map.set(id, handle);
  }
  delete(id: number): void {
    this.map.delete(id);
  }
  get size(): number {
    return this.map.size;
  }
}

/**
 * Ids are dense sequence numbers (as an exchange's are), so a `Uint32Array` indexed by id holds the
 * handles: no hashing, and nothing for the collector to trace.
 */
export class IdIndex implements HandleIndex {
  private readonly handles: Uint32Array;
  private count = 0;
  constructor(maxId: number) {
    this.handles = new Uint32Array(maxId + 1);
  }
  get(id: number): number {
    return this.handles[id]!;
  }
  set(id: number, handle: number): void {
    this.handles[id] = handle;
    this.count++;
  }
  delete(id: number): void {
    this.handles[id] = 0;
    this.count--;
  }
  get size(): number {
    return this.count;
  }
}

/**
 * What the two pool books share: the slots, the index from id to handle, the level table and the
 * filled quantity. How an order's fields are read and written is each subclass's (each subject
 * runs in its own process, so `settle` and the index stay monomorphic).
 */
abstract class SlotBook implements Book {
  private readonly levels = new Float64Array(2 * LEVELS);
  private filled = 0;

  constructor(
    protected readonly slots: Slots,
    protected readonly index: HandleIndex,
  ) {}

  abstract apply(s: Stream, k: number): void;

  /** Books a new order at handle `h`. */
  protected rest(id: number, h: number, side: number, price: number, qty: number): void {
    this.index.set(id, h);
    this.levels[side * LEVELS + price] = this.levels[side * LEVELS + price]! + qty;
  }

  /**
   * Takes `f` from the order `id` at `h` resting `q` at `level` (a cancel takes all of it, and only
   * a fill counts as filled); frees the order when nothing is left. Returns what is left.
   */
  protected settle(id: number, h: number, level: number, q: number, f: number, fill: boolean): number {
    const take = f < q ? f : q;
    this.levels[level] = this.levels[level]! - take;
    if (fill) this.filled += take;
    if (take < q) return q - take;
    this.index.delete(id);
    this.slots.free(h);
    return 0;
  }

  checksum(): string {
    let resting = 0;
    for (let i = 0; i < this.levels.length; i++) resting += this.levels[i]!;
    return `${this.index.size}:${resting}:${this.filled}`;
  }

  dispose(): void {
    this.slots.destroy();
  }
}

/**
 * Orders in 64-byte slots (id, price, qty, ts as f64 at 0/8/16/24, side as u32 at 32), read and
 * written through typed-array views made once, found through a `HandleIndex`.
 */
export class PoolBook extends SlotBook {
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;

  constructor(slots: Slots, index: HandleIndex) {
    super(slots, index);
    this.f64 = new Float64Array(slots.memory);
    this.u32 = new Uint32Array(slots.memory);
  }

  apply(s: Stream, k: number): void {
    const kind = s.kind[k]!;
    const id = s.id[k]!;
    const f64 = this.f64;
    if (kind === ADD) {
      const h = this.slots.alloc();
      if (h === 0) throw new Error('order pool exhausted');
      // Handles are byte offsets; these pools are far below 4 GiB, so `>>> 3` is exact here.
      const o = h >>> 3;
      const side = s.side[k]!;
      const price = s.price[k]!;
      const qty = s.qty[k]!;
      f64[o] = id;
      f64[o + 1] = price;
      f64[o + 2] = qty;
      f64[o + 3] = k;
      this.u32[(h >>> 2) + 8] = side;
      this.rest(id, h, side, price, qty);
    } else {
      const h = this.index.get(id);
      const o = h >>> 3;
      const q = f64[o + 2]!;
      const fill = kind === FILL;
      const left = this.settle(id, h, this.u32[(h >>> 2) + 8]! * LEVELS + f64[o + 1]!, q, fill ? s.qty[k]! : q, fill);
      if (left > 0) f64[o + 2] = left;
    }
  }
}

/**
 * The order as a struct layout: the same 64 bytes and offsets as `PoolBook`'s hand-written ones
 * (id, price, qty, ts as f64, side as u32, then padding), read and written by field name.
 */
export const OrderLayout = defineLayout(
  { id: 'f64', price: 'f64', qty: 'f64', ts: 'f64', side: 'u32', reserved: array('u32', 7) },
  { name: 'Order' },
);

/** `PoolBook`, with the fields reached through `OrderLayout`'s accessors instead of by offset. */
export class LayoutBook extends SlotBook {
  private readonly order: ReturnType<typeof OrderLayout.view>;

  constructor(slots: Slots, index: HandleIndex) {
    super(slots, index);
    this.order = OrderLayout.view(slots.memory);
  }

  apply(s: Stream, k: number): void {
    const kind = s.kind[k]!;
    const id = s.id[k]!;
    const order = this.order;
    if (kind === ADD) {
      const h = this.slots.alloc();
      if (h === 0) throw new Error('order pool exhausted');
      const side = s.side[k]!;
      const price = s.price[k]!;
      const qty = s.qty[k]!;
      order.id.set(h, id);
      order.price.set(h, price);
      order.qty.set(h, qty);
      order.ts.set(h, k);
      order.side.set(h, side);
      this.rest(id, h, side, price, qty);
    } else {
      const h = this.index.get(id);
      const q = order.qty.get(h);
      const fill = kind === FILL;
      const left = this.settle(id, h, order.side.get(h) * LEVELS + order.price.get(h), q, fill ? s.qty[k]! : q, fill);
      if (left > 0) order.qty.set(h, left);
    }
  }
}

/** Timed events per size: enough that each run takes seconds, not minutes. */
export function orderBookEvents(resting: number, quick: boolean): number {
  if (quick) return 100_000;
  return resting >= 1_000_000 ? 2_000_000 : 1_000_000;
}

/**
 * Warms the subject up on a small throw-away book, then measures the point: each pass fills a fresh
 * book with `resting` orders (untimed) and times the events.
 */
export async function runOrderBook(
  subject: string,
  makeBook: BookFactory,
  resting: number,
  events: number,
  passes: number,
  limitMs: number,
): Promise<SweepPoint> {
  // The JIT warms up on its own small stream, so the big book's footprint is measured alone.
  const warmStream = makeStream(200_000, 10_000, 0x3a17);
  const warm = makeBook(warmStream.peakLive, warmStream.length);
  let w = 0;
  warmUp(
    (n) => {
      const end = w + n;
      for (; w < end; w++) warm.apply(warmStream, w);
    },
    warmStream.length,
    4096,
  );
  warm.dispose();

  const stream = makeStream(events, resting);
  return measurePoint({ workload: 'orderbook', subject, live: resting, events, batch: BATCH, passes, limitMs }, () => {
    const book = makeBook(stream.peakLive, stream.length);
    let k = 0;
    return {
      fill: () => {
        for (; k < stream.prefill; k++) book.apply(stream, k);
      },
      step: (n) => {
        const end = k + n;
        for (; k < end; k++) book.apply(stream, k);
      },
      checksum: () => `${book.checksum()} (stream ${stream.hash})`,
      dispose: () => book.dispose(),
    };
  });
}
