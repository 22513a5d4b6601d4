import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode, type Arena, type FixedPool } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectError, fill } from '../support.js';
import { ArenaModel, PoolModel } from './model.js';

/** Options of the random runs; `MEMPOOL_SEED` replays a failing run. */
export interface ModelRunOptions {
  /** Commands to run against each backend at least (pool and arena together). Default 10,000. */
  readonly commands?: number;
  readonly seed?: number;
}

type PoolRun = { model: PoolModel; real: FixedPool; nextTag: number };
type ArenaRun = { model: ArenaModel; real: Arena; marks: number[]; nextTag: number };

let executed = 0;

/** A command that runs one step, then checks every invariant of the allocator against its model. */
function checkedCommand<Run extends object>(label: string, step: (run: Run) => void, verify: (run: Run) => void): fc.Command<Run, Run> {
  return {
    check: () => true,
    run(_, run) {
      executed++;
      step(run);
      verify(run);
    },
    toString: () => label,
  };
}

const poolCommand = (label: string, step: (run: PoolRun) => void) =>
  checkedCommand<PoolRun>(label, step, (run) => run.model.check(run.real));
const arenaCommand = (label: string, step: (run: ArenaRun) => void) =>
  checkedCommand<ArenaRun>(label, step, (run) => run.model.check(run.real));

const poolCommands = [
  fc.constant(null).map(() =>
    poolCommand('alloc', (run) => {
      const tag = run.nextTag++;
      const handle = run.real.alloc();
      expect(handle).toBe(run.model.alloc(tag));
      if (handle !== 0) fill(run.real.memory, handle, run.model.objectSize, tag);
    }),
  ),
  fc.nat().map((pick) =>
    poolCommand(`free(live #${pick})`, (run) => {
      const handles = [...run.model.live.keys()];
      if (handles.length === 0) return;
      const handle = handles[pick % handles.length]!;
      run.real.free(handle);
      run.model.free(handle);
    }),
  ),
  fc.tuple(fc.constantFrom('freed', 'misaligned', 'foreign', 'zero'), fc.nat()).map(([kind, pick]) =>
    poolCommand(`free(${kind} #${pick})`, (run) => {
      const { model, real } = run;
      const live = [...model.live.keys()];
      let handle: number;
      if (kind === 'freed') {
        const free = model.dataOffset + (pick % model.capacity) * model.slotSize;
        if (model.live.has(free)) return;
        handle = free;
      } else if (kind === 'misaligned') {
        if (live.length === 0 || model.slotSize === 1) return;
        handle = live[pick % live.length]! + 1 + (pick % (model.slotSize - 1));
      } else handle = kind === 'foreign' ? model.dataOffset + (model.capacity + (pick % 4)) * model.slotSize : 0;
      const code = kind === 'freed' ? ErrorCode.DOUBLE_FREE : ErrorCode.INVALID_HANDLE;
      expectError(() => real.free(handle), kind === 'freed' ? Error : RangeError, code, 'handle');
    }),
  ),
  fc.integer({ min: 0, max: 8 }).map((count) =>
    poolCommand(`allocMany(${count})`, (run) => {
      const out = new Float64Array(count);
      const placed = run.real.allocMany(out, count);
      let expected = 0;
      for (let k = 0; k < count; k++) {
        const tag = run.nextTag++;
        const handle = run.model.alloc(tag);
        if (handle === 0) break;
        expect(out[k]).toBe(handle);
        fill(run.real.memory, handle, run.model.objectSize, tag);
        expected++;
      }
      expect(placed).toBe(expected);
    }),
  ),
  fc.tuple(fc.array(fc.nat(), { maxLength: 6 }), fc.boolean()).map(([picks, poison]) =>
    poolCommand(`freeMany(${picks.length}${poison ? ', poisoned' : ''})`, (run) => {
      const live = [...run.model.live.keys()];
      if (live.length === 0) return;
      const chosen = [...new Set(picks.map((p) => live[p % live.length]!))];
      if (poison && chosen.length > 0) {
        // A duplicate at the end: the whole batch must be refused and nothing freed.
        expectError(() => run.real.freeMany(Float64Array.from([...chosen, chosen[0]!])), Error, ErrorCode.DOUBLE_FREE, 'handles');
        return;
      }
      run.real.freeMany(Uint32Array.from(chosen));
      chosen.forEach((h) => run.model.free(h));
    }),
  ),
  fc.constant(null).map(() =>
    poolCommand('reset', (run) => {
      run.real.reset();
      run.model.reset();
    }),
  ),
];

