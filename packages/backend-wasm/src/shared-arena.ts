import {
  ARENA_STATS_FIELDS,
  arenaDescriptor,
  attachedArenaGeometry,
  encodeMark,
  markGeneration,
  MARK_GENERATIONS,
  Status,
} from '@mempool/api';
import type { ArenaEngine, ArenaGeometry, SharedArenaDescriptor } from '@mempool/api';
import type { SharedEngine } from './engine.js';
import { MAX_MEMORY_BYTES, MAX_U32 } from './memory.js';
import { attachShared, createShared, type SharedHolder } from './shared-holder.js';
import { SHARED_FORMAT, type SharedEngineModule } from './shared-state.js';
import type { WasmMemory } from './webassembly.js';

const gone = (): number => 0;

/**
 * An arena's engine for many workers at once (contract.ts, "Shared allocators"), lock-free: the
 * js backend's shared arena run by the shared engine (assembly/shared-arena.ts) over a shared
 * WebAssembly.Memory. Same handles, marks and stats as `WasmArenaEngine` from one thread.
 */
export class SharedWasmArenaEngine implements ArenaEngine {
  readonly geometry: ArenaGeometry;
  readonly memory: SharedArrayBuffer;
  readonly #backend: string;
  readonly #state: WasmMemory;
  #destroyed = false;
  #alloc: SharedEngine['sharedArenaAlloc'];
  #reset: SharedEngine['sharedArenaReset'];
  #mark: SharedEngine['sharedArenaMark'];
  #rewind: SharedEngine['sharedArenaRewind'];
  #stat: SharedEngine['sharedArenaStat'];

  private constructor(geometry: ArenaGeometry, backend: string, { instance, memory }: SharedHolder) {
    this.geometry = geometry;
    this.memory = memory;
    this.#backend = backend;
    this.#state = instance.memory;
    const exports = instance.exports;
    this.#alloc = exports.sharedArenaAlloc;
    this.#reset = exports.sharedArenaReset;
    this.#mark = exports.sharedArenaMark;
    this.#rewind = exports.sharedArenaRewind;
    this.#stat = exports.sharedArenaStat;
  }

  /** A new arena of `geometry`, and its first holder. */
  static create(g: ArenaGeometry, engineModule: SharedEngineModule): SharedWasmArenaEngine {
    const holder = createShared(engineModule, 0, g.byteLength, (engine, tag) =>
      engine.sharedArenaCreate(g.dataOffset, g.bufferSize, g.align, g.byteLength, tag),
    );
    return new SharedWasmArenaEngine(g, engineModule.name, holder);
  }

  /** Another holder of the arena `descriptor` came from (`backend.attachArena`). */
  static attach(descriptor: unknown, engineModule: SharedEngineModule): SharedWasmArenaEngine {
    const { geometry, descriptor: d } = attachedArenaGeometry(descriptor, engineModule.name, SHARED_FORMAT, MAX_MEMORY_BYTES);
    const holder = attachShared(engineModule, d, 'Arena', geometry, (engine) => engine.sharedArenaAttach());
    return new SharedWasmArenaEngine(geometry, engineModule.name, holder);
  }

  usable(): boolean {
    return !this.#destroyed;
  }

  share(): SharedArenaDescriptor {
    return arenaDescriptor(this.#backend, SHARED_FORMAT, this.geometry, this.memory, this.#state);
  }

  alloc(size: number, align: number): number {
    // A size past 2^32 - 1 arrives as 2^32 - 1, which no wasm32 arena fits either. Tested as
    // `size >>> 0 === size`, an integer compare (against MAX_U32, a double, the arena bench's alloc
    // took 4.3 ns instead of 3.7 on this engine; see the package README).
    return (size >>> 0 === size ? this.#alloc(size, align) : this.#alloc(MAX_U32, align)) >>> 0;
  }

  reset(): number {
    return this.#reset();
  }

  mark(): number {
    // The engine reads generation and offset as one step: generation * 2^32 + offset, or -1 (busy).
    const both = this.#mark();
    return both < 0 ? Status.BUSY : encodeMark(Math.floor(both / 2 ** 32), both % 2 ** 32);
  }

  rewind(mark: number): number {
    // What the engine checks against the current state, as one step: the mark's generation and offset.
    const generation = typeof mark === 'number' ? markGeneration(mark) : -1;
    const offset = generation >= 0 && generation < MARK_GENERATIONS ? mark - encodeMark(generation, 0) : -1;
    return Number.isInteger(offset) && offset >= 0 && offset <= MAX_U32 ? this.#rewind(generation, offset) : Status.INVALID_HANDLE;
  }

  stats(words: Float64Array): void {
    for (let field = 0; field < ARENA_STATS_FIELDS.length; field++) words[field] = this.#stat(field);
  }

  /** Ends this holder only (an arena keeps no record of its holders): other holders keep the arena. */
  destroy(): void {
    this.#destroyed = true;
    this.#alloc = gone;
  }
}
