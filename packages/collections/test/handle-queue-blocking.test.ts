// The blocking calls' timeouts: Atomics.wait, which a browser's main thread refuses, so this file
// runs in Node only (tests/browser imports the other queue tests).
import { describe, expect, it } from 'vitest';
import { createHandleQueue, type QueueMode } from '../src/index.js';

describe.each(['spsc', 'mpmc'] as QueueMode[])('HandleQueue %s, blocking calls', (mode) => {
  it('pop and push time out with 0 and false', () => {
    const q = createHandleQueue(1, { mode });
    expect(q.capacity).toBe(2);
    expect(q.pop(5)).toBe(0);
    expect(q.push(8, 0)).toBe(true);
    expect(q.push(16, 0)).toBe(true);
    expect(q.push(24, 5)).toBe(false);
    expect([q.tryPop(), q.tryPop(), q.tryPop()]).toEqual([8, 16, 0]);
  });
});
