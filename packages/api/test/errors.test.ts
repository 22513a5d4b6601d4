import { describe, expect, it } from 'vitest';
import { detached, ErrorCode, outOfMemory, unboundMethod } from '../src/index.js';

describe('error builders', () => {
  it('detached: an Error with ERR_MEMPOOL_DETACHED naming the call', () => {
    const error = detached('FixedPool', 'alloc');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'Error', code: ErrorCode.DETACHED });
    expect(error.message).toMatch(/^FixedPool\.alloc\(\) called after its memory was detached/);
  });
  it('unboundMethod: a TypeError with ERR_MEMPOOL_INVALID_ARGUMENT that says how to call it', () => {
    expect(unboundMethod('FixedPool', 'free', undefined)).toMatchObject({
      name: 'TypeError',
      code: ErrorCode.INVALID_ARGUMENT,
      message:
        'the receiver of FixedPool.free() must be the FixedPool it belongs to (call it as allocator.free(...) or pass allocator.free.bind(allocator)), got undefined',
    });
  });
  it('unboundMethod: still a coded TypeError when the receiver cannot even be described', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(unboundMethod('Arena', 'alloc', proxy)).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
  });
  it('outOfMemory: names every byte it tried to reserve and what they are', () => {
    const cause = new RangeError('Array buffer allocation failed');
    expect(outOfMemory(1088, cause, '64 bytes of memory + 1024 of bookkeeping')).toMatchObject({
      name: 'RangeError',
      code: ErrorCode.OUT_OF_MEMORY,
      cause,
      message: 'could not reserve 1088 bytes (64 bytes of memory + 1024 of bookkeeping): the engine or the system refused the memory',
    });
    expect(outOfMemory(64).message).toBe('could not reserve 64 bytes: the engine or the system refused the memory');
  });
});
