import { type ArenaEngine, type ArenaGeometry, Status } from '@mempool/api';
import { BLOCK, packageBinding } from './binding.js';
import { NativeEngine } from './engine.js';
import { reserveMemory } from './memory.js';

// The argument block's indexes, as module constants (the hot paths read them on every call).
const { id: ID, arg0: ARG0, arg1: ARG1, result: RESULT } = BLOCK;
// The addon's functions as module constants: see packageBinding for why not fields.
const binding = packageBinding();
const { block, arenaAlloc, arenaMark, arenaRewind } = binding;

/**
 * An arena kept by the C library, as `EngineArena` (@mempool/api) drives it; `alloc` passes its
 * arguments and result through the argument block as `NativeFixedPoolEngine`'s `free` does.
 */
export class NativeArenaEngine extends NativeEngine implements ArenaEngine {
  constructor(geometry: ArenaGeometry) {
    const memory = reserveMemory(geometry.byteLength);
    super(memory, binding.createArena(memory, geometry.bufferSize, geometry.align));
  }

  alloc(size: number, align: number): number {
    if (this.probe.length === 0) return 0;
    // EngineArena checked that size and align are numbers: writing them runs no JavaScript.
    block[ID] = this.id;
    block[ARG0] = size;
    block[ARG1] = align;
    arenaAlloc();
    return block[RESULT]!;
  }

  mark(): number {
    block[ID] = this.id;
    return arenaMark();
  }

  rewind(mark: unknown): number {
    if (typeof mark !== 'number') return Status.INVALID_HANDLE;
    block[ID] = this.id;
    return arenaRewind(mark);
  }
}
