import type { HandleIndex } from './orderbook.js';

/**
 * An open-addressing hash index from order id to handle, in two typed arrays: what a pool-backed
 * book uses when ids are not dense enough to index an array. Linear probing over a power-of-two
 * table at most half full, Fibonacci hashing (the high bits of `id * 2^32/phi`), and backward-shift
 * deletion, so no tombstones pile up under churn. Nothing in it is on the JavaScript heap per order.
 */
export class HashIndex implements HandleIndex {
  /** `id + 1` per cell; 0 is an empty cell. */
  private readonly keys: Uint32Array;
  private readonly handles: Float64Array;
  private readonly mask: number;
  private readonly shift: number;
  private count = 0;

  constructor(capacity: number) {
    const bits = Math.max(4, Math.ceil(Math.log2(capacity * 2)));
    this.keys = new Uint32Array(2 ** bits);
    this.handles = new Float64Array(2 ** bits);
    this.mask = 2 ** bits - 1;
    this.shift = 32 - bits;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The cell holding `id`, which must be present (the book only looks up resting orders). */
  private find(id: number): number {
    const key = id + 1;
    let i = this.home(key);
    while (this.keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  get(id: number): number {
    return this.handles[this.find(id)]!;
  }

  set(id: number, handle: number): void {
    let i = this.home(id + 1);
    while (this.keys[i] !== 0) i = (i + 1) & this.mask;
    this.keys[i] = id + 1;
    this.handles[i] = handle;
    this.count++;
  }

  delete(id: number): void {
    const { keys, handles, mask } = this;
    let hole = this.find(id);
    // Backward shift: move later entries of the run into the hole when their home cell is not
    // cyclically between the hole and where they sit, so every probe still finds them.
    for (let j = (hole + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const home = this.home(keys[j]!);
      const stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        keys[hole] = keys[j]!;
        handles[hole] = handles[j]!;
        hole = j;
      }
    }
    keys[hole] = 0;
    this.count--;
  }

  get size(): number {
    return this.count;
  }
}
