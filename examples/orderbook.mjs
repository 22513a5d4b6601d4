// An order book with nothing on the JavaScript heap per order: orders are layout records in a
// fixed pool, found by id through a HandleMap, and each price level is a FIFO of orders linked
// through handles stored in the records themselves (prev/next), so matching walks memory, not
// objects. `node examples/orderbook.mjs [js|wasm|native] [events]`.
import { createRecordPool, defineLayout, loadBackend } from '@mempool/api';
import { HandleMap } from '@mempool/collections';

const backendName = process.argv[2] ?? 'js';
const EVENTS = Number(process.argv[3] ?? 300_000);
const backend = await loadBackend(backendName);

const Order = defineLayout({ id: 'u32', side: 'u32', price: 'u32', qty: 'u32', prev: 'u32', next: 'u32' }, { name: 'Order' });
const TICKS = 2_000;
const BID = 0;
const ASK = 1;

class Book {
  constructor(capacity) {
    this.orders = createRecordPool(backend, Order, capacity);
    this.o = Order.view(this.orders.memory);
    this.byId = new HandleMap(1024); // a hint; it grows by rehashing as the book does
    // Per side and price: the level's first and last order (handles) and its resting quantity.
    this.head = new Uint32Array(2 * TICKS);
    this.tail = new Uint32Array(2 * TICKS);
    this.depth = new Float64Array(2 * TICKS);
    this.bestBid = -1;
    this.bestAsk = TICKS;
    this.traded = 0;
  }

  /** A limit order: trades against the other side while it crosses, then rests what is left. */
  add(id, side, price, qty) {
    const o = this.o;
    if (side === BID) {
      while (qty > 0 && this.bestAsk <= price) qty = this.take(ASK, this.bestAsk, qty);
    } else {
      while (qty > 0 && this.bestBid >= price) qty = this.take(BID, this.bestBid, qty);
    }
    if (qty === 0) return;
    const h = this.orders.alloc();
    if (h === 0) throw new Error('order pool exhausted');
    const level = side * TICKS + price;
    o.id.set(h, id);
    o.side.set(h, side);
    o.price.set(h, price);
    o.qty.set(h, qty);
    o.next.set(h, 0);
    o.prev.set(h, this.tail[level]);
    if (this.tail[level] === 0) this.head[level] = h;
    else o.next.set(this.tail[level], h);
    this.tail[level] = h;
    this.depth[level] += qty;
    this.byId.set(id, h);
    if (side === BID && price > this.bestBid) this.bestBid = price;
    if (side === ASK && price < this.bestAsk) this.bestAsk = price;
  }

  /** Fills up to `qty` from the level's oldest orders; returns what is left to fill. */
  take(side, price, qty) {
    const o = this.o;
    const level = side * TICKS + price;
    while (qty > 0 && this.head[level] !== 0) {
      const h = this.head[level];
      const resting = o.qty.get(h);
      const fill = Math.min(qty, resting);
      qty -= fill;
      this.traded += fill;
      if (fill === resting) this.remove(h);
      else {
        o.qty.set(h, resting - fill);
        this.depth[level] -= fill;
      }
    }
    return qty;
  }

  cancel(id) {
    const h = this.byId.get(id);
    if (h !== 0) this.remove(h); // 0: already filled or cancelled
  }

  /** Unlinks the order from its level, drops it from the index and frees its record. */
  remove(h) {
    const o = this.o;
    const side = o.side.get(h);
    const price = o.price.get(h);
    const level = side * TICKS + price;
    const prev = o.prev.get(h);
    const next = o.next.get(h);
    if (prev === 0) this.head[level] = next;
    else o.next.set(prev, next);
    if (next === 0) this.tail[level] = prev;
    else o.prev.set(next, prev);
    this.depth[level] -= o.qty.get(h);
    this.byId.delete(o.id.get(h));
    this.orders.free(h);
    if (this.head[level] === 0) {
      if (side === BID && price === this.bestBid) while (this.bestBid >= 0 && this.head[this.bestBid] === 0) this.bestBid--;
      if (side === ASK && price === this.bestAsk) while (this.bestAsk < TICKS && this.head[TICKS + this.bestAsk] === 0) this.bestAsk++;
    }
  }

  /** Walks every level's list: counts, quantities, links and the index must all agree. */
  check() {
    const o = this.o;
    let count = 0;
    for (let level = 0; level < 2 * TICKS; level++) {
      let qty = 0;
      let prev = 0;
      for (let h = this.head[level]; h !== 0; prev = h, h = o.next.get(h)) {
        if (o.prev.get(h) !== prev) throw new Error(`broken link at level ${level}`);
        if (this.byId.get(o.id.get(h)) !== h) throw new Error(`order ${o.id.get(h)} is not indexed at its handle`);
        qty += o.qty.get(h);
        count++;
      }
      if (prev !== this.tail[level] || qty !== this.depth[level]) throw new Error(`level ${level} disagrees with its list`);
    }
    if (count !== this.byId.size || count !== this.orders.stats().allocated) throw new Error('index, lists and pool disagree');
    if (this.bestBid >= this.bestAsk) throw new Error('crossed book');
    return count;
  }
}

/** mulberry32: the same events on every run and backend. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(42);
const book = new Book(EVENTS);
const live = [];
let nextId = 1;
const started = performance.now();
for (let e = 0; e < EVENTS; e++) {
  if (live.length > 0 && rand() < 0.4) {
    const j = Math.floor(rand() * live.length);
    book.cancel(live[j]);
    live[j] = live[live.length - 1];
    live.pop();
  } else {
    // Ids are sparse (an exchange's ids are not a dense 1..n here): the HandleMap does not care.
    const id = (nextId++ * 2654435761) >>> 0;
    const side = rand() < 0.5 ? BID : ASK;
    const price = TICKS / 2 + Math.floor((rand() - (side === BID ? 0.55 : 0.45)) * 100);
    book.add(id, side, price, 1 + Math.floor(rand() * 50));
    live.push(id);
  }
}
const ns = ((performance.now() - started) * 1e6) / EVENTS;
const resting = book.check();
console.log(
  `order book on ${backend.name}: ${EVENTS} events, ${ns.toFixed(0)} ns/event, ${resting} resting, ${book.traded} traded, ` +
    `best ${book.bestBid}/${book.bestAsk}, index ${book.byId.byteLength} bytes for ${book.byId.size} ids`,
);
book.orders.destroy();
