import { invalidRange, invalidType, type MempoolError } from '@mempool/api';

/** The largest u32: keys and handles are stored in 32-bit cells. */
export const U32_MAX = 0xffff_ffff;

/**
 * The error for a key that is not a u32. Built only on the failure path, so the callers' checks
 * stay one comparison (`(key >>> 0) !== key`).
 */
export function badKey(key: unknown): MempoolError {
  if (typeof key !== 'number') return invalidType('key', 'a number', key);
  return invalidRange('key', `an integer from 0 to ${U32_MAX}`, key);
}

/** The error for a handle that is not a non-null u32 (0 is the null handle: it marks empty cells). */
export function badHandle(handle: unknown): MempoolError {
  if (typeof handle !== 'number') return invalidType('handle', 'a number', handle);
  return invalidRange('handle', `an integer from 1 to ${U32_MAX} (0 is the null handle)`, handle);
}
