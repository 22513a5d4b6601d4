import { ObjectPool } from './object-pool.js';
import type { Order, Slots } from './orderbook.js';
import { measurePoint, warmUp, type Instance, type SweepPoint } from '../sweep.js';

/**
 * Allocation churn: `live` objects stay alive; each event picks one at random (xorshift32, the
 * same sequence on every subject), reads its `qty`, frees it and allocates a fresh one in its place
 * (five numeric fields written). Objects therefore live for about `live` events: with a million
 * alive, plain objects survive into V8's old generation and die there, which is where collections
 * cost milliseconds.
 */
export abstract class Churn implements Instance {
  private x = 0x9e3779b9;
  private k = 0;
  private sum = 0;

  constructor(protected readonly live: number) {}

  /** Allocates the `live` objects (untimed). */
  fill(): void {
    for (; this.k < this.live; this.k++) this.place(this.k, this.k);
  }

  /** `n` replacements. */
  step(n: number): void {
    const live = this.live;
    let x = this.x;
    let sum = this.sum;
    let k = this.k;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      sum += this.replace((x >>> 0) % live, k++);
    }
    this.x = x;
    this.sum = sum;
    this.k = k;
  }

  /** The sum of the `qty` read from replaced objects: the same on every subject. */
  checksum(): string {
    return String(this.sum);
  }

  /** Creates object `k` at position `j` (`fill` only). */
  protected abstract place(j: number, k: number): void;
  /** Frees the object at `j`, creates object `k` there; returns the old one's `qty`. */
  protected abstract replace(j: number, k: number): number;
  abstract dispose(): void;
}

/** Makes a churn of `live` objects. */
export type ChurnFactory = (live: number) => Churn;

/** The order book's order: the same five numbers the pools keep in their 64-byte slots. */
type Obj = Order;

const qtyOf = (k: number) => (k & 127) + 1;

/** Plain objects: a new literal each time, the old one left to the collector. */
export class ObjectChurn extends Churn {
  private readonly objs: Obj[] = [];
  protected place(j: number, k: number): void {
    this.objs[j] = { id: k, price: k * 0.5, qty: qtyOf(k), ts: k, side: k & 1 };
  }
  protected replace(j: number, k: number): number {
    const q = this.objs[j]!.qty;
    this.objs[j] = { id: k, price: k * 0.5, qty: qtyOf(k), ts: k, side: k & 1 };
    return q;
  }
  dispose(): void {
    this.objs.length = 0;
  }
}

/** The same objects through a hand-written object pool: released, then reused. */
export class PooledObjectChurn extends Churn {
  private readonly objs: Obj[] = [];
  private readonly pool: ObjectPool<Obj>;
  constructor(live: number) {
    super(live);
    this.pool = new ObjectPool<Obj>(() => ({ id: 0, price: 0, qty: 0, ts: 0, side: 0 }), live);
  }
  private fresh(k: number): Obj {
    const o = this.pool.acquire();
    o.id = k;
    o.price = k * 0.5;
    o.qty = qtyOf(k);
    o.ts = k;
    o.side = k & 1;
    return o;
  }
  protected place(j: number, k: number): void {
    this.objs[j] = this.fresh(k);
  }
  protected replace(j: number, k: number): number {
    const old = this.objs[j]!;
    const q = old.qty;
    this.pool.release(old);
    this.objs[j] = this.fresh(k);
    return q;
  }
  dispose(): void {
    this.objs.length = 0;
  }
}

/** 64-byte slots from a pool (a backend's, or MemPool's), the handles in a `Uint32Array`. */
export class SlotChurn extends Churn {
  private readonly handles: Uint32Array;
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;
  constructor(
    private readonly slots: Slots,
    live: number,
  ) {
    super(live);
    this.handles = new Uint32Array(live);
    this.f64 = new Float64Array(slots.memory);
    this.u32 = new Uint32Array(slots.memory);
  }
  private fresh(k: number): number {
    const h = this.slots.alloc();
    if (h === 0) throw new Error('pool exhausted');
    // Handles are byte offsets far below 4 GiB here, so `>>>` is exact.
    const o = h >>> 3;
    this.f64[o] = k;
    this.f64[o + 1] = k * 0.5;
    this.f64[o + 2] = qtyOf(k);
    this.f64[o + 3] = k;
    this.u32[(h >>> 2) + 8] = k & 1;
    return h;
  }
  protected place(j: number, k: number): void {
    this.handles[j] = this.fresh(k);
  }
  protected replace(j: number, k: number): number {
    const h = this.handles[j]!;
    const q = this.f64[(h >>> 3) + 2]!;
    this.slots.free(h);
    this.handles[j] = this.fresh(k);
    return q;
  }
  dispose(): void {
    this.slots.destroy();
  }
}

/** Replacements per event batch for the latency percentiles. */
const CHURN_BATCH = 64;

/** Timed replacements per size: at a million live, every object is replaced three times over. */
export function churnEvents(live: number, quick: boolean): number {
  if (quick) return 200_000;
  return Math.max(2_000_000, 3 * live);
}

/** Warms the subject up on a small churn, then measures the point: each pass fills `live` objects (untimed) and times the replacements. */
export async function runChurn(
  subject: string,
  make: ChurnFactory,
  live: number,
  events: number,
  passes: number,
  limitMs: number,
): Promise<SweepPoint> {
  const warm = make(1_000);
  warm.fill();
  warmUp((n) => warm.step(n), 200_000, 4096);
  warm.dispose();

  return measurePoint({ workload: 'churn', subject, live, events, batch: CHURN_BATCH, passes, limitMs }, () => make(live));
}
