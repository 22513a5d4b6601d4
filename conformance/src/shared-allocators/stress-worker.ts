/**
 * One worker of the concurrency suite (test/concurrency.test.ts): it imports the backend package
 * named in `workerData.specifier`, attaches the shared allocator it was given, runs its task and
 * posts a `StressReport`. Every check it makes is exact: a slot's owner word is taken by
 * compare-and-swap, so a slot handed to two holders at once is caught, not just likely caught.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Backend, SharedArenaDescriptor, SharedFixedPoolDescriptor } from '@mempool/api';
import { mulberry32 } from '../random.js';

export interface StressTask {
  readonly specifier: string;
  readonly task: 'pool' | 'race' | 'arena' | 'history' | 'park';
  readonly id: number;
  readonly seed: number;
  readonly ops: number;
  readonly descriptor: SharedFixedPoolDescriptor | SharedArenaDescriptor;
  /** `history`: one small pool per round; every worker runs `ops` calls on each, all starting together. */
  readonly rounds_?: readonly SharedFixedPoolDescriptor[];
  /** `race`: the control words (round, handle, done) the main thread drives the rounds with. */
  readonly control?: SharedArrayBuffer;
  readonly rounds?: number;
  /** `pool`/`arena`: a word every worker adds itself to, then waits until all `workers` have, so they all run at once. */
  readonly barrier?: SharedArrayBuffer;
  readonly workers?: number;
  /** `park`: of the `ops` slots allocated, how many to keep live (the rest are freed). */
  readonly keep?: number;
}

export interface StressReport {
  readonly id: number;
  readonly errors: readonly string[];
  readonly allocs: number;
  readonly frees: number;
  readonly failed: number;
  /** `race`: per round, 1 when this worker's free succeeded, 2 for a double free, 3 otherwise. */
  readonly outcomes?: readonly number[];
  /** `arena`: every allocation as [start, size] pairs. */
  readonly ranges?: readonly number[];
  /** `history`: every call as HISTORY_FIELDS numbers. */
  readonly history?: readonly number[];
}

/** A recorded call: [round, worker, kind (0 alloc, 1 free, 2 destroy), handle freed, result (handle, 1 freed, -1 refused), invoked, returned]. */
export const HISTORY_FIELDS = 7;
/** Control words of the `history` task: a logical clock every call reads on entry and on return, and the round barrier. */
export const HISTORY_CLOCK = 0;
export const HISTORY_BARRIER = 1;

/** Words in each slot of the stress pool: [owner, id, sequence]. */
export const STAMP_WORDS = 3;
/** Control words of the `race` task. */
export const RACE_ROUND = 0;
export const RACE_HANDLE = 1;
export const RACE_DONE = 2;

/** Waits until every worker of the run has arrived, so the calls overlap rather than queue up behind worker start-up. */
function meet(task: StressTask): void {
  if (task.barrier === undefined) return;
  const word = new Int32Array(task.barrier);
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
  for (let arrived = Atomics.load(word, 0); arrived < task.workers!; arrived = Atomics.load(word, 0)) Atomics.wait(word, 0, arrived, 100);
}

function poolTask(backend: Backend, task: StressTask): StressReport {
  const pool = backend.attachFixedPool(task.descriptor as SharedFixedPoolDescriptor);
  const words = new Int32Array(pool.memory);
  const next = mulberry32(task.seed);
  const owner = task.id + 1;
  const held: number[] = [];
  const sequences: number[] = [];
  const errors: string[] = [];
  let allocs = 0;
  let frees = 0;
  let failed = 0;
  let sequence = 0;
  meet(task);
  const release = (k: number): void => {
    const handle = held[k]!;
    const at = handle / 4;
    if (words[at + 1] !== owner || words[at + 2] !== sequences[k]) {
      errors.push(`slot ${handle} lost its stamp (${owner}, ${sequences[k]}): now (${words[at + 1]}, ${words[at + 2]})`);
    }
    if (Atomics.compareExchange(words, at, owner, 0) !== owner) errors.push(`slot ${handle} was taken from worker ${owner}`);
    pool.free(handle);
    frees++;
    held[k] = held[held.length - 1]!;
    sequences[k] = sequences[sequences.length - 1]!;
    held.pop();
    sequences.pop();
  };
  for (let op = 0; op < task.ops && errors.length === 0; op++) {
    if (held.length === 0 || (held.length < 24 && next() < 0.55)) {
      const handle = pool.alloc();
      if (handle === 0) {
        failed++;
        continue;
      }
      allocs++;
      const at = handle / 4;
      const was = Atomics.compareExchange(words, at, 0, owner);
      if (was !== 0) errors.push(`slot ${handle} handed to worker ${owner} while worker ${was} holds it`);
      words[at + 1] = owner;
      words[at + 2] = ++sequence;
      held.push(handle);
      sequences.push(sequence);
    } else {
      release(Math.floor(next() * held.length));
    }
  }
  while (held.length > 0 && errors.length === 0) release(held.length - 1);
  return { id: task.id, errors, allocs, frees, failed };
}

function raceTask(backend: Backend, task: StressTask): StressReport {
  const pool = backend.attachFixedPool(task.descriptor as SharedFixedPoolDescriptor);
  const control = new Int32Array(task.control!);
  const outcomes: number[] = [];
  for (let round = 1; round <= task.rounds!; round++) {
    // Wait for the main thread to publish this round's handle: spin first, so that the workers
    // running at that moment all see it within nanoseconds and their frees really overlap.
    for (let spins = 0; Atomics.load(control, RACE_ROUND) < round; spins++) {
      if (spins > 100_000) Atomics.wait(control, RACE_ROUND, round - 1, 1000);
    }
    try {
      pool.free(Atomics.load(control, RACE_HANDLE));
      outcomes.push(1);
    } catch (error) {
      outcomes.push((error as { code?: string }).code === 'ERR_MEMPOOL_DOUBLE_FREE' ? 2 : 3);
    }
    Atomics.add(control, RACE_DONE, 1);
    Atomics.notify(control, RACE_DONE);
  }
  return { id: task.id, errors: [], allocs: 0, frees: outcomes.filter((o) => o === 1).length, failed: 0, outcomes };
}

