import { checkInteger, invalidTypeDescribed, outOfMemory } from '@mempool/api';
import { badHandle, badKey } from './checks.js';

/** 2^32 / phi: Fibonacci hashing spreads sequential ids over the table's high bits. */
const PHI = 0x9e37_79b1;
/** The smallest table: 8 cells. */
const MIN_BITS = 3;
/**
 * The largest table: 2^30 cells of 8 bytes (8 GiB), the most a `Uint32Array` holds in Node 20's V8
 * (2^31 elements). Its entries stop at `MAX_LOAD` of it.
 */
const MAX_BITS = 30;
/**
 * Grow when an insert would pass 3/4 of the cells. Linear probing then averages 2.5 cells per
 * present key (20 bytes: almost always the cache line the probe starts in) and 8.5 per absent
 * one. Growing at 1/2 would double the bytes per entry for the sizes just past a power of two.
 */
const MAX_LOAD = 0.75;
/** Most entries a map can hold. */
export const HANDLE_MAP_MAX_SIZE = Math.floor(2 ** MAX_BITS * MAX_LOAD);

/**
 * An id index off the JavaScript heap: u32 keys to handles (non-null u32), in one `Uint32Array` of
 * `[key, handle]` cells: a probe reads the key and the answer from one cache line, where keys
 * and handles in two arrays touch two lines (an A/B of both layouts at 1M-10M keys under the
 * helpers' load was within its noise; the one-line layout is kept for the unloaded case). Open addressing with linear probing over a power of
 * two, Fibonacci hashing, growth by rehashing into a new buffer, and backward-shift deletion, so
 * deletes leave no tombstones however long the churn. A cell whose handle is 0 is empty, which is
 * why 0 (the null handle) cannot be stored and why `get` returns it for a missing key.
 *
 * Nothing is allocated per entry: the garbage collector sees one typed array whatever the size.
 */
export class HandleMap {
  /** `[key, handle]` per cell. */
  private cells: Uint32Array;
  private mask: number;
  private shift: number;
  /** Entries at which the next new key grows the table. */
  private limit: number;
  private count = 0;
  /** Bumped by every insert of a new key, delete and clear: iterations check it. */
  private changes = 0;

  /** `capacity`: how many entries to make room for now (the map grows past it as needed). */
  constructor(capacity?: number) {
    const want = capacity === undefined ? 0 : checkInteger('capacity', capacity, 0, HANDLE_MAP_MAX_SIZE);
    const bits = Math.max(MIN_BITS, Math.ceil(Math.log2(Math.max(1, want / MAX_LOAD))));
    this.cells = allocateCells(bits);
    this.mask = 2 ** bits - 1;
    this.shift = 32 - bits;
    this.limit = Math.floor(2 ** bits * MAX_LOAD);
  }

