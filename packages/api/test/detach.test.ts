import { markAsUntransferable } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DETACH_ON_DESTROY, detachBuffer, markThatKeepsDetach } from '../src/index.js';

describe('detachBuffer', () => {
  it('detaches a buffer nobody marked: every view reads as length 0', () => {
    const buffer = new ArrayBuffer(64);
    const view = new Uint8Array(buffer);
    expect(detachBuffer(buffer)).toBe(true);
    expect([buffer.byteLength, view.length]).toEqual([0, 0]);
    expect(DETACH_ON_DESTROY).toBe(true);
  });
  it('says false, and never throws, when the buffer cannot be detached', () => {
    const buffer = new ArrayBuffer(64);
    Object.defineProperty(buffer, 'transfer', {
      value: () => {
        throw new TypeError('ArrayBuffer is not detachable');
      },
    });
    expect(detachBuffer(buffer)).toBe(false);
    expect(buffer.byteLength).toBe(64);
  });
});

describe('markThatKeepsDetach', () => {
  it('keeps a mark only if a buffer it marked can still be detached', () => {
    const harmless = (_buffer: ArrayBuffer) => {};
    const undetachable = (buffer: ArrayBuffer) => {
      Object.defineProperty(buffer, 'transfer', {
        value: () => {
          throw new TypeError('ArrayBuffer is not detachable');
        },
      });
    };
    const throwing = () => {
      throw new Error('no');
    };
    expect(markThatKeepsDetach(harmless)).toBe(harmless);
    expect(markThatKeepsDetach(undetachable)).toBeUndefined();
    expect(markThatKeepsDetach(throwing)).toBeUndefined();
    expect(markThatKeepsDetach(undefined)).toBeUndefined();
  });
  it("decides this runtime's markAsUntransferable by what it does to a buffer", () => {
    const kept = markThatKeepsDetach(markAsUntransferable);
    const buffer = new ArrayBuffer(8);
    markAsUntransferable(buffer);
    expect(kept === undefined).toBe(!detachBuffer(buffer));
  });
});
