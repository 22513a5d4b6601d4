import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  arenaGeometry,
  checkAlign,
  checkBatch,
  describeValue,
  encodeMark,
  ErrorCode,
  fixedPoolGeometry,
  markGeneration,
  markOffset,
  MAX_MEMORY_BYTES,
} from '../src/index.js';

describe('fixedPoolGeometry', () => {
  it('rounds the slot size up to the alignment and starts data after the header', () => {
    expect(fixedPoolGeometry(60, 10, undefined, MAX_MEMORY_BYTES)).toEqual({
      objectSize: 60,
      capacity: 10,
      align: 8,
      slotSize: 64,
      dataOffset: 64,
      byteLength: 704,
    });
    expect(fixedPoolGeometry(1, 2, { align: 256 }, MAX_MEMORY_BYTES)).toMatchObject({ slotSize: 256, dataOffset: 256, byteLength: 768 });
  });
  it('refuses a pool larger than the backend can hold, naming the product', () => {
    expect(() => fixedPoolGeometry(2 ** 20, 2 ** 20, undefined, MAX_MEMORY_BYTES)).toThrowError(
      expect.objectContaining({
        name: 'RangeError',
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('objectSize * capacity'),
      }),
    );
  });
});

describe('arenaGeometry', () => {
  it('places the data region at max(64, align)', () => {
    expect(arenaGeometry(100, { align: 4096 }, MAX_MEMORY_BYTES)).toEqual({
      bufferSize: 100,
      align: 4096,
      dataOffset: 4096,
      byteLength: 4196,
    });
  });
});

describe('checkAlign', () => {
  it('takes powers of two from 1 to 4096 and defaults to 8', () => {
    expect([1, 2, 4096, undefined].map((a) => checkAlign('align', a))).toEqual([1, 2, 4096, 8]);
  });
  it.each([0, 3, 8192, -2, 0.5])('refuses %s with a message naming the rule', (align) => {
    expect(() => checkAlign('align', align)).toThrowError(`align must be a power of two from 1 to 4096, got ${align}`);
  });
});

describe('checkBatch', () => {
  it('refuses a Uint32Array for a memory past 4 GiB, where handles no longer fit', () => {
    expect(() => checkBatch('out', new Uint32Array(1), undefined, 2 ** 32 + 1)).toThrowError(TypeError);
    expect(checkBatch('out', new Float64Array(3), undefined, 2 ** 32 + 1)).toBe(3);
  });
  it('refuses a Proxy around a Uint32Array, though it passes instanceof, and runs none of its traps', () => {
    let traps = 0;
    const counted = <T>(value: T): T => {
      traps++;
      return value;
    };
    const proxy = new Proxy(new Uint32Array(4), {
      get: (target, key) => counted(Reflect.get(target, key)),
      getPrototypeOf: (target) => counted(Reflect.getPrototypeOf(target)),
      has: (target, key) => counted(Reflect.has(target, key)),
    });
    expect(() => checkBatch('handles', proxy, 2, 1024)).toThrowError(
      expect.objectContaining({
        name: 'TypeError',
        code: ErrorCode.INVALID_ARGUMENT,
        message: 'handles must be a Uint32Array or a Float64Array, got an object that is not a typed array',
      }),
    );
    expect(traps).toBe(0);
  });
  it("takes a subclass's real length, not the length it claims", () => {
    class Liar extends Float64Array {
      override get length(): number {
        return 1000;
      }
      override get [Symbol.toStringTag](): 'Float64Array' {
        return 'Float64Array';
      }
    }
    expect(checkBatch('out', new Liar(2), undefined, 1024)).toBe(2);
    expect(() => checkBatch('out', new Liar(2), 3, 1024)).toThrowError(
      expect.objectContaining({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT }),
    );
    class Pretender extends Uint8Array {
      override get [Symbol.toStringTag](): 'Uint8Array' {
        return 'Float64Array' as 'Uint8Array';
      }
    }
    expect(() => checkBatch('out', new Pretender(8), undefined, 1024)).toThrowError(
      'out must be a Uint32Array or a Float64Array, got a Uint8Array',
    );
  });
  it('refuses a revoked Proxy with the same TypeError', () => {
    const { proxy, revoke } = Proxy.revocable(new Float64Array(2), {});
    revoke();
    expect(() => checkBatch('out', proxy, undefined, 1024)).toThrowError(
      expect.objectContaining({
        code: ErrorCode.INVALID_ARGUMENT,
        message: 'out must be a Uint32Array or a Float64Array, got a revoked Proxy',
      }),
    );
  });
  it('takes a genuine typed array from another realm (no instanceof involved)', () => {
    expect(checkBatch('out', runInNewContext('new Uint32Array(5)'), undefined, 1024)).toBe(5);
  });
});

describe('marks', () => {
  it('round-trip the generation and the offset exactly, beyond 2^32', () => {
    const mark = encodeMark(2 ** 20 - 1, 2 ** 32 + 5);
    expect([markGeneration(mark), markOffset(mark)]).toEqual([2 ** 20 - 1, 2 ** 32 + 5]);
    expect(encodeMark(2 ** 20, 7)).toBe(7);
  });
});

describe('describeValue', () => {
  it('reads values as a message should show them', () => {
    expect([describeValue('8'), describeValue(8n), describeValue(-0), describeValue([]), describeValue(new Uint8Array(1))]).toEqual([
      '"8"',
      '8n',
      '-0',
      'an Array',
      'a Uint8Array',
    ]);
  });
});
