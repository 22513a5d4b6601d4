import { describe, expect, it } from 'vitest';
import {
  EngineArena,
  EngineFixedPool,
  ErrorCode,
  Status,
  arenaGeometry,
  fixedPoolGeometry,
  type ArenaEngine,
  type FixedPoolEngine,
} from '../src/index.js';

// The classes alone, over engines that answer what each case needs: the conformance suite runs them
// over every real engine; these pin the mapping from an engine's answers to the contract's errors.

const geometry = fixedPoolGeometry(16, 4, undefined, 2 ** 32);

/** An engine whose every answer is `answer`, and whose memory is usable until `usable` is false. */
function poolEngine(answer: number, overrides: Partial<FixedPoolEngine> = {}): FixedPoolEngine {
  return {
    memory: new ArrayBuffer(geometry.byteLength),
    usable: () => true,
    destroy: () => {},
    alloc: () => answer,
    free: () => answer,
    reset: () => answer,
    allocMany: () => answer,
    freeMany: () => answer,
    refusedAt: () => 1,
    stats: (words) => words.fill(answer),
    ...overrides,
  };
}

const code = (call: () => unknown) => {
  try {
    call();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
};

describe('EngineFixedPool', () => {
  it('turns free statuses into the contract errors, naming the refused batch entry', () => {
    expect(code(() => new EngineFixedPool(geometry, poolEngine(Status.DOUBLE_FREE)).free(80))).toBe(ErrorCode.DOUBLE_FREE);
    expect(code(() => new EngineFixedPool(geometry, poolEngine(Status.INVALID_HANDLE)).free(81))).toBe(ErrorCode.INVALID_HANDLE);
    const pool = new EngineFixedPool(geometry, poolEngine(Status.DOUBLE_FREE));
    expect(() => pool.freeMany(new Uint32Array([64, 80]))).toThrow(/handles\[1\]/);
  });

  it('turns an engine that refuses the batch array itself into ERR_MEMPOOL_INVALID_ARGUMENT or OUT_OF_MEMORY', () => {
    expect(code(() => new EngineFixedPool(geometry, poolEngine(Status.INVALID_ARGUMENT)).allocMany(new Uint32Array(2)))).toBe(
      ErrorCode.INVALID_ARGUMENT,
    );
    expect(code(() => new EngineFixedPool(geometry, poolEngine(Status.OUT_OF_MEMORY)).freeMany(new Uint32Array(2)))).toBe(
      ErrorCode.OUT_OF_MEMORY,
    );
  });

  it('says a busy reset is ERR_MEMPOOL_BUSY, and share() on an unshared pool is refused', () => {
    expect(code(() => new EngineFixedPool(geometry, poolEngine(Status.BUSY)).reset())).toBe(ErrorCode.BUSY);
    expect(code(() => new EngineFixedPool(geometry, poolEngine(0)).share())).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('refuses every call once the engine says its memory is gone, without asking the engine for more', () => {
    let calls = 0;
    const engine = poolEngine(0, {
      usable: () => false,
      alloc: () => {
        calls++;
        return 0;
      },
      reset: () => {
        calls++;
        return 0;
      },
    });
    const pool = new EngineFixedPool(geometry, engine);
    expect(code(() => pool.alloc())).toBe(ErrorCode.DETACHED);
    expect(code(() => pool.reset())).toBe(ErrorCode.DETACHED);
    expect(code(() => pool.stats())).toBe(ErrorCode.DETACHED);
    expect(calls).toBe(1); // alloc asks the engine first; reset never reaches it
    pool.destroy();
    expect(code(() => pool.alloc())).toBe(ErrorCode.DESTROYED);
  });

  it('explains a method called without its pool, on the hot paths too', () => {
    const pool = new EngineFixedPool(geometry, poolEngine(64));
    const { alloc, free, stats } = pool;
    expect(code(() => alloc.call(undefined))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(code(() => free.call({}, 64))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(code(() => stats.call(null))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});

describe('EngineArena', () => {
  const arenaGeo = arenaGeometry(256, undefined, 2 ** 32);
  const arenaEngine = (overrides: Partial<ArenaEngine>): ArenaEngine => ({
    memory: new ArrayBuffer(arenaGeo.byteLength),
    usable: () => true,
    destroy: () => {},
    alloc: () => 64,
    reset: () => Status.OK,
    mark: () => 0,
    rewind: () => Status.OK,
    stats: () => {},
    ...overrides,
  });

  it('maps BUSY marks, resets and rewinds to ERR_MEMPOOL_BUSY and a refused mark to INVALID_HANDLE', () => {
    expect(code(() => new EngineArena(arenaGeo, arenaEngine({ mark: () => Status.BUSY })).mark())).toBe(ErrorCode.BUSY);
    expect(code(() => new EngineArena(arenaGeo, arenaEngine({ reset: () => Status.BUSY })).reset())).toBe(ErrorCode.BUSY);
    expect(code(() => new EngineArena(arenaGeo, arenaEngine({ rewind: () => Status.BUSY })).rewind(0))).toBe(ErrorCode.BUSY);
    expect(code(() => new EngineArena(arenaGeo, arenaEngine({ rewind: () => Status.INVALID_HANDLE })).rewind(5))).toBe(
      ErrorCode.INVALID_HANDLE,
    );
  });

  it('checks size and align before the engine sees them, and says why an unusable arena refuses first', () => {
    let seen = 0;
    const arena = new EngineArena(
      arenaGeo,
      arenaEngine({
        alloc: () => {
          seen++;
          return 64;
        },
      }),
    );
    expect(code(() => arena.alloc(0))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(code(() => arena.alloc(8, 3))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(seen).toBe(0);
    const gone = new EngineArena(arenaGeo, arenaEngine({ usable: () => false }));
    expect(code(() => gone.alloc(0))).toBe(ErrorCode.DETACHED);
  });
});
