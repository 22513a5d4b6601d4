// Typechecked, not run: what a TypeScript user writes against the installed packages.
import { ErrorCode, loadBackend, type Arena, type Backend, type FixedPool, type FixedPoolStats } from '@mempool/api';
import { backend as js, createArena, createFixedPool } from '@mempool/backend-js';
import wasm from '@mempool/backend-wasm';
import { backend as native } from '@mempool/backend-native';
import { attachHandleQueue, createHandleQueue, HandleMap, type HandleQueue, type HandleQueueDescriptor } from '@mempool/collections';
import { registerConformanceSuite, type ConformanceOptions } from '@mempool/conformance';
import { defineLayout } from '@mempool/layout';

const backends: readonly Backend[] = [js, wasm, native];
const pool: FixedPool = createFixedPool(24, 16, { align: 8 });
const stats: FixedPoolStats = pool.stats();
const arena: Arena = createArena(1024);
const handle: number = pool.alloc();
const code: ErrorCode = ErrorCode.DOUBLE_FREE;

export function scoped(): number {
  using scratch = createArena(4096);
  return scratch.alloc(16, 16);
}

export async function pick(): Promise<Backend> {
  return loadBackend('auto');
}

const options: ConformanceOptions = { groups: ['testTable', 'determinism'] };
registerConformanceSuite(await import('@mempool/backend-js'), options);

const Point = defineLayout({ x: 'f64', y: 'f64', id: 'u64' }, { name: 'Point' });
const points = Point.view(pool.memory);
const x: number = points.x.get(handle);
points.id.set(handle, 1n);

export { arena, backends, code, handle, stats, x };

// @mempool/collections over a backend's handles.
const byId = new HandleMap(16);
byId.set(7, handle);
const found: number = byId.get(7);
const queue: HandleQueue = createHandleQueue(8, { mode: 'spsc' });
const shared: HandleQueueDescriptor = queue.share();
export const collections = [found, attachHandleQueue(shared).tryPush(found), queue.popAsync()] as const;
