import { describe, expect, it } from 'vitest';
import { attachHandleQueue, createHandleQueue, type HandleQueue, type QueueMode } from '../src/index.js';
import { W_CELLS, W_HEAD, W_TAIL } from '../src/queue-layout.js';

const MODES: readonly QueueMode[] = ['spsc', 'mpmc'];
const coded = { code: 'ERR_MEMPOOL_INVALID_ARGUMENT' };

/** Moves a new, empty queue's positions to `pos`, as if `pos` handles had passed through it. */
function startAt(q: HandleQueue, pos: number): void {
  const words = new Int32Array(q.memory);
  words[W_HEAD] = pos;
  words[W_TAIL] = pos;
  if (q.mode === 'mpmc') for (let k = 0; k < q.capacity; k++) words[W_CELLS + 2 * ((pos + k) & (q.capacity - 1))] = (pos + k) | 0;
}

describe.each(MODES)('HandleQueue %s, one thread', (mode) => {
  it('is FIFO, bounded, and empty returns 0', () => {
    const q = createHandleQueue(5, { mode });
    expect([q.capacity, q.mode, q.size, q.tryPop()]).toEqual([8, mode, 0, 0]);
    for (let h = 1; h <= 8; h++) expect(q.tryPush(h * 8)).toBe(true);
    expect(q.tryPush(72)).toBe(false);
    expect(q.size).toBe(8);
    for (let h = 1; h <= 8; h++) expect(q.tryPop()).toBe(h * 8);
    expect([q.tryPop(), q.size]).toEqual([0, 0]);
  });

  it('keeps order across many laps and across the 32-bit wrap of its positions', () => {
    for (const start of [0, 2 ** 31 - 5, -3]) {
      const made = createHandleQueue(4, { mode });
      startAt(made, start);
      const q = attachHandleQueue(made.share());
      let pushed = 1;
      let popped = 1;
      for (let round = 0; round < 50; round++) {
        while (q.tryPush(pushed)) pushed++;
        const n = 1 + (round % 4);
        for (let k = 0; k < n; k++) expect(q.tryPop()).toBe(popped++);
      }
      while (q.size > 0) expect(q.tryPop()).toBe(popped++);
      expect(popped).toBe(pushed);
    }
  });

  it('passes handles up to 2^32 - 1 unchanged', () => {
    const q = createHandleQueue(4, { mode });
    q.tryPush(0xffff_ffff);
    q.tryPush(2 ** 31);
    expect([q.tryPop(), q.tryPop()]).toEqual([0xffff_ffff, 2 ** 31]);
  });

  it('pushMany and popMany move batches and stop at full or empty', () => {
    const q = createHandleQueue(8, { mode });
    const src = Uint32Array.from({ length: 12 }, (_, i) => i + 1);
    expect(q.pushMany(src)).toBe(8);
    expect(q.pushMany(src, 8, 12)).toBe(0);
    const out = new Uint32Array(12);
    expect(q.popMany(out, 2, 7)).toBe(5);
    expect([...out.subarray(2, 7)]).toEqual([1, 2, 3, 4, 5]);
    expect(q.pushMany([100, 101], 0)).toBe(2);
    expect(q.popMany(out)).toBe(5);
    expect([...out.subarray(0, 5)]).toEqual([6, 7, 8, 100, 101]);
    expect(q.popMany(out)).toBe(0);
  });

  it('refuses bad handles and batches with coded errors and changes nothing', () => {
    const q = createHandleQueue(8, { mode });
    q.tryPush(8);
    for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN, '8', null, 1n]) {
      expect(() => q.tryPush(bad as number)).toThrow(expect.objectContaining(coded));
      expect(() => q.push(bad as number)).toThrow(expect.objectContaining(coded));
    }
    expect(() => q.pushMany([16, 0, 24])).toThrow(/handle must be an integer from 1/);
    expect(() => q.pushMany(null as never)).toThrow(expect.objectContaining(coded));
    expect(() => q.pushMany([16], 0, 2)).toThrow(RangeError);
    expect(() => q.popMany([0] as never)).toThrow(TypeError);
    expect(() => q.popMany(new Uint32Array(2), 1, 0)).toThrow(expect.objectContaining(coded));
    expect(() => q.pop(-1)).toThrow(expect.objectContaining(coded));
    expect([q.size, q.tryPop(), q.tryPop()]).toEqual([1, 8, 0]);
  });

  it('close(): pushes fail, pops drain and then return 0 at once', async () => {
    const q = createHandleQueue(8, { mode });
    q.tryPush(8);
    q.tryPush(16);
    q.close();
    expect(q.closed).toBe(true);
    expect([q.tryPush(24), q.push(24), q.pushMany([24])]).toEqual([false, false, 0]);
    expect(q.pop()).toBe(8);
    expect(await q.popAsync()).toBe(16);
    expect(q.pop()).toBe(0);
    expect(await q.popAsync()).toBe(0);
  });

  it('popAsync resolves when a handle arrives, and closing wakes it with 0', async () => {
    const q = createHandleQueue(8, { mode });
    const first = q.popAsync();
    setTimeout(() => q.tryPush(40), 5);
    expect(await first).toBe(40);
    const second = q.popAsync();
    setTimeout(() => q.close(), 5);
    expect(await second).toBe(0);
  });

  it('popAsync polls where Atomics.waitAsync is missing', async () => {
    const atomics = Atomics as unknown as { waitAsync?: unknown };
    const saved = atomics.waitAsync;
    atomics.waitAsync = undefined;
    try {
      const q = createHandleQueue(8, { mode });
      const p = q.popAsync();
      setTimeout(() => q.tryPush(48), 5);
      expect(await p).toBe(48);
    } finally {
      atomics.waitAsync = saved;
    }
  });

  it('share() and attach() give the same queue', () => {
    const q = createHandleQueue(16, { mode });
    const d = q.share();
    expect(d).toEqual({ kind: 'HandleQueue', format: 1, mode, capacity: 16, memory: q.memory });
    const other = attachHandleQueue(structuredClone(d));
    q.tryPush(8);
    expect(other.tryPop()).toBe(8);
    other.tryPush(16);
    expect(q.tryPop()).toBe(16);
  });

  it('the consumer and producer roles can move from one attached object to another', () => {
    const q = createHandleQueue(8, { mode });
    const later = attachHandleQueue(q.share());
    for (let h = 1; h <= 6; h++) q.tryPush(h);
    expect([q.tryPop(), q.tryPop()]).toEqual([1, 2]);
    expect([later.tryPop(), later.tryPop(), later.tryPop(), later.tryPop(), later.tryPop()]).toEqual([3, 4, 5, 6, 0]);
    later.tryPush(7);
    expect([q.tryPop(), q.tryPop()]).toEqual([7, 0]);
  });

  it('attach() trusts nothing in the descriptor', () => {
    const q = createHandleQueue(16, { mode });
    const d = q.share();
    const otherMode = mode === 'spsc' ? 'mpmc' : 'spsc';
    const bad: unknown[] = [
      null,
      [],
      'HandleQueue',
      { ...d, kind: 'FixedPool' },
      { ...d, format: 2 },
      { ...d, mode: 'lifo' },
      { ...d, capacity: 12 },
      { ...d, capacity: 32 },
      { ...d, capacity: 2 ** 40 },
      { ...d, memory: new ArrayBuffer(d.memory.byteLength) },
      { ...d, memory: new SharedArrayBuffer(d.memory.byteLength) },
      { ...d, memory: new SharedArrayBuffer(d.memory.byteLength + 4) },
      { ...createHandleQueue(32, { mode }).share(), capacity: 16 },
    ];
    for (const b of bad) expect(() => attachHandleQueue(b), JSON.stringify(b)).toThrow(expect.objectContaining(coded));
    // The same bytes read as the other mode: the buffer's header says otherwise.
    const sameBytes = createHandleQueue(mode === 'spsc' ? 16 : 16, { mode });
    const lied = { ...sameBytes.share(), mode: otherMode, capacity: mode === 'spsc' ? 8 : 32 };
    expect(() => attachHandleQueue(lied)).toThrow(/the mode and capacity its buffer records|byteLength/);
  });

  it('refuses bad capacities and options', () => {
    for (const c of [0, -1, 1.5, 2 ** 26 + 1, '8'])
      expect(() => createHandleQueue(c as number, { mode })).toThrow(expect.objectContaining(coded));
    expect(() => createHandleQueue(8, { mode: 'fifo' as QueueMode })).toThrow(expect.objectContaining(coded));
    expect(() => createHandleQueue(8, 'spsc' as never)).toThrow(expect.objectContaining(coded));
  });
});
