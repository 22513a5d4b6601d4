import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { describeValue, ErrorCode, type Arena, type Backend, type FixedPool } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectError, expectFilled, expectUnchanged, fill, snapshot } from '../support.js';

type ErrorClass = typeof TypeError | typeof RangeError | typeof Error;
const { INVALID_ARGUMENT, INVALID_HANDLE, DOUBLE_FREE, DESTROYED } = ErrorCode;

/** A pool and an arena with live, filled allocations: what a refused call must leave as it was. */
interface Fixture {
  readonly pool: FixedPool;
  readonly arena: Arena;
  /** Live pool handles (slots 0, 1, 3; slot 2 was freed, slot 4 and up never handed out). */
  readonly live: readonly number[];
  readonly freed: number;
  readonly untouched: number;
  /** A mark taken before the reset that started the arena's current generation. */
  readonly staleMark: number;
}

function makeFixture(backend: Backend): Fixture {
  const pool = backend.createFixedPool(24, 8);
  const slots = [pool.alloc(), pool.alloc(), pool.alloc(), pool.alloc()];
  pool.free(slots[2]!);
  const live = [slots[0]!, slots[1]!, slots[3]!];
  live.forEach((h, tag) => fill(pool.memory, h, 24, tag));
  const arena = backend.createArena(4096);
  arena.alloc(100);
  const staleMark = arena.mark();
  arena.reset();
  fill(arena.memory, arena.alloc(100, 16), 100, 7);
  fill(arena.memory, arena.alloc(33, 1), 33, 8);
  return { pool, arena, live, freed: slots[2]!, untouched: pool.dataOffset + 4 * pool.slotSize, staleMark };
}

interface BadCall {
  readonly call: string;
  readonly argument: string;
  readonly errorClass: ErrorClass;
  readonly code: ErrorCode;
  readonly act: (f: Fixture, backend: Backend) => unknown;
}

const NOT_NUMBERS: readonly unknown[] = ['8', null, undefined, 8n, {}, true];
const BAD_COUNTS: readonly unknown[] = [NaN, -1, 1.5, Infinity, -Infinity];
const BAD_ALIGNS: readonly unknown[] = [0, 3, 12, -8, 1.5, NaN, 8192, Infinity];

