import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { ErrorCode, type Arena, type FixedPool } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { isSharedRun } from '../shared-allocators/shared-module.js';

/** What the cases detach `memory` with: `MessageChannel` and byte streams, on every platform that has them. */
export function detachBlocker(): string | undefined {
  return typeof MessageChannel !== 'function' || typeof ReadableStreamBYOBReader !== 'function'
    ? 'this platform has no MessageChannel or byte streams (ReadableStreamBYOBReader) to detach memory with'
    : undefined;
}

/** Moves each of `buffers` through a MessagePort; resolves with the error if the platform refused. */
async function transfer(buffers: readonly ArrayBufferLike[]): Promise<unknown[]> {
  const { port1, port2 } = new MessageChannel();
  // `onmessage`, as browsers and Node both spell it (Node's types know only `on('message')`).
  const receiver = port2 as unknown as { onmessage: (() => void) | null };
  const refusals: unknown[] = [];
  let sent = 0;
  let received = 0;
  const allReceived = new Promise<void>((resolve) => {
    receiver.onmessage = () => {
      if (++received === sent) resolve();
    };
  });
  for (const buffer of buffers) {
    try {
      port1.postMessage(buffer, [buffer as ArrayBuffer]);
      sent++;
    } catch (error) {
      refusals.push(error);
    }
  }
  if (sent > 0) await allReceived;
  port1.close();
  receiver.onmessage = null;
  return refusals;
}

/** Reads into `buffer` through a BYOB reader, which detaches it wherever the platform can (no mark prevents it). */
async function byobRead(buffer: ArrayBufferLike): Promise<void> {
  const stream = new ReadableStream({ type: 'bytes', start: (controller) => controller.close() });
  try {
    await stream.getReader({ mode: 'byob' }).read(new Uint8Array(buffer));
  } catch {
    // Refused: this memory cannot be detached (a wasm memory, a SharedArrayBuffer). The case then
    // checks that the allocator kept its bytes and carries on.
  }
}

/** A pool with one live slot holding 1.5, and an arena with one allocation and a mark. */
function allocators({ backend, scope }: SuiteContext) {
  const pool = scope.add(backend.createFixedPool(8, 4));
  const arena = scope.add(backend.createArena(64));
  const live = pool.alloc();
  new Float64Array(pool.memory)[live / 8] = 1.5;
  const mark = arena.mark();
  const markedOffset = arena.stats().offset;
  expect(arena.alloc(8)).not.toBe(0);
  return { pool, arena, live, mark, markedOffset };
}

/** Every call of a pool and an arena whose memory is gone, each with the error it must throw. */
function expectEveryCallRefused(pool: FixedPool, arena: Arena, live: number, mark: number, code: ErrorCode): void {
  const error = expect.objectContaining({ code });
  expect(() => pool.alloc()).toThrowError(error);
  expect(() => pool.free(live)).toThrowError(error);
  expect(() => pool.allocMany(new Float64Array(2))).toThrowError(error);
  expect(() => pool.freeMany(new Float64Array([live]))).toThrowError(error);
  expect(() => pool.reset()).toThrowError(error);
  expect(() => pool.stats()).toThrowError(error);
  expect(() => arena.alloc(8)).toThrowError(error);
  expect(() => arena.mark()).toThrowError(error);
  expect(() => arena.rewind(mark)).toThrowError(error);
  expect(() => arena.reset()).toThrowError(error);
  expect(() => arena.stats()).toThrowError(error);
}

/**
 * The contract after other code tried to take `memory` away: either the platform refused (the
 * memory keeps its bytes and the allocators carry on) or the backend noticed (every call but
 * `destroy()` throws `ERR_MEMPOOL_DETACHED`, which still works). Never handles into 0 bytes.
 */
function expectRefusedOrDetected(context: SuiteContext, { pool, arena, live, mark, markedOffset }: ReturnType<typeof allocators>): void {
  const detachedPool = pool.memory.byteLength === 0;
  expect(arena.memory.byteLength === 0, 'the pool and the arena fare alike').toBe(detachedPool);
  // A SharedArrayBuffer cannot be detached: a shared allocator always takes the first branch.
  if (isSharedRun(context.backend)) expect(detachedPool).toBe(false);
  if (!detachedPool) {
    expect(new Float64Array(pool.memory)[live / 8]).toBe(1.5);
    pool.free(live);
    expect(pool.alloc()).toBe(live);
    expect(arena.alloc(8)).not.toBe(0);
    arena.rewind(mark);
    expect(arena.stats().offset).toBe(markedOffset);
    return;
  }
  expectEveryCallRefused(pool, arena, live, mark, ErrorCode.DETACHED);
  expect([pool.destroyed, arena.destroyed]).toEqual([false, false]);
  pool.destroy();
  arena.destroy();
  expect([pool.destroyed, arena.destroyed]).toEqual([true, true]);
  expectEveryCallRefused(pool, arena, live, mark, ErrorCode.DESTROYED);
}

/** `memory` transferred or detached by other code while its allocator lives. */
export function detachedMemory(context: SuiteContext): void {
  describe('Memory detached by other code', () => {
    it('a transfer of memory by postMessage is refused, or every later call throws ERR_MEMPOOL_DETACHED', async () => {
      const state = allocators(context);
      const refusals = await transfer([state.pool.memory, state.arena.memory]);
      // Refused by throwing: Node 21+ and browsers for an untransferable buffer, every platform for a SharedArrayBuffer.
      for (const error of refusals) expect(['DataCloneError', 'TypeError']).toContain((error as Error).name);
      expectRefusedOrDetected(context, state);
    });

    it('memory read into by a BYOB stream reader is kept, or every later call throws ERR_MEMPOOL_DETACHED', async () => {
      const state = allocators(context);
      await byobRead(state.pool.memory);
      await byobRead(state.arena.memory);
      expectRefusedOrDetected(context, state);
    });
  });
}
