import { constrainedMemory } from 'node:process';
import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ENGINE_FACTS, ErrorCode, HEADER_BYTES } from '@mempool/api';
import { createFixedPool } from '@mempool/backend-js';

/** What the js backend may reserve on this machine: the same bound `reservableBytes` applies. */
const reservable = Math.min(totalmem(), constrainedMemory?.() || Number.POSITIVE_INFINITY);

describe('js: honest limits', () => {
  it('counts 8 bytes of bookkeeping a slot and refuses up front what this machine cannot hold, naming the real bytes', () => {
    // 2^32 - 64 one-byte slots: 4 GiB of memory, 32 GiB of free stack and live epochs.
    const capacity = 2 ** 32 - 64;
    const memoryBytes = HEADER_BYTES + capacity;
    const bookkeepingBytes = ENGINE_FACTS.bookkeepingBytesPerSlot * capacity;
    const total = memoryBytes + bookkeepingBytes;
    if (total > reservable) {
      expect(() => createFixedPool(1, capacity, { align: 1 })).toThrowError(
        expect.objectContaining({
          name: 'RangeError',
          code: ErrorCode.OUT_OF_MEMORY,
          message: `could not reserve ${total} bytes (${memoryBytes} bytes of memory + ${bookkeepingBytes} of bookkeeping; this machine has ${reservable}): the engine or the system refused the memory`,
        }),
      );
    } else {
      // A machine that really has the 36 GiB: the pool is made, and given back at once.
      const pool = createFixedPool(1, capacity, { align: 1 });
      expect(pool.capacity).toBe(capacity);
      pool.destroy();
    }
  });

  it('refuses a pool past 4 GiB of memory with ERR_MEMPOOL_INVALID_ARGUMENT before reserving anything', () => {
    expect(() => createFixedPool(2, 2 ** 31)).toThrowError(
      expect.objectContaining({
        name: 'RangeError',
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('objectSize * capacity'),
      }),
    );
  });
});
