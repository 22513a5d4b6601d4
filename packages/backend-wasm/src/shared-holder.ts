import { busy, invalidRange, outOfMemory, Status, type SharedDescriptorFields } from '@mempool/api';
import { instantiateShared, newSharedState, type EngineInstance, type SharedEngine } from './engine.js';
import { PAGE_BYTES, tooManySlots } from './memory.js';
import { reserveShared, SHARED_POOL_BYTES_PER_SLOT, type SharedEngineModule } from './shared-state.js';
import { newTag, verifiedEngine, writeTag, type ClaimedLayout } from './shared-verify.js';

/** One holder of a shared allocator: an instance of the shared engine over the state, and the allocator's `memory`. */
export interface SharedHolder {
  readonly instance: EngineInstance<SharedEngine>;
  readonly memory: SharedArrayBuffer;
}

/**
 * The first holder of a new shared allocator whose state takes `stateBytes` beyond the reserved
 * pages and whose `memory` takes `byteLength`: `create` lays the state out in the fresh instance
 * (with the tag that `memory` then carries) and returns the engine's status.
 */
export function createShared(
  engineModule: SharedEngineModule,
  stateBytes: number,
  byteLength: number,
  create: (engine: SharedEngine, tag: number) => number,
): SharedHolder {
  const tag = newTag();
  const instance = instantiateShared(engineModule.module, newSharedState(stateBytes));
  const status = create(instance.exports, tag);
  // Only a pool's state grows with its capacity, so only a pool is refused as too large.
  if (status === Status.INVALID_ARGUMENT) throw tooManySlots(stateBytes / SHARED_POOL_BYTES_PER_SLOT, SHARED_POOL_BYTES_PER_SLOT);
  if (status !== Status.OK) throw outOfMemory(Math.max(stateBytes, PAGE_BYTES));
  const memory = reserveShared(byteLength);
  writeTag(memory, tag);
  return { instance, memory };
}

/**
 * Another holder of the allocator `d` describes, whose fields gave `layout`: once the state and
 * the memory passed `verifiedEngine`, `attach` claims a holder in the state and returns the
 * engine's status (`BUSY`: every holder record of a pool is taken).
 */
export function attachShared(
  engineModule: SharedEngineModule,
  d: SharedDescriptorFields,
  kind: 'FixedPool' | 'Arena',
  layout: ClaimedLayout,
  attach: (engine: SharedEngine) => number,
): SharedHolder {
  const instance = verifiedEngine(engineModule, d, kind, layout);
  const status = attach(instance.exports);
  if (status === Status.BUSY) {
    const why = `all ${instance.exports.HOLDERS.value} holder records of the pool are claimed (destroy() a holder to free one)`;
    throw busy(kind, 'attach', why);
  }
  if (status !== Status.OK)
    throw invalidRange('descriptor.state', `the state of ${kind === 'Arena' ? 'an' : 'a'} ${kind}, from share()`, 'another state');
  return { instance, memory: d.memory };
}