function arenaTask(backend: Backend, task: StressTask): StressReport {
  const arena = backend.attachArena(task.descriptor as SharedArenaDescriptor);
  const bytes = new Uint8Array(arena.memory);
  const next = mulberry32(task.seed);
  const ranges: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  const tag = (task.id * 37 + 11) & 0xff;
  meet(task);
  for (let op = 0; op < task.ops; op++) {
    const size = 1 + Math.floor(next() * 48);
    const align = 2 ** Math.floor(next() * 7);
    const start = arena.alloc(size, align);
    if (start === 0) {
      failed++;
      continue;
    }
    if (start % align !== 0) errors.push(`alloc(${size}, ${align}) gave ${start}, not aligned`);
    bytes.fill(tag, start, start + size);
    ranges.push(start, size);
  }
  // Another worker's allocation over one of ours would have overwritten our tag.
  for (let k = 0; k < ranges.length && errors.length < 10; k += 2) {
    const start = ranges[k]!;
    const end = start + ranges[k + 1]!;
    for (let i = start; i < end; i++) {
      if (bytes[i] !== tag) {
        errors.push(`byte ${i} of worker ${task.id}'s allocation at ${start} was overwritten`);
        break;
      }
    }
  }
  return { id: task.id, errors, allocs: ranges.length / 2, frees: 0, failed, ranges };
}

/**
 * Short runs of alloc/free on a small pool from several workers at once, each call stamped with
 * the shared clock on entry and return, for the main thread to check against the sequential model.
 */
function historyTask(backend: Backend, task: StressTask): StressReport {
  const control = new Int32Array(task.control!);
  const next = mulberry32(task.seed);
  const history: number[] = [];
  const rounds = task.rounds_!;
  for (let round = 0; round < rounds.length; round++) {
    const pool = backend.attachFixedPool(rounds[round]!);
    const held: number[] = [];
    Atomics.add(control, HISTORY_BARRIER, 1);
    const everyone = task.workers! * (round + 1);
    while (Atomics.load(control, HISTORY_BARRIER) < everyone); // a short spin: all start together
    for (let op = 0; op < task.ops; op++) {
      // A quarter of the frees name any slot, so holders free each other's handles and race to
      // free one handle twice (the set model decides which of those may succeed).
      const wild = next() < 0.15;
      const free = wild || (held.length > 0 && next() < 0.5);
      let handle = 0;
      if (wild) {
        handle = pool.dataOffset + Math.floor(next() * pool.capacity) * pool.slotSize;
        if (held.includes(handle)) held.splice(held.indexOf(handle), 1);
      } else if (free) {
        handle = held.splice(Math.floor(next() * held.length), 1)[0]!;
      }
      const invoked = Atomics.add(control, HISTORY_CLOCK, 1);
      let result: number;
      if (free) {
        try {
          pool.free(handle);
          result = 1;
        } catch {
          result = -1;
        }
      } else {
        result = pool.alloc();
      }
      const returned = Atomics.add(control, HISTORY_CLOCK, 1);
      if (!free && result !== 0) held.push(result);
      history.push(round, task.id, free ? 1 : 0, handle, result, invoked, returned);
    }
    // Recorded too: a destroy moves the holder's cache to the shared stack while others still run.
    const invoked = Atomics.add(control, HISTORY_CLOCK, 1);
    pool.destroy();
    history.push(round, task.id, 2, 0, 0, invoked, Atomics.add(control, HISTORY_CLOCK, 1));
  }
  return { id: task.id, errors: [], allocs: 0, frees: 0, failed: 0, history };
}

/**
 * Allocates `ops` slots, stamps each with the worker's id, frees all but `keep` of them (into its
 * cache, where a backend has caches), reports which it kept, and then blocks until terminated: the
 * test kills it holding those slots, with the freed ones parked where only it would use them.
 */
function parkTask(backend: Backend, task: StressTask): StressReport {
  const pool = backend.attachFixedPool(task.descriptor as SharedFixedPoolDescriptor);
  const words = new Int32Array(pool.memory);
  const handles: number[] = [];
  for (let k = 0; k < task.ops; k++) handles.push(pool.alloc());
  const errors = handles.includes(0) ? [`alloc gave 0 with ${handles.indexOf(0)} of ${task.ops} slots taken`] : [];
  const kept = handles.slice(0, task.keep!);
  for (const handle of kept) Atomics.store(words, handle / 4, task.id + 1);
  for (const handle of handles.slice(task.keep!)) pool.free(handle);
  parentPort!.postMessage({ id: task.id, errors, allocs: task.ops, frees: task.ops - task.keep!, failed: 0, ranges: kept });
  const block = new Int32Array(task.barrier!);
  for (;;) Atomics.wait(block, 0, 0);
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'specifier' in workerData) {
  const task = workerData as StressTask;
  const { backend } = (await import(task.specifier)) as { backend: Backend };
  const run = { pool: poolTask, race: raceTask, arena: arenaTask, history: historyTask, park: parkTask }[task.task];
  let report: StressReport;
  try {
    report = run(backend, task);
  } catch (error) {
    report = { id: task.id, errors: [`threw ${(error as Error).stack ?? String(error)}`], allocs: 0, frees: 0, failed: 0 };
  }
  parentPort.postMessage(report);
}
