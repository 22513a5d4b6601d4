import { ARENA_STATS_FIELDS, encodeMark, outOfMemory, rewindOffset, Status, type ArenaEngine, type ArenaGeometry } from '@mempool/api';
import { instantiate, type Engine } from './engine.js';
import { MAX_U32, PAGE_BYTES } from './memory.js';
import { OwnMemoryEngine } from './own-memory.js';
import type { WasmModule } from './webassembly.js';

/** Bound after destroy() in place of the module's functions, so the instance can be collected. */
const gone = (): number => 0;

/**
 * An arena's engine, a bump allocator (docs/ALGORITHMS.md): its own instance of the wasm module.
 * `memory` holds the header and the data region exactly as in the js backend, and nothing else;
 * the stats cross through a scratch in the instance's private memory.
 */
export class WasmArenaEngine extends OwnMemoryEngine implements ArenaEngine {
  #stats64: Float64Array;
  #alloc: Engine['arenaAlloc'];
  #reset: Engine['arenaReset'];
  #offset: Engine['arenaOffset'];
  #generation: Engine['arenaGeneration'];
  #rewind: Engine['arenaRewind'];
  #stats: Engine['arenaStats'];

  constructor(geometry: ArenaGeometry, module: WasmModule) {
    const { exports, memory } = instantiate(module);
    if (exports.arenaInit(geometry.dataOffset, geometry.bufferSize) !== Status.OK) throw outOfMemory(PAGE_BYTES);
    super(geometry.byteLength);
    this.#stats64 = new Float64Array(memory.buffer, exports.engineScratch() >>> 0, ARENA_STATS_FIELDS.length);
    this.#alloc = exports.arenaAlloc;
    this.#reset = exports.arenaReset;
    this.#offset = exports.arenaOffset;
    this.#generation = exports.arenaGeneration;
    this.#rewind = exports.arenaRewind;
    this.#stats = exports.arenaStats;
  }

  alloc(size: number, align: number): number {
    // A size past 2^32 - 1 arrives as 2^32 - 1, which no wasm32 arena fits either. Tested as
    // `size >>> 0 === size`, an integer compare (against MAX_U32, a double, the arena bench's alloc
    // took 4.3 ns instead of 3.7 on this engine; see the package README).
    return (size >>> 0 === size ? this.#alloc(size, align) : this.#alloc(MAX_U32, align)) >>> 0;
  }

  reset(): number {
    this.#reset();
    return Status.OK;
  }

  mark(): number {
    return encodeMark(this.#generation() >>> 0, this.#offset() >>> 0);
  }

  rewind(mark: number): number {
    const offset = rewindOffset(mark, this.#generation() >>> 0, this.#offset() >>> 0);
    return offset < 0 ? Status.INVALID_HANDLE : this.#rewind(offset);
  }

  stats(words: Float64Array): void {
    this.#stats();
    words.set(this.#stats64);
  }

  destroy(): void {
    this.detachMemory();
    this.#stats64 = new Float64Array(0);
    this.#alloc = this.#offset = this.#generation = this.#rewind = gone;
    this.#reset = this.#stats = gone;
  }
}
