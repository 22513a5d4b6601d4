import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import fc from 'fast-check';
import { ErrorCode, type Arena, type FixedPool } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectError, fill } from '../support.js';
import { ArenaModel, PoolModel } from './model.js';
import { environment } from '../platform.js';

/** Options of the random runs; `MEMPOOL_SEED` replays a failing run. */
export interface ModelRunOptions {
  /** Commands to run against each backend at least (pool and arena together). Default 10,000. */
  readonly commands?: number;
  readonly seed?: number;
}

type PoolRun = { model: PoolModel; real: FixedPool; nextTag: number };
type ArenaRun = { model: ArenaModel; real: Arena; marks: number[]; nextTag: number };

/** How many commands really ran (fast-check skips a command whose `check` says it cannot run now). */
export interface Counter {
  ran: number;
}

/**
 * A command that runs one step, then checks every invariant of the allocator against its model.
 * `canRun` tells fast-check when the step has nothing to act on (no live handle, no mark), so such
 * a command is skipped, not counted.
 */
export function checkedCommand<Run extends object>(
  counter: Counter,
  label: string,
  canRun: (run: Run) => boolean,
  step: (run: Run) => void,
  verify: (run: Run) => void,
): fc.Command<Run, Run> {
  return {
    check: canRun,
    run(_, run) {
      counter.ran++;
      step(run);
      verify(run);
    },
    toString: () => label,
  };
}

const always = () => true;

const poolCommands = (counter: Counter) => {
  const poolCommand = (label: string, canRun: (run: PoolRun) => boolean, step: (run: PoolRun) => void) =>
    checkedCommand<PoolRun>(counter, label, canRun, step, (run) => run.model.check(run.real));
  const hasLive = (run: PoolRun) => run.model.live.size > 0;
  return [
    fc.constant(null).map(() =>
      poolCommand('alloc', always, (run) => {
        const tag = run.nextTag++;
        const handle = run.real.alloc();
        expect(handle).toBe(run.model.alloc(tag));
        if (handle !== 0) fill(run.real.memory, handle, run.model.objectSize, tag);
      }),
    ),
    fc.nat().map((pick) =>
      poolCommand(`free(live #${pick})`, hasLive, (run) => {
        const handles = [...run.model.live.keys()];
        const handle = handles[pick % handles.length]!;
        run.real.free(handle);
        run.model.free(handle);
      }),
    ),
    fc.tuple(fc.constantFrom('freed', 'misaligned', 'foreign', 'zero'), fc.nat()).map(([kind, pick]) =>
      poolCommand(
        `free(${kind} #${pick})`,
        ({ model }) => {
          if (kind === 'freed') return !model.live.has(freedSlot(model, pick));
          return kind !== 'misaligned' || (model.live.size > 0 && model.slotSize > 1);
        },
        (run) => {
          const { model, real } = run;
          const live = [...model.live.keys()];
          let handle: number;
          if (kind === 'freed') {
            handle = freedSlot(model, pick);
          } else if (kind === 'misaligned') {
            handle = live[pick % live.length]! + 1 + (pick % (model.slotSize - 1));
          } else handle = kind === 'foreign' ? model.dataOffset + (model.capacity + (pick % 4)) * model.slotSize : 0;
          const code = kind === 'freed' ? ErrorCode.DOUBLE_FREE : ErrorCode.INVALID_HANDLE;
          expectError(() => real.free(handle), kind === 'freed' ? Error : RangeError, code, 'handle');
        },
      ),
    ),
    fc.integer({ min: 0, max: 8 }).map((count) =>
      poolCommand(`allocMany(${count})`, always, (run) => {
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
      poolCommand(`freeMany(${picks.length}${poison ? ', poisoned' : ''})`, hasLive, (run) => {
        const live = [...run.model.live.keys()];
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
      poolCommand('reset', always, (run) => {
        run.real.reset();
        run.model.reset();
      }),
    ),
  ];
};

const arenaCommands = (counter: Counter) => {
  const arenaCommand = (label: string, canRun: (run: ArenaRun) => boolean, step: (run: ArenaRun) => void) =>
    checkedCommand<ArenaRun>(counter, label, canRun, step, (run) => run.model.check(run.real));
  return [
    fc.tuple(fc.integer({ min: 1, max: 96 }), fc.integer({ min: 0, max: 7 })).map(([size, shift]) =>
      arenaCommand(`alloc(${size}, ${2 ** shift})`, always, (run) => {
        const tag = run.nextTag++;
        const handle = run.real.alloc(size, 2 ** shift);
        expect(handle).toBe(run.model.alloc(size, 2 ** shift, tag));
        if (handle !== 0) fill(run.real.memory, handle, size, tag);
      }),
    ),
    fc.constant(null).map(() =>
      arenaCommand('mark', always, (run) => {
        const mark = run.real.mark();
        expect(mark).toBe(run.model.mark());
        run.marks.push(mark);
      }),
    ),
    fc.nat().map((pick) =>
      arenaCommand(
        `rewind(mark #${pick})`,
        (run) => run.marks.length > 0,
        (run) => {
          const mark = run.marks[pick % run.marks.length]!;
          if (run.model.accepts(mark)) {
            run.real.rewind(mark);
            run.model.rewind(mark);
          } else {
            expectError(() => run.real.rewind(mark), RangeError, ErrorCode.INVALID_HANDLE, 'mark');
          }
        },
      ),
    ),
    fc.constant(null).map(() =>
      arenaCommand('reset', always, (run) => {
        run.real.reset();
        run.model.reset();
      }),
    ),
  ];
};

/** A slot handle picked by `pick`, live or not. */
const freedSlot = (model: PoolModel, pick: number) => model.dataOffset + (pick % model.capacity) * model.slotSize;

function seedOf(options: ModelRunOptions): number | undefined {
  const fromEnv = environment('MEMPOOL_SEED');
  return options.seed ?? (fromEnv === undefined ? undefined : Number(fromEnv));
}

/**
 * Model-based random runs: random sequences of valid and invalid calls, every invariant checked
 * after every step (stats, no overlap, containment, alignment, each live allocation's bytes).
 * fast-check prints the seed and the path of a failing run; `MEMPOOL_SEED=<seed>` replays it.
 */
export function modelRuns({ backend, options: { modelRuns: options = {} } }: SuiteContext): void {
  const target = options.commands ?? 10_000;
  // fc.commands draws between 0 and maxCommands commands, about 60 a run on average.
  const runs = Math.max(1, Math.ceil(target / 2 / 50));
  const seed = seedOf(options);
  const params = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

  const counter: Counter = { ran: 0 };
  describe('Model-based random runs', () => {
    it(`fixed pools: ${runs} random runs of valid and invalid calls keep every invariant`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 24 }),
          fc.integer({ min: 0, max: 6 }),
          fc.commands(poolCommands(counter), { size: 'max', maxCommands: 200 }),
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
          fc.commands(arenaCommands(counter), { size: 'max', maxCommands: 200 }),
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
      expect(counter.ran).toBeGreaterThanOrEqual(target);
    });
  });
}
