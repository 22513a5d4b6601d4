// `memory` detached by other code while the allocator lives. Written against `Backend` only, so
// the conformance suite can run it on every backend, in Node and in a browser.
import { expect, it } from 'vitest';
import { ErrorCode, type Arena, type Backend, type FixedPool } from '@mempool/api';

const detachedError = expect.objectContaining({ name: 'Error', code: ErrorCode.DETACHED });

/** Detaches `buffer` the way a BYOB stream read does, which no platform mark prevents. */
async function detachByByobRead(buffer: ArrayBuffer): Promise<void> {
  const stream = new ReadableStream({ type: 'bytes', start: (controller) => controller.close() });
  const read = stream.getReader({ mode: 'byob' }).read(new Uint8Array(buffer));
  expect(buffer.byteLength).toBe(0);
  expect((await read).done).toBe(true);
}

/** Every call of a pool and an arena whose memory is gone, each with the error it must throw. */
function expectEveryCallRefused(pool: FixedPool, arena: Arena, live: number, mark: number, error: unknown): void {
  expect(() => pool.alloc()).toThrowError(error as Error);
  expect(() => pool.free(live)).toThrowError(error as Error);
  expect(() => pool.allocMany(new Float64Array(2))).toThrowError(error as Error);
  expect(() => pool.freeMany(new Float64Array([live]))).toThrowError(error as Error);
  expect(() => pool.reset()).toThrowError(error as Error);
  expect(() => pool.stats()).toThrowError(error as Error);
  expect(() => arena.alloc(8)).toThrowError(error as Error);
  expect(() => arena.mark()).toThrowError(error as Error);
  expect(() => arena.rewind(mark)).toThrowError(error as Error);
  expect(() => arena.reset()).toThrowError(error as Error);
  expect(() => arena.stats()).toThrowError(error as Error);
}

export function detachCases(backend: Backend): void {
  it('a transfer of memory by postMessage is refused where the platform can; else every later call throws ERR_MEMPOOL_DETACHED', async () => {
    const pool = backend.createFixedPool(8, 4);
    const arena = backend.createArena(64);
    const handle = pool.alloc();
    new Float64Array(pool.memory)[handle / 8] = 1.5;
    const mark = arena.mark();
    const { port1, port2 } = new MessageChannel();
    // `onmessage`, as browsers and Node both spell it (Node's types know only `on('message')`).
    const receiver = port2 as unknown as { onmessage: ((event: { data: ArrayBuffer }) => void) | null };
    const received: ArrayBuffer[] = [];
    let sent = 0;
    const allReceived = new Promise<void>((resolve) => {
      receiver.onmessage = (event) => {
        received.push(event.data);
        if (received.length === sent) resolve();
      };
    });
    for (const allocator of [pool, arena]) {
      try {
        port1.postMessage(allocator.memory, [allocator.memory]);
        sent++;
      } catch (error) {
        // Refused by throwing, as Node 21+ does for a buffer marked untransferable.
        expect(error).toMatchObject({ name: 'DataCloneError' });
      }
    }
    if (sent > 0) await allReceived;
    port1.close();
    receiver.onmessage = null;
    if (pool.memory.byteLength > 0) {
      // Refused: the pool kept its bytes (and a receiver, if any, got a copy).
      expect(new Float64Array(pool.memory)[handle / 8]).toBe(1.5);
      for (const copy of received) expect(copy.byteLength).toBeGreaterThan(0);
      pool.free(handle);
      expect(pool.alloc()).toBe(handle);
      expect(arena.alloc(8)).not.toBe(0);
    } else {
      expectEveryCallRefused(pool, arena, handle, mark, detachedError);
    }
    pool.destroy();
    arena.destroy();
  });

  it('memory detached anyway (a BYOB read): every later call throws ERR_MEMPOOL_DETACHED, and destroy() still works', async () => {
    const pool = backend.createFixedPool(8, 4);
    const arena = backend.createArena(64);
    const live = pool.alloc();
    const mark = arena.mark();
    await detachByByobRead(pool.memory);
    await detachByByobRead(arena.memory);
    expectEveryCallRefused(pool, arena, live, mark, detachedError);
    expect(pool.destroyed).toBe(false);
    pool.destroy();
    arena.destroy();
    expect(pool.destroyed && arena.destroyed).toBe(true);
    expectEveryCallRefused(pool, arena, live, mark, expect.objectContaining({ code: ErrorCode.DESTROYED }));
  });
}