function badCalls(backend: Backend): BadCall[] {
  const calls: BadCall[] = [];
  const add = (call: string, argument: string, errorClass: ErrorClass, code: ErrorCode, act: BadCall['act']) =>
    calls.push({ call, argument, errorClass, code, act });
  const max = backend.supports.maxMemoryBytes;

  for (const v of NOT_NUMBERS) {
    add(`createFixedPool(${describeValue(v)}, 8)`, 'objectSize', TypeError, INVALID_ARGUMENT, (_, b) => b.createFixedPool(v as number, 8));
    add(`createFixedPool(8, ${describeValue(v)})`, 'capacity', TypeError, INVALID_ARGUMENT, (_, b) => b.createFixedPool(8, v as number));
    add(`createArena(${describeValue(v)})`, 'bufferSize', TypeError, INVALID_ARGUMENT, (_, b) => b.createArena(v as number));
    if (v !== undefined) {
      add(`createFixedPool(8, 8, { align: ${describeValue(v)} })`, 'options.align', TypeError, INVALID_ARGUMENT, (_, b) =>
        b.createFixedPool(8, 8, { align: v as number }),
      );
      add(`arena.alloc(8, ${describeValue(v)})`, 'align', TypeError, INVALID_ARGUMENT, (f) => f.arena.alloc(8, v as number));
    }
    add(`arena.alloc(${describeValue(v)})`, 'size', TypeError, INVALID_ARGUMENT, (f) => f.arena.alloc(v as number));
    add(`pool.free(${describeValue(v)})`, 'handle', TypeError, INVALID_ARGUMENT, (f) => f.pool.free(v as number));
    add(`arena.rewind(${describeValue(v)})`, 'mark', TypeError, INVALID_ARGUMENT, (f) => f.arena.rewind(v as number));
    if (v !== undefined) {
      add(`pool.allocMany(out, ${describeValue(v)})`, 'count', TypeError, INVALID_ARGUMENT, (f) =>
        f.pool.allocMany(new Uint32Array(4), v as number),
      );
      add(`pool.freeMany(handles, ${describeValue(v)})`, 'count', TypeError, INVALID_ARGUMENT, (f) =>
        f.pool.freeMany(Float64Array.from(f.live), v as number),
      );
    }
  }
  for (const v of [...BAD_COUNTS, 0, 2 ** 53]) {
    add(`createFixedPool(${describeValue(v)}, 8)`, 'objectSize', RangeError, INVALID_ARGUMENT, (_, b) => b.createFixedPool(v as number, 8));
    add(`createFixedPool(8, ${describeValue(v)})`, 'capacity', RangeError, INVALID_ARGUMENT, (_, b) => b.createFixedPool(8, v as number));
    add(`createArena(${describeValue(v)})`, 'bufferSize', RangeError, INVALID_ARGUMENT, (_, b) => b.createArena(v as number));
    add(`arena.alloc(${describeValue(v)})`, 'size', RangeError, INVALID_ARGUMENT, (f) => f.arena.alloc(v as number));
  }
  add('createFixedPool(8, 2 ** 32)', 'capacity', RangeError, INVALID_ARGUMENT, (_, b) => b.createFixedPool(8, 2 ** 32));
  add('createFixedPool(2 ** 20, 2 ** 20): size overflow', 'objectSize * capacity', RangeError, INVALID_ARGUMENT, (_, b) =>
    b.createFixedPool(2 ** 20, 2 ** 20),
  );
  add('createArena(maxMemoryBytes): too large', 'bufferSize', RangeError, INVALID_ARGUMENT, (_, b) => b.createArena(max));
  for (const options of ['fast', 8, [], null]) {
    add(`createFixedPool(8, 8, ${describeValue(options)})`, 'options', TypeError, INVALID_ARGUMENT, (_, b) =>
      b.createFixedPool(8, 8, options as object),
    );
    add(`createArena(64, ${describeValue(options)})`, 'options', TypeError, INVALID_ARGUMENT, (_, b) =>
      b.createArena(64, options as object),
    );
  }
  for (const v of BAD_ALIGNS) {
    add(`createFixedPool(8, 8, { align: ${describeValue(v)} })`, 'options.align', RangeError, INVALID_ARGUMENT, (_, b) =>
      b.createFixedPool(8, 8, { align: v as number }),
    );
    add(`createArena(64, { align: ${describeValue(v)} })`, 'options.align', RangeError, INVALID_ARGUMENT, (_, b) =>
      b.createArena(64, { align: v as number }),
    );
    add(`arena.alloc(8, ${describeValue(v)})`, 'align', RangeError, INVALID_ARGUMENT, (f) => f.arena.alloc(8, v as number));
  }

  // Handles: any number that names no live slot of this pool.
  const handleCases: [string, (f: Fixture) => number][] = [
    ['NaN', () => NaN],
    ['negative', (f) => -f.live[0]!],
    ['fractional', (f) => f.live[0]! + 0.5],
    ['Infinity', () => Infinity],
    ['too large', (f) => f.pool.memory.byteLength + f.pool.slotSize * 10],
    ['null handle 0', () => 0],
    ['in the header', () => 32],
    ['foreign (past the last slot)', (f) => f.pool.dataOffset + f.pool.capacity * f.pool.slotSize],
    ['misaligned (inside a live slot)', (f) => f.live[0]! + 8],
    ['misaligned (one byte off)', (f) => f.live[1]! - 1],
  ];
  for (const [label, handle] of handleCases) {
    add(`pool.free(${label})`, 'handle', RangeError, INVALID_HANDLE, (f) => f.pool.free(handle(f)));
    add(`pool.freeMany([live, ${label}])`, 'handles[1]', RangeError, INVALID_HANDLE, (f) =>
      f.pool.freeMany(Float64Array.of(f.live[0]!, handle(f), f.live[1]!)),
    );
  }
  add('pool.free(freed handle): double free', 'handle', Error, DOUBLE_FREE, (f) => f.pool.free(f.freed));
  add('pool.free(untouched slot)', 'handle', Error, DOUBLE_FREE, (f) => f.pool.free(f.untouched));
  add('pool.freeMany([live, freed])', 'handles[1]', Error, DOUBLE_FREE, (f) => f.pool.freeMany(Float64Array.of(f.live[0]!, f.freed)));
  add('pool.freeMany([a, b, a]): duplicate in the batch', 'handles[2]', Error, DOUBLE_FREE, (f) =>
    f.pool.freeMany(Uint32Array.of(f.live[0]!, f.live[1]!, f.live[0]!)),
  );

  for (const array of [[64], new Int32Array(4), new Uint8Array(4), null, 'handles'] as unknown[]) {
    add(`pool.allocMany(${describeValue(array)})`, 'out', TypeError, INVALID_ARGUMENT, (f) => f.pool.allocMany(array as Uint32Array));
    add(`pool.freeMany(${describeValue(array)})`, 'handles', TypeError, INVALID_ARGUMENT, (f) => f.pool.freeMany(array as Uint32Array));
  }
  for (const v of [...BAD_COUNTS, 5]) {
    add(`pool.allocMany(new Uint32Array(4), ${describeValue(v)})`, 'count', RangeError, INVALID_ARGUMENT, (f) =>
      f.pool.allocMany(new Uint32Array(4), v as number),
    );
    add(`pool.freeMany(3 live handles, ${describeValue(v === 5 ? 4 : v)})`, 'count', RangeError, INVALID_ARGUMENT, (f) =>
      f.pool.freeMany(Float64Array.from(f.live), v === 5 ? 4 : (v as number)),
    );
  }

  // Marks: any number that is not a mark of this arena's current generation at or before its end.
  const markCases: [string, (f: Fixture) => number][] = [
    ['NaN', () => NaN],
    ['negative', () => -1],
    ['fractional', () => 0.5],
    ['Infinity', () => Infinity],
    ['past the current end', (f) => f.arena.mark() + 8],
    ['from before a reset', (f) => f.staleMark],
  ];
  for (const [label, mark] of markCases) {
    add(`arena.rewind(${label})`, 'mark', RangeError, INVALID_HANDLE, (f) => f.arena.rewind(mark(f)));
  }
  return calls;
}