  /** The handle stored for `key`, or 0 (the null handle) if there is none. */
  get(key: number): number {
    if (typeof key !== 'number' || key >>> 0 !== key) throw badKey(key);
    const cells = this.cells;
    const mask = this.mask;
    for (let i = Math.imul(key, PHI) >>> this.shift; ; i = (i + 1) & mask) {
      const handle = cells[2 * i + 1]!;
      if (handle === 0 || cells[2 * i] === key) return handle;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== 0;
  }

  /** Stores `handle` for `key`, replacing what was there. */
  set(key: number, handle: number): this {
    if (typeof key !== 'number' || key >>> 0 !== key) throw badKey(key);
    if (typeof handle !== 'number' || handle >>> 0 !== handle || handle === 0) throw badHandle(handle);
    const cells = this.cells;
    const mask = this.mask;
    let i = Math.imul(key, PHI) >>> this.shift;
    for (; cells[2 * i + 1] !== 0; i = (i + 1) & mask) {
      if (cells[2 * i] === key) {
        cells[2 * i + 1] = handle;
        return this;
      }
    }
    if (this.count >= this.limit) {
      this.grow();
      this.insertNew(key, handle);
    } else {
      cells[2 * i] = key;
      cells[2 * i + 1] = handle;
    }
    this.count++;
    this.changes++;
    return this;
  }

  /** Removes `key`; false if it was not there. */
  delete(key: number): boolean {
    if (typeof key !== 'number' || key >>> 0 !== key) throw badKey(key);
    const cells = this.cells;
    const mask = this.mask;
    const shift = this.shift;
    let hole = Math.imul(key, PHI) >>> shift;
    for (; ; hole = (hole + 1) & mask) {
      if (cells[2 * hole + 1] === 0) return false;
      if (cells[2 * hole] === key) break;
    }
    // Backward shift: an entry later in the run moves into the hole unless its home cell lies
    // cyclically after the hole (then the hole is not on its probe path), so every probe still
    // finds every key and no tombstone is left behind.
    for (let j = (hole + 1) & mask; cells[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const k = cells[2 * j]!;
      if (((j - (Math.imul(k, PHI) >>> shift)) & mask) >= ((j - hole) & mask)) {
        cells[2 * hole] = k;
        cells[2 * hole + 1] = cells[2 * j + 1]!;
        hole = j;
      }
    }
    cells[2 * hole] = 0;
    cells[2 * hole + 1] = 0;
    this.count--;
    this.changes++;
    return true;
  }

  /** Removes every entry, keeping the table's size. */
  clear(): void {
    this.cells.fill(0);
    this.count = 0;
    this.changes++;
  }

  get size(): number {
    return this.count;
  }

  /** Cells in the table (entries it holds before it grows: `capacity * 0.75`). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Bytes the table takes: all of the map's memory but a fixed few fields. */
  get byteLength(): number {
    return this.cells.byteLength;
  }

  /**
   * Calls `fn(handle, key, map)` for each entry, in table order. `fn` may delete the entry it is
   * given (as with `Map`); any other insert or delete during the walk throws, because a shifted
   * or rehashed table would skip or repeat entries.
   */
  forEach(fn: (handle: number, key: number, map: HandleMap) => void): void {
    if (typeof fn !== 'function') throw invalidTypeDescribed('fn', 'a function', typeof fn);
    for (const i of this.walk('forEach')) fn(this.cells[2 * i + 1]!, this.cells[2 * i]!, this);
  }

  *keys(): IterableIterator<number> {
    for (const i of this.walk('keys')) yield this.cells[2 * i]!;
  }

  *values(): IterableIterator<number> {
    for (const i of this.walk('values')) yield this.cells[2 * i + 1]!;
  }

  /** `[key, handle]` pairs (one array per entry: use `forEach` to allocate nothing). */
  *entries(): IterableIterator<[number, number]> {
    for (const i of this.walk('entries')) yield [this.cells[2 * i]!, this.cells[2 * i + 1]!];
  }

  [Symbol.iterator](): IterableIterator<[number, number]> {
    return this.entries();
  }

  /**
   * The occupied cells, starting after an empty one so that no run of entries wraps around the
   * start: a backward shift after deleting the current entry then only moves entries not yet
   * visited into the current cell or later, which is visited again.
   */
  private *walk(method: string): Generator<number, void, undefined> {
    const cells = this.cells;
    const mask = this.mask;
    let start = 0;
    while (cells[2 * start + 1] !== 0) start++;
    let seen = this.changes;
    for (let n = 1; n <= mask + 1; n++) {
      const i = (start + n) & mask;
      const key = cells[2 * i]!;
      if (cells[2 * i + 1] === 0) continue;
      yield i;
      if (this.changes === seen) continue;
      if (this.changes !== seen + 1 || this.cells !== cells || this.has(key)) {
        throw invalidTypeDescribed(
          `the map during HandleMap.${method}()`,
          'changed only by deleting the entry being visited',
          'an insert or the delete of another key',
        );
      }
      seen = this.changes;
      n--; // the cell now holds the next entry of the run, or nothing
    }
  }

  /** Rehashes every entry into a table twice the size. */
  private grow(): void {
    const bits = 32 - this.shift + 1;
    if (bits > MAX_BITS) throw outOfMemory(2 ** bits * 8, undefined, `a HandleMap of more than ${HANDLE_MAP_MAX_SIZE} entries`);
    const old = this.cells;
    this.cells = allocateCells(bits);
    this.mask = 2 ** bits - 1;
    this.shift = 32 - bits;
    this.limit = Math.floor(2 ** bits * MAX_LOAD);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insertNew(old[i]!, old[i + 1]!);
  }

  /** Puts a key known to be absent into the first empty cell of its probe. */
  private insertNew(key: number, handle: number): void {
    const cells = this.cells;
    const mask = this.mask;
    let i = Math.imul(key, PHI) >>> this.shift;
    while (cells[2 * i + 1] !== 0) i = (i + 1) & mask;
    cells[2 * i] = key;
    cells[2 * i + 1] = handle;
  }
}

function allocateCells(bits: number): Uint32Array {
  try {
    return new Uint32Array(2 * 2 ** bits);
  } catch (cause) {
    throw outOfMemory(2 ** bits * 8, cause, `a HandleMap table of ${2 ** bits} cells`);
  }
}
