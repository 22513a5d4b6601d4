import { expect } from 'vitest';

/**
 * What `destroy()` leaves of an allocator's memory. Unshared: every view reads as length 0 and
 * `memory` as 0 bytes. Shared: the memory belongs to every holder of the allocator (a
 * `SharedArrayBuffer` cannot be detached), so it keeps its length until the last holder is
 * collected; `destroy()` ends this holder only, which the suite checks through its calls.
 */
export function expectMemoryReleased(memory: ArrayBufferLike, views: readonly ArrayBufferView[], shared: boolean): void {
  if (shared) {
    expect(memory).toBeInstanceOf(SharedArrayBuffer);
    expect(views.every((view) => view.byteLength > 0)).toBe(true);
  } else {
    expect(views.map((view) => view.byteLength)).toEqual(views.map(() => 0));
    expect(memory.byteLength).toBe(0);
  }
}

/** The class of `memory` an allocator of this run has. */
export const memoryClass = (shared: boolean): typeof ArrayBuffer | typeof SharedArrayBuffer => (shared ? SharedArrayBuffer : ArrayBuffer);
