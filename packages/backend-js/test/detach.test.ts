import { MessageChannel, markAsUntransferable } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ErrorCode, markThatKeepsDetach } from '@mempool/api';
import { createArena, createFixedPool } from '@mempool/backend-js';

/** Memory is marked untransferable where a marked buffer stays detachable (see src/platform/node.ts). */
const nodeRefuses = markThatKeepsDetach(markAsUntransferable) !== undefined;

// The cases every backend shares (a transfer, a BYOB read) are the conformance suite's detachedMemory group.
describe('js: memory detached by other code', () => {
  it(`${nodeRefuses ? 'this runtime refuses' : 'this runtime cannot refuse (and keep detach at destroy())'} a transfer of memory by postMessage or structuredClone`, () => {
    const pool = createFixedPool(8, 4);
    const arena = createArena(64);
    const handle = pool.alloc();
    new Float64Array(pool.memory)[handle / 8] = 2.5;
    const { port1 } = new MessageChannel();
    const transfers = [
      () => port1.postMessage(pool.memory, [pool.memory]),
      () => structuredClone(arena.memory, { transfer: [arena.memory] }),
    ];
    for (const transfer of transfers) {
      if (nodeRefuses) expect(transfer).toThrowError(expect.objectContaining({ name: 'DataCloneError' }));
      else transfer();
    }
    port1.close();
    if (nodeRefuses) {
      expect(new Float64Array(pool.memory)[handle / 8]).toBe(2.5);
      expect(pool.alloc()).not.toBe(0);
      expect(arena.alloc(8)).not.toBe(0);
    } else {
      const detached = expect.objectContaining({ code: ErrorCode.DETACHED });
      expect(() => pool.alloc()).toThrowError(detached);
      expect(() => arena.alloc(8)).toThrowError(detached);
    }
  });

  it('destroy() detaches memory (marked untransferable or not), so every view reads as length 0', () => {
    const pool = createFixedPool(8, 4);
    const arena = createArena(64);
    const views = [new Uint8Array(pool.memory), new Uint8Array(arena.memory)];
    pool.destroy();
    arena[Symbol.dispose]();
    expect(views.map((view) => view.length)).toEqual([0, 0]);
    expect(pool.memory.byteLength + arena.memory.byteLength).toBe(0);
  });

  it('destroy() gives the bytes back at once: a synchronous loop of 1 MiB pools stays small', () => {
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 2000; i++) {
      const pool = createFixedPool(1024, 1024);
      new Uint8Array(pool.memory).fill(1);
      pool.destroy();
    }
    // 2,000 MiB went through; a detach that kept them (as a BYOB read does) would hold them all.
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 2 ** 20);
  });
});
