import type { FixedPoolGeometry } from './checks.js';
import type { HandleArray } from './contract.js';
import { corrupted, doubleFree, invalidHandle, invalidType, outOfMemory, type MempoolError } from './errors.js';

/**
 * The statuses the C library's `MP_OK`/`MP_ERR_*` and the wasm module return, with the same values,
 * so a backend that checks inside the engine maps its status to the contract's error here.
 */
export const Status = {
  OK: 0,
  NULL_POINTER: -1,
  INVALID_ARGUMENT: -2,
  INVALID_HANDLE: -3,
  DOUBLE_FREE: -4,
  OUT_OF_MEMORY: -5,
  /**
   * The bookkeeping was overwritten from outside (`ErrorCode.CORRUPTED`). Reserved: no engine
   * returns it today, since none keeps bookkeeping where a write into `memory` can reach it.
   */
  CORRUPTED: -6,
  /** A shared allocator's `reset` or `rewind` overlapped another call it cannot run beside (`ErrorCode.BUSY`). */
  BUSY: -7,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

type SlotGeometry = Pick<FixedPoolGeometry, 'dataOffset' | 'slotSize' | 'capacity'>;

/** The error for a handle that is not the start of a slot of this pool. */
export function notASlot(name: string, handle: unknown, pool: SlotGeometry): MempoolError {
  if (typeof handle !== 'number') return invalidType(name, 'a number', handle);
  const last = pool.dataOffset + (pool.capacity - 1) * pool.slotSize;
  return invalidHandle(name, `a handle of this pool (${pool.dataOffset} + i * ${pool.slotSize}, up to ${last})`, handle);
}

/** The error for a handle `free`/`freeMany` refused with `status`. */
export function freeError(status: number, name: string, handle: unknown, pool: SlotGeometry): MempoolError {
  if (status === Status.DOUBLE_FREE) return doubleFree(name, handle as number);
  if (status === Status.CORRUPTED) return corrupted(name, handle as number);
  return notASlot(name, handle, pool);
}

/** The error for a mark `rewind` refused. */
export function badMark(mark: unknown, offset: number, generation: number): MempoolError {
  if (typeof mark !== 'number') return invalidType('mark', 'a number', mark);
  return invalidHandle(
    'mark',
    `a mark of this arena taken since its last reset (generation ${generation}) at or before its current offset ${offset}`,
    mark,
  );
}

/**
 * The error for a batch array an engine refused itself (the native addon re-checks what it reads):
 * `Status.INVALID_ARGUMENT`, not a genuine typed array; `Status.OUT_OF_MEMORY`, no room to copy a
 * batch over a `SharedArrayBuffer`.
 */
export function batchError(status: number, name: string, array: HandleArray, count: number): MempoolError {
  if (status === Status.OUT_OF_MEMORY) return outOfMemory(count * array.BYTES_PER_ELEMENT);
  return invalidType(name, 'a genuine Uint32Array or Float64Array (not a Proxy, not a subclass whose length lies)', array);
}
