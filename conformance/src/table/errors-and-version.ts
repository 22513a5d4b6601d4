import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { ErrorCode } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectError } from '../support.js';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The test table's `Error handling` and `Version info` rows, in JavaScript's terms. */
export function errorAndVersionRows({ module, backend, scope }: SuiteContext): void {
  describe('Error handling', () => {
    it('free(0), the null handle, throws ERR_MEMPOOL_INVALID_HANDLE', () => {
      const p = scope.add(backend.createFixedPool(64, 4));
      expectError(() => p.free(0), RangeError, ErrorCode.INVALID_HANDLE, 'handle');
    });
    it('freeing a handle of another pool throws ERR_MEMPOOL_INVALID_HANDLE', () => {
      const small = scope.add(backend.createFixedPool(64, 2));
      const big = scope.add(backend.createFixedPool(64, 100));
      big.alloc();
      big.alloc();
      const foreign = big.alloc();
      expectError(() => small.free(foreign), RangeError, ErrorCode.INVALID_HANDLE, String(foreign));
    });
    it('freeing the same handle twice throws ERR_MEMPOOL_DOUBLE_FREE', () => {
      const p = scope.add(backend.createFixedPool(64, 4));
      const h = p.alloc();
      p.free(h);
      expectError(() => p.free(h), Error, ErrorCode.DOUBLE_FREE, String(h));
    });
    it('a pool of zero-sized objects is refused', () => {
      expectError(
        () => backend.createFixedPool(0, 4),
        RangeError,
        ErrorCode.INVALID_ARGUMENT,
        'objectSize must be a positive integer, got 0',
      );
    });
    it('an arena of zero bytes is refused', () => {
      expectError(() => backend.createArena(0), RangeError, ErrorCode.INVALID_ARGUMENT, 'bufferSize');
    });
    it('a call on a destroyed allocator throws ERR_MEMPOOL_DESTROYED', () => {
      const p = backend.createFixedPool(64, 4);
      p.destroy();
      expectError(() => p.alloc(), Error, ErrorCode.DESTROYED, 'alloc');
      const a = backend.createArena(64);
      a.destroy();
      expectError(() => a.alloc(8), Error, ErrorCode.DESTROYED, 'alloc');
    });
  });

  describe('Version info', () => {
    it('version is a semver string', () => {
      expect(module.version).toMatch(SEMVER);
    });
    it('the backend reports the same version as the package export', () => {
      expect(backend.version).toBe(module.version);
    });
    it('the package exports backend as default and named, with createFixedPool and createArena', () => {
      expect(module.default).toBe(backend);
      expect(typeof module.createFixedPool).toBe('function');
      expect(typeof module.createArena).toBe('function');
      const p = scope.add(module.createFixedPool(8, 1));
      expect(p.alloc()).toBe(p.dataOffset);
    });
    it('the backend names itself and declares what it supports', () => {
      expect(backend.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(backend.supports.maxMemoryBytes).toBeGreaterThanOrEqual(2 ** 31);
      expect(typeof backend.supports.gcReclaim).toBe('boolean');
      expect(Number.isInteger(backend.supports.absoluteAlignment)).toBe(true);
    });
  });
}
