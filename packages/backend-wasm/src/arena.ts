import {
  arenaStatsFrom,
  badMark,
  checkArenaAlloc,
  DEFAULT_ALIGN,
  destroyed,
  encodeMark,
  rewindOffset,
  MARK_GENERATIONS,
  type Arena,
  type ArenaLayout,
  type ArenaStats,
} from '@mempool/api';
import { instantiate, type Engine } from './engine.js';
import type { WasmMemory } from './webassembly.js';
import { arenaScratch, detach, reserveMemory } from './memory.js';

/** Sizes past this arrive in wasm as exactly this, which never fits a wasm32 arena. */
const MAX_U32 = 0xffffffff;

/** Bound after destroy() in place of the engine's functions, so the instance can be collected. */
const gone = (): number => 0;

/**
 * A bump allocator (docs/ALGORITHMS.md) run by its own instance of the wasm module. `memory` holds
 * the header and the data region exactly as in the js backend, then a small stats scratch.
 */
export class WasmArena implements Arena {
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;

  #wasmMemory: WasmMemory;
  #scratch: Float64Array;
  #destroyed = false;
  #alloc: Engine['arenaAlloc'];
  #reset: Engine['arenaReset'];
  #offset: Engine['arenaOffset'];
  #generation: Engine['arenaGeneration'];
  #rewind: Engine['arenaRewind'];
  #stats: Engine['arenaStats'];

  constructor(layout: ArenaLayout) {
    this.bufferSize = layout.bufferSize;
    this.dataOffset = layout.dataOffset;
    const { scratch, memoryBytes } = arenaScratch(layout.byteLength);
    this.#wasmMemory = reserveMemory(memoryBytes);
    this.memory = this.#wasmMemory.buffer;
    this.#scratch = new Float64Array(this.memory, scratch, 6);
    const engine = instantiate(this.#wasmMemory);
    engine.arenaInit(layout.dataOffset, layout.bufferSize, scratch);
    this.#alloc = engine.arenaAlloc;
    this.#reset = engine.arenaReset;
    this.#offset = engine.arenaOffset;
    this.#generation = engine.arenaGeneration;
    this.#rewind = engine.arenaRewind;
    this.#stats = engine.arenaStats;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  alloc(size: number, align: number = DEFAULT_ALIGN): number {
    if (this.#destroyed) throw destroyed('Arena', 'alloc');
    checkArenaAlloc(size, align);
    return this.#alloc(size > MAX_U32 ? MAX_U32 : size, align) >>> 0;
  }

  reset(): void {
    if (this.#destroyed) throw destroyed('Arena', 'reset');
    this.#reset();
  }

  mark(): number {
    if (this.#destroyed) throw destroyed('Arena', 'mark');
    return encodeMark(this.#currentGeneration(), this.#offset() >>> 0);
  }

  rewind(mark: number): void {
    if (this.#destroyed) throw destroyed('Arena', 'rewind');
    const current = this.#offset() >>> 0;
    const generation = this.#currentGeneration();
    const offset = rewindOffset(mark, generation, current);
    if (offset < 0) throw badMark(mark, current, generation);
    this.#rewind(offset);
  }

  stats(): ArenaStats {
    if (this.#destroyed) throw destroyed('Arena', 'stats');
    this.#stats();
    const stats = arenaStatsFrom(this.#scratch);
    this.#scratch.fill(0);
    return stats;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    detach(this.#wasmMemory);
    this.#wasmMemory = undefined as unknown as WasmMemory;
    this.#scratch = new Float64Array(0);
    this.#alloc = this.#offset = this.#generation = this.#rewind = gone;
    this.#reset = this.#stats = gone;
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  /** Resets so far modulo 2^20, as marks record it (the engine counts modulo 2^32, a multiple). */
  #currentGeneration(): number {
    return (this.#generation() >>> 0) % MARK_GENERATIONS;
  }
}
