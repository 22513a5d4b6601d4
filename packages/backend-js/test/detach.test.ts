import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { backend, createArena, createFixedPool } from '@mempool/backend-js';
import { detachCases } from './shared/detach.js';

describe('js: memory detached by other code', () => {
  detachCases(backend);

  it('Node refuses to transfer memory: postMessage and structuredClone copy it instead', () => {
    const pool = createFixedPool(8, 4);
    const arena = createArena(64);
    const handle = pool.alloc();
    new Float64Array(pool.memory)[handle / 8] = 2.5;
    const { port1 } = new MessageChannel();
    port1.postMessage(pool.memory, [pool.memory]);
    port1.close();
    const copy = structuredClone(arena.memory, { transfer: [arena.memory] });
    expect(pool.memory.byteLength).toBe(pool.dataOffset + 4 * 8);
    expect(new Float64Array(pool.memory)[handle / 8]).toBe(2.5);
    expect(arena.memory.byteLength).toBe(copy.byteLength);
    expect(pool.alloc()).not.toBe(0);
    expect(arena.alloc(8)).not.toBe(0);
  });

  it('destroy() still detaches the untransferable memory, so every view reads as length 0', () => {
    const pool = createFixedPool(8, 4);
    const arena = createArena(64);
    const views = [new Uint8Array(pool.memory), new Uint8Array(arena.memory)];
    pool.destroy();
    arena[Symbol.dispose]();
    expect(views.map((view) => view.length)).toEqual([0, 0]);
    expect(pool.memory.byteLength + arena.memory.byteLength).toBe(0);
  });
});