const arenaCommands = [
  fc.tuple(fc.integer({ min: 1, max: 96 }), fc.integer({ min: 0, max: 7 })).map(([size, shift]) =>
    arenaCommand(`alloc(${size}, ${2 ** shift})`, (run) => {
      const tag = run.nextTag++;
      const handle = run.real.alloc(size, 2 ** shift);
      expect(handle).toBe(run.model.alloc(size, 2 ** shift, tag));
      if (handle !== 0) fill(run.real.memory, handle, size, tag);
    }),
  ),
  fc.constant(null).map(() =>
    arenaCommand('mark', (run) => {
      const mark = run.real.mark();
      expect(mark).toBe(run.model.mark());
      run.marks.push(mark);
    }),
  ),
  fc.nat().map((pick) =>
    arenaCommand(`rewind(mark #${pick})`, (run) => {
      if (run.marks.length === 0) return;
      const mark = run.marks[pick % run.marks.length]!;
      if (run.model.accepts(mark)) {
        run.real.rewind(mark);
        run.model.rewind(mark);
      } else {
        expectError(() => run.real.rewind(mark), RangeError, ErrorCode.INVALID_HANDLE, 'mark');
      }
    }),
  ),
  fc.constant(null).map(() =>
    arenaCommand('reset', (run) => {
      run.real.reset();
      run.model.reset();
    }),
  ),
];

function seedOf(options: ModelRunOptions): number | undefined {
  const fromEnv = process.env.MEMPOOL_SEED;
  return options.seed ?? (fromEnv === undefined ? undefined : Number(fromEnv));
}

/**
 * Model-based random runs: random sequences of valid and invalid calls, every invariant checked
 * after every step (stats, no overlap, containment, alignment, each live allocation's bytes).
 * fast-check prints the seed and the path of a failing run; `MEMPOOL_SEED=<seed>` replays it.
 */
export function modelRuns({ backend }: SuiteContext, options: ModelRunOptions = {}): void {
  const target = options.commands ?? 10_000;
  // fc.commands draws between 0 and maxCommands commands, about 60 a run on average.
  const runs = Math.max(1, Math.ceil(target / 2 / 50));
  const seed = seedOf(options);
  const params = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

  describe('Model-based random runs', () => {
    afterAll(() => {
      executed = 0;
    });
    it(`fixed pools: ${runs} random runs of valid and invalid calls keep every invariant`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 24 }),
          fc.integer({ min: 0, max: 6 }),
          fc.commands(poolCommands, { size: 'max', maxCommands: 200 }),
          (objectSize, capacity, shift, commands) => {
            const real = backend.createFixedPool(objectSize, capacity, { align: 2 ** shift });
            try {
              const state: PoolRun = { model: new PoolModel(objectSize, capacity, 2 ** shift), real, nextTag: 1 };
              fc.modelRun(() => ({ model: state, real: state }), commands);
            } finally {
              real.destroy();
            }
          },
        ),
        params(runs),
      );
    });
    it(`arenas: ${runs} random runs of allocs, marks, rewinds and resets keep every invariant`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4096 }),
          fc.commands(arenaCommands, { size: 'max', maxCommands: 200 }),
          (bufferSize, commands) => {
            const real = backend.createArena(bufferSize);
            try {
              const state: ArenaRun = { model: new ArenaModel(bufferSize), real, marks: [], nextTag: 1 };
              fc.modelRun(() => ({ model: state, real: state }), commands);
            } finally {
              real.destroy();
            }
          },
        ),
        params(runs),
      );
    });
    it(`ran at least ${target} commands against ${backend.name}`, () => {
      expect(executed).toBeGreaterThanOrEqual(target);
    });
  });
}

