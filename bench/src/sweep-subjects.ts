import { AUTO_ORDER, createRecordPool, loadBackend, type BackendName } from '@mempool/api';
import { MemPool } from '@thi.ng/malloc';
import { ObjectChurn, PooledObjectChurn, SlotChurn, type ChurnFactory } from './scenarios/churn.js';
import { HandleMap } from '@mempool/collections';
import {
  IdIndex,
  LayoutBook,
  MapIndex,
  ObjectBook,
  OrderLayout,
  PooledObjectBook,
  PoolBook,
  type BookFactory,
  type Slots,
} from './scenarios/orderbook.js';

/**
 * Who the scale sweeps measure. Adding a subject is one entry here: give it a `key` (used in the
 * child's id), a `name` (tables, charts) and a factory for each workload it runs.
 */
export interface SweepSubject {
  readonly key: string;
  readonly name: string;
  /** One line for the README: what this subject's storage and index are. */
  readonly about: string;
  /** Loads what the subject needs (a backend), then makes order books. */
  readonly orderbook?: () => Promise<BookFactory>;
  /** Loads what the subject needs, then makes churns. */
  readonly churn?: () => Promise<ChurnFactory>;
}

/** `@thi.ng/malloc`'s MemPool as 64-byte slots (a general malloc/free over one ArrayBuffer). */
class MemPoolSlots implements Slots {
  private readonly pool: MemPool;
  readonly memory: ArrayBuffer;
  constructor(capacity: number) {
    // 64 bytes plus MemPool's 8-byte block header each, and room for its own state.
    this.pool = new MemPool({ size: 4096 + capacity * 80 });
    this.memory = this.pool.buf as ArrayBuffer;
  }
  alloc(): number {
    return this.pool.malloc(64);
  }
  free(handle: number): void {
    if (!this.pool.free(handle)) throw new Error(`MemPool refused to free ${handle}`);
  }
  destroy(): void {
    this.pool.release();
  }
}

const backendSubject = (b: BackendName): SweepSubject => ({
  key: b,
  name: b,
  about: `the ${b} backend's fixed pool of 64-byte slots, handles in a \`Map\` by id`,
  orderbook: async () => {
    const backend = await loadBackend(b);
    return (capacity) => new PoolBook(backend.createFixedPool(64, capacity), new MapIndex());
  },
  churn: async () => {
    const backend = await loadBackend(b);
    return (live) => new SlotChurn(backend.createFixedPool(64, live), live);
  },
});

export const SWEEP_SUBJECTS: readonly SweepSubject[] = [
  {
    key: 'objects',
    name: 'objects',
    about: 'one object literal per order, in a `Map` by id: what people write without a pool',
    orderbook: async () => () => new ObjectBook(),
    churn: async () => (live) => new ObjectChurn(live),
  },
  {
    key: 'object-pool',
    name: 'object pool',
    about: 'the same objects reused through a hand-written pool (an array of free objects), in a `Map` by id',
    orderbook: async () => (capacity) => new PooledObjectBook(capacity),
    churn: async () => (live) => new PooledObjectChurn(live),
  },
  {
    key: 'mempool',
    name: 'MemPool',
    about: "`@thi.ng/malloc`'s `MemPool`: `malloc(64)`/`free` over one `ArrayBuffer`, addresses in a `Map` by id",
    orderbook: async () => (capacity) => new PoolBook(new MemPoolSlots(capacity), new MapIndex()),
    churn: async () => (live) => new SlotChurn(new MemPoolSlots(live), live),
  },
  ...AUTO_ORDER.map(backendSubject),
  {
    key: 'js-id-index',
    name: 'js, id index',
    about: "the js backend's pool with the handles in a `Uint32Array` indexed by id (ids are dense), so no `Map` at all",
    orderbook: async () => {
      const backend = await loadBackend('js');
      return (capacity, maxId) => new PoolBook(backend.createFixedPool(64, capacity), new IdIndex(maxId));
    },
  },
  {
    key: 'js-layout-hash',
    name: 'js, layout, hash index',
    about:
      "the js backend's pool of `OrderLayout` records (fields by name), handles in `@mempool/collections`' `HandleMap` (open addressing over one typed array): for ids too sparse to index an array",
    orderbook: async () => {
      const backend = await loadBackend('js');
      return (capacity) => new LayoutBook(createRecordPool(backend, OrderLayout, capacity), new HandleMap(capacity));
    },
  },
];