const poolMethods: [string, (p: FixedPool) => unknown][] = [
  ['alloc', (p) => p.alloc()],
  ['free', (p) => p.free(64)],
  ['reset', (p) => p.reset()],
  ['allocMany', (p) => p.allocMany(new Uint32Array(2))],
  ['freeMany', (p) => p.freeMany(Uint32Array.of(64))],
  ['stats', (p) => p.stats()],
];
const arenaMethods: [string, (a: Arena) => unknown][] = [
  ['alloc', (a) => a.alloc(8)],
  ['reset', (a) => a.reset()],
  ['mark', (a) => a.mark()],
  ['rewind', (a) => a.rewind(0)],
  ['stats', (a) => a.stats()],
];

/**
 * The contract's error matrix: every public method against every kind of bad value. Each case
 * checks the class, the code, that the message names the argument, and that the pool's and the
 * arena's stats and every byte of their memory are as they were.
 */
export function errorMatrix({ backend }: SuiteContext): void {
  describe('Error matrix', () => {
    for (const bad of badCalls(backend)) {
      it(`${bad.call} throws ${bad.errorClass.name} ${bad.code} naming ${bad.argument}, changing nothing`, () => {
        const f = makeFixture(backend);
        try {
          const pool = snapshot(f.pool);
          const arena = snapshot(f.arena);
          expectError(() => bad.act(f, backend), bad.errorClass, bad.code, bad.argument);
          expectUnchanged(f.pool, pool, 'pool');
          expectUnchanged(f.arena, arena, 'arena');
          f.live.forEach((h, tag) => expectFilled(f.pool.memory, h, 24, tag));
          // Still usable: the refused call left the free list whole.
          expect(f.pool.alloc()).toBe(f.freed);
        } finally {
          f.pool.destroy();
          f.arena.destroy();
        }
      });
    }
    for (const [method, act] of poolMethods) {
      it(`pool.${method}() after destroy() throws Error ${DESTROYED}`, () => {
        const p = backend.createFixedPool(8, 4);
        p.alloc();
        p.destroy();
        expectError(() => act(p), Error, DESTROYED, method);
        p.destroy();
      });
    }
    for (const [method, act] of arenaMethods) {
      it(`arena.${method}() after destroy() throws Error ${DESTROYED}`, () => {
        const a = backend.createArena(64);
        a.destroy();
        expectError(() => act(a), Error, DESTROYED, method);
      });
    }
  });
}
