import type { Engine } from '@mempool/api';
import { BLOCK, type NativeAnchor, packageBinding } from './binding.js';
import { created, destroyIn } from './memory.js';

// The argument block's indexes and the binding, as the subclasses take them (see packageBinding).
const { id: ID, result: RESULT } = BLOCK;
const binding = packageBinding();
const { block } = binding;
/** What an engine probes once destroyed: reads as detached, even where `memory` could not be detached. */
const UNUSABLE = new Uint8Array(0);

/**
 * What a C pool's and a C arena's engines share: the allocator's id, its anchor, the probe of its
 * memory, and the calls that take no argument but the id. Each call names the allocator by writing
 * `id` to the argument block (see `addon/addon.cc`). The fields are readable by the subclasses'
 * hot paths (ES private names are not); nothing outside the package reaches an engine, which
 * `EngineFixedPool`/`EngineArena` keep in a private field.
 */
export class NativeEngine implements Engine {
  readonly memory: ArrayBuffer;
  /** The allocator's id in the addon's table: what every call writes to the block. */
  protected readonly id: number;
  /** Keeps the C allocator alive as long as this engine is reachable; destroy() shows it to the addon. */
  readonly #anchor: NativeAnchor;
  /**
   * One byte of `memory`: its length reads 0 once `memory` is detached (by destroy() or by other
   * code), and optimized code reads it faster than `memory.byteLength`. destroy() swaps in
   * `UNUSABLE`, should no means of detaching work.
   */
  protected probe: Uint8Array;

  /** Over `memory`, with what `binding.createFixedPool`/`createArena` returned for it. */
  constructor(memory: ArrayBuffer, result: NativeAnchor | number | undefined) {
    this.#anchor = created(binding, result, memory.byteLength);
    this.id = block[RESULT]!;
    this.memory = memory;
    this.probe = new Uint8Array(memory, 0, 1);
  }

  usable(): boolean {
    return this.probe.length !== 0;
  }

  reset(): number {
    block[ID] = this.id;
    return binding.reset();
  }

  stats(words: Float64Array): void {
    block[ID] = this.id;
    binding.stats(words);
  }

  destroy(): void {
    block[ID] = this.id;
    destroyIn(binding, this.memory, this.#anchor);
    this.probe = UNUSABLE;
  }
}
