import { describe, expect, it } from 'vitest';
import { attachedArenaGeometry, attachedFixedPoolGeometry, ErrorCode, sharedRefusals, sharedRequested } from '../src/index.js';

const code = (c: string, name: string) => expect.objectContaining({ name, code: c });

describe('sharedRequested', () => {
  it('is true for shared: true only, and leaves other options to the geometry checks', () => {
    expect(sharedRequested({ shared: true, align: 16 })).toBe(true);
    expect([undefined, {}, { shared: false }, { shared: undefined }, 'not options', null].map(sharedRequested)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
  it('refuses a shared that is not a boolean', () => {
    expect(() => sharedRequested({ shared: 1 })).toThrowError(code(ErrorCode.INVALID_ARGUMENT, 'TypeError'));
  });
});

describe('attached geometries', () => {
  const memory = new SharedArrayBuffer(64 + 4 * 16);
  const pool = { kind: 'FixedPool', backend: 'x', format: 3, objectSize: 16, capacity: 4, align: 8, memory, state: null } as const;
  it('lay a descriptor out again as the create call did', () => {
    expect(attachedFixedPoolGeometry(pool, 'x', 3).geometry).toMatchObject({ slotSize: 16, byteLength: 128 });
    expect(attachedArenaGeometry({ ...pool, kind: 'Arena', bufferSize: 64 }, 'x', 3).geometry).toMatchObject({
      dataOffset: 64,
      byteLength: 128,
    });
  });
  it('refuse another backend, format, kind, or a memory too small', () => {
    expect(() => attachedFixedPoolGeometry(pool, 'y', 3)).toThrowError(code(ErrorCode.INVALID_ARGUMENT, 'RangeError'));
    expect(() => attachedFixedPoolGeometry(pool, 'x', 4)).toThrowError(code(ErrorCode.INVALID_ARGUMENT, 'RangeError'));
    expect(() => attachedArenaGeometry(pool, 'x', 3)).toThrowError(code(ErrorCode.INVALID_ARGUMENT, 'TypeError'));
    expect(() => attachedFixedPoolGeometry({ ...pool, capacity: 5 }, 'x', 3)).toThrowError(code(ErrorCode.INVALID_ARGUMENT, 'RangeError'));
  });
});

describe('sharedRefusals', () => {
  it('throws ERR_MEMPOOL_INVALID_ARGUMENT naming the backend and why', () => {
    const { attachFixedPool } = sharedRefusals('b', 'no reason');
    expect(() => attachFixedPool({} as never)).toThrowError(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, message: expect.stringContaining('no reason') }),
    );
  });
});
