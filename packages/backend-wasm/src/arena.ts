import {
  ARENA_STATS_FIELDS,
  arenaStatsFrom,
  badMark,
  checkArenaAlloc,
  DEFAULT_ALIGN,
  destroyed,
  encodeMark,
  outOfMemory,
  rewindOffset,
  Status,
  unboundMethod,
  type Arena,
  type ArenaGeometry,
  type ArenaStats,
} from '@mempool/api';
import { instantiate, type Engine } from './engine.js';
import { detach, reserveMemory } from './memory.js';
import type { WasmMemory, WasmModule } from './webassembly.js';

/** Sizes past this arrive in wasm as exactly this, which never fits a wasm32 arena. */
const MAX_U32 = 0xffffffff;

/** Bound after destroy() in place of the engine's functions, so the instance can be collected. */
const gone = (): number => 0;

/**
 * A bump allocator (docs/ALGORITHMS.md) run by its own instance of the wasm module. `memory` holds
 * the header and the data region exactly as in the js backend, and nothing else; the stats cross
 * through a scratch in the engine's private memory.
 */
export class WasmArena implements Arena {
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;

  #wasmMemory: WasmMemory;
  #stats64: Float64Array;
  #destroyed = false;
  #alloc: Engine['arenaAlloc'];
  #reset: Engine['arenaReset'];
  #offset: Engine['arenaOffset'];
  #generation: Engine['arenaGeneration'];
  #rewind: Engine['arenaRewind'];
  #stats: Engine['arenaStats'];

  constructor(layout: ArenaGeometry, module: WasmModule) {
    this.bufferSize = layout.bufferSize;
    this.dataOffset = layout.dataOffset;
    const engine = instantiate(module);
    if (engine.exports.arenaInit(layout.dataOffset, layout.bufferSize) !== Status.OK) throw outOfMemory(65536);
    this.#stats64 = new Float64Array(engine.memory.buffer, engine.exports.engineScratch() >>> 0, ARENA_STATS_FIELDS.length);
    this.#wasmMemory = reserveMemory(layout.byteLength);
    this.memory = this.#wasmMemory.buffer;
    this.#alloc = engine.exports.arenaAlloc;
    this.#reset = engine.exports.arenaReset;
    this.#offset = engine.exports.arenaOffset;
    this.#generation = engine.exports.arenaGeneration;
    this.#rewind = engine.exports.arenaRewind;
    this.#stats = engine.exports.arenaStats;
  }

  get destroyed(): boolean {
    WasmArena.#own(this, 'destroyed');
    return this.#destroyed;
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
    WasmArena.#own(this, 'reset');
    if (this.#destroyed) throw destroyed('Arena', 'reset');
    this.#reset();
  }

  mark(): number {
    WasmArena.#own(this, 'mark');
    if (this.#destroyed) throw destroyed('Arena', 'mark');
    return encodeMark(this.#generation() >>> 0, this.#offset() >>> 0);
  }

  rewind(mark: number): void {
    WasmArena.#own(this, 'rewind');
    if (this.#destroyed) throw destroyed('Arena', 'rewind');
    const current = this.#offset() >>> 0;
    const generation = this.#generation() >>> 0;
    const offset = rewindOffset(mark, generation, current);
    if (offset < 0) throw badMark(mark, current, generation);
    this.#rewind(offset);
  }

  stats(): ArenaStats {
    WasmArena.#own(this, 'stats');
    if (this.#destroyed) throw destroyed('Arena', 'stats');
    this.#stats();
    return arenaStatsFrom(this.#stats64);
  }

  destroy(): void {
    WasmArena.#own(this, 'destroy');
    if (this.#destroyed) return;
    this.#destroyed = true;
    detach(this.#wasmMemory);
    this.#wasmMemory = undefined as unknown as WasmMemory;
    this.#stats64 = new Float64Array(0);
    this.#alloc = this.#offset = this.#generation = this.#rewind = gone;
    this.#reset = this.#stats = gone;
  }

  [Symbol.dispose](): void {
    WasmArena.#own(this, 'destroy');
    this.destroy();
  }

  /** Throws the contract's TypeError when a method runs with a `this` that is not an arena. */
  static #own(self: unknown, method: string): void {
    if (typeof self !== 'object' || self === null || !(#destroyed in self)) throw unboundMethod('Arena', method, self);
  }
}
