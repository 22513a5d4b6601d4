import {
  ARENA_STATS_FIELDS,
  arenaStatsFrom,
  attachedArenaGeometry,
  badMark,
  busy,
  checkArenaAlloc,
  DEFAULT_ALIGN,
  destroyed,
  encodeMark,
  invalidRange,
  markGeneration,
  MARK_GENERATIONS,
  Status,
  unboundMethod,
  type ArenaGeometry,
  type ArenaStats,
  type SharedArena,
  type SharedArenaDescriptor,
} from '@mempool/api';
import { instantiateShared, newSharedState, type EngineInstance, type SharedEngine } from './engine.js';
import { MAX_MEMORY_BYTES } from './memory.js';
import { BUSY, createRefusal, reserveShared, SHARED_FORMAT, type SharedEngineModule } from './shared-state.js';
import { newTag, verifiedEngine, writeTag } from './shared-verify.js';
import type { WasmMemory } from './webassembly.js';

const MAX_U32 = 0xffffffff;
const OFFSET_FIELD = ARENA_STATS_FIELDS.indexOf('offset');
/** The engine's stat index one past the stats: the mark generation. */
const GENERATION_FIELD = ARENA_STATS_FIELDS.length;
const gone = (): number => 0;

/**
 * An arena that many workers use at once (contract.ts, "Shared allocators"), lock-free: the js
 * backend's `SharedJsArena` run by the shared engine (assembly/shared-arena.ts) over a shared
 * WebAssembly.Memory. Same handles, marks and stats as `WasmArena` from one thread.
 */
export class SharedWasmArena implements SharedArena {
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: SharedArrayBuffer;

  readonly #backend: string;
  readonly #align: number;
  readonly #state: WasmMemory;
  #destroyed = false;
  #alloc: SharedEngine['sharedArenaAlloc'];
  #reset: SharedEngine['sharedArenaReset'];
  #mark: SharedEngine['sharedArenaMark'];
  #rewind: SharedEngine['sharedArenaRewind'];
  #stat: SharedEngine['sharedArenaStat'];

  constructor(
    layout: ArenaGeometry,
    engineModule: SharedEngineModule,
    attached?: { memory: SharedArrayBuffer; engine: EngineInstance<SharedEngine> },
  ) {
    this.bufferSize = layout.bufferSize;
    this.dataOffset = layout.dataOffset;
    this.#align = layout.align;
    this.#backend = engineModule.name;
    let engine = attached?.engine;
    const tag = newTag();
    if (engine === undefined) {
      engine = instantiateShared(engineModule.module, newSharedState(0));
      const refusal = createRefusal(
        engine.exports.sharedArenaCreate(layout.dataOffset, layout.bufferSize, layout.align, layout.byteLength, tag),
        65536,
      );
      if (refusal) throw refusal;
    }
    this.#state = engine.memory;
    if (attached) this.memory = attached.memory;
    else {
      this.memory = reserveShared(layout.byteLength);
      writeTag(this.memory, tag);
    }
    this.#alloc = engine.exports.sharedArenaAlloc;
    this.#reset = engine.exports.sharedArenaReset;
    this.#mark = engine.exports.sharedArenaMark;
    this.#rewind = engine.exports.sharedArenaRewind;
    this.#stat = engine.exports.sharedArenaStat;
  }

  /** Another holder of the arena `descriptor` came from (`backend.attachArena`). */
  static attach(descriptor: unknown, engineModule: SharedEngineModule): SharedWasmArena {
    const { geometry: layout, descriptor: d } = attachedArenaGeometry(descriptor, engineModule.name, SHARED_FORMAT, MAX_MEMORY_BYTES);
    const engine = verifiedEngine(engineModule, d, 'Arena', layout);
    if (engine.exports.sharedArenaAttach() !== Status.OK)
      throw invalidRange('descriptor.state', 'the state of an Arena, from share()', 'another state');
    return new SharedWasmArena(layout, engineModule, { memory: d.memory, engine });
  }

  get destroyed(): boolean {
    SharedWasmArena.#own(this, 'destroyed');
    return this.#destroyed;
  }

  share(): SharedArenaDescriptor {
    SharedWasmArena.#own(this, 'share');
    if (this.#destroyed) throw destroyed('Arena', 'share');
    return {
      kind: 'Arena',
      backend: this.#backend,
      format: SHARED_FORMAT,
      bufferSize: this.bufferSize,
      align: this.#align,
      memory: this.memory,
      state: this.#state,
    };
  }

  alloc(size: number, align: number = DEFAULT_ALIGN): number {
    let destroyedNow: boolean;
    try {
      destroyedNow = this.#destroyed;
    } catch {
      throw unboundMethod('Arena', 'alloc', this);
    }
    if (destroyedNow) throw destroyed('Arena', 'alloc');
    checkArenaAlloc(size, align);
    return this.#alloc(size > MAX_U32 ? MAX_U32 : size, align) >>> 0;
  }

  reset(): void {
    SharedWasmArena.#own(this, 'reset');
    if (this.#destroyed) throw destroyed('Arena', 'reset');
    if (this.#reset() === BUSY) throw busy('Arena', 'reset', 'another reset or rewind is running');
  }

  mark(): number {
    SharedWasmArena.#own(this, 'mark');
    if (this.#destroyed) throw destroyed('Arena', 'mark');
    const both = this.#mark();
    if (both < 0) throw busy('Arena', 'mark', 'a reset or rewind ran at the same time');
    return encodeMark(Math.floor(both / 2 ** 32), both % 2 ** 32);
  }

  rewind(mark: number): void {
    SharedWasmArena.#own(this, 'rewind');
    if (this.#destroyed) throw destroyed('Arena', 'rewind');
    // What the engine checks against the current state, as one step: the mark's generation and offset.
    const generation = typeof mark === 'number' ? markGeneration(mark) : -1;
    const offset = generation >= 0 && generation < MARK_GENERATIONS ? mark - encodeMark(generation, 0) : -1;
    const status = Number.isInteger(offset) && offset >= 0 && offset <= MAX_U32 ? this.#rewind(generation, offset) : Status.INVALID_HANDLE;
    if (status === BUSY) throw busy('Arena', 'rewind', 'another reset or rewind is running, or other holders allocated meanwhile');
    if (status !== Status.OK) throw badMark(mark, this.#stat(OFFSET_FIELD), this.#stat(GENERATION_FIELD));
  }

  stats(): ArenaStats {
    SharedWasmArena.#own(this, 'stats');
    if (this.#destroyed) throw destroyed('Arena', 'stats');
    return arenaStatsFrom(ARENA_STATS_FIELDS.map((_, field) => this.#stat(field)));
  }

  /** Ends this holder only; as `SharedWasmFixedPool.destroy`. */
  destroy(): void {
    SharedWasmArena.#own(this, 'destroy');
    this.#destroyed = true;
    this.#alloc = gone;
  }

  [Symbol.dispose](): void {
    SharedWasmArena.#own(this, 'destroy');
    this.destroy();
  }

  static #own(self: unknown, method: string): void {
    if (typeof self !== 'object' || self === null || !(#destroyed in self)) throw unboundMethod('Arena', method, self);
  }
}
