import { expect } from 'vitest';
import type { Arena, ArenaStats, FixedPool, FixedPoolStats } from '@mempool/api';
import { encodeMark, markGeneration, markOffset, MARK_GENERATIONS } from '@mempool/api';
import { expectFilled } from '../support.js';

/**
 * Plain, obviously-correct models of the contract's two allocators, written from the contract (docs/CONTRACT.md)
 * rather than from any backend: the model-based runs and the reference trace compare backends
 * against them.
 */
export class PoolModel {
  readonly freed: number[] = [];
  untouched = 0;
  /** Live handle -> fill tag. */
  readonly live = new Map<number, number>();
  peakAllocated = 0;
  allocCount = 0;
  freeCount = 0;
  failedAllocs = 0;

  constructor(
    readonly objectSize: number,
    readonly capacity: number,
    readonly align: number,
  ) {}

  get slotSize(): number {
    return Math.ceil(this.objectSize / this.align) * this.align;
  }
  get dataOffset(): number {
    return Math.max(64, this.align);
  }

  alloc(tag: number): number {
    let handle: number;
    if (this.freed.length > 0) handle = this.freed.pop()!;
    else if (this.untouched < this.capacity) handle = this.dataOffset + this.untouched++ * this.slotSize;
    else {
      this.failedAllocs++;
      return 0;
    }
    this.live.set(handle, tag);
    this.allocCount++;
    this.peakAllocated = Math.max(this.peakAllocated, this.live.size);
    return handle;
  }

  free(handle: number): void {
    this.live.delete(handle);
    this.freed.push(handle);
    this.freeCount++;
  }

  reset(): void {
    this.live.clear();
    this.freed.length = 0;
    this.untouched = 0;
  }

  stats(): FixedPoolStats {
    return {
      objectSize: this.objectSize,
      slotSize: this.slotSize,
      capacity: this.capacity,
      allocated: this.live.size,
      available: this.capacity - this.live.size,
      peakAllocated: this.peakAllocated,
      allocCount: this.allocCount,
      freeCount: this.freeCount,
      failedAllocs: this.failedAllocs,
    };
  }

  /** Every invariant of a pool, checked against the real one. */
  check(real: FixedPool): void {
    const stats = real.stats();
    expect(stats).toEqual(this.stats());
    expect(stats.allocated + stats.available).toBe(stats.capacity);
    for (const [handle, tag] of this.live) {
      expect(handle % this.align).toBe(0);
      expect((handle - this.dataOffset) % this.slotSize).toBe(0);
      expect(handle >= this.dataOffset && handle + this.slotSize <= real.memory.byteLength).toBe(true);
      expectFilled(real.memory, handle, this.objectSize, tag);
    }
  }
}

export interface ArenaAllocation {
  readonly handle: number;
  readonly size: number;
  readonly align: number;
  readonly tag: number;
}

export class ArenaModel {
  end: number;
  generation = 0;
  readonly live: ArenaAllocation[] = [];
  allocations = 0;
  peakOffset = 0;
  failedAllocs = 0;

  constructor(
    readonly bufferSize: number,
    readonly dataOffset = 64,
  ) {
    this.end = dataOffset;
  }

  alloc(size: number, align: number, tag: number): number {
    const start = Math.ceil(this.end / align) * align;
    if (start + size > this.dataOffset + this.bufferSize) {
      this.failedAllocs++;
      return 0;
    }
    this.end = start + size;
    this.allocations++;
    this.peakOffset = Math.max(this.peakOffset, this.end - this.dataOffset);
    this.live.push({ handle: start, size, align, tag });
    return start;
  }

  mark(): number {
    return encodeMark(this.generation, this.end - this.dataOffset);
  }

  /** Whether `rewind(mark)` must succeed. */
  accepts(mark: number): boolean {
    return markGeneration(mark) === this.generation % MARK_GENERATIONS && markOffset(mark) <= this.end - this.dataOffset;
  }

  rewind(mark: number): void {
    this.end = this.dataOffset + markOffset(mark);
    // An allocation that straddles the new end lost its tail: it is gone too.
    while (this.live.length > 0) {
      const last = this.live[this.live.length - 1]!;
      if (last.handle + last.size <= this.end) break;
      this.live.pop();
    }
  }

  reset(): void {
    this.end = this.dataOffset;
    this.generation++;
    this.live.length = 0;
  }

  stats(): ArenaStats {
    const offset = this.end - this.dataOffset;
    return {
      bufferSize: this.bufferSize,
      offset,
      remaining: this.bufferSize - offset,
      allocations: this.allocations,
      peakOffset: this.peakOffset,
      failedAllocs: this.failedAllocs,
    };
  }

  /** Every invariant of an arena, checked against the real one. */
  check(real: Arena): void {
    expect(real.stats()).toEqual(this.stats());
    let previousEnd = this.dataOffset;
    for (const { handle, size, align, tag } of this.live) {
      expect(handle).toBeGreaterThanOrEqual(previousEnd);
      expect(handle % align).toBe(0);
      expect(handle + size).toBeLessThanOrEqual(this.dataOffset + this.bufferSize);
      expect(handle + size).toBeLessThanOrEqual(real.memory.byteLength);
      expectFilled(real.memory, handle, size, tag);
      previousEnd = handle + size;
    }
  }
}
