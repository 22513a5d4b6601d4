import type { Arena, Backend, BackendModule, FixedPool } from '@mempool/api';

/** The suffix of the suite's name when it runs on a backend's shared allocators. */
export const SHARED_SUFFIX = ' (shared)';

/** The backends `sharedVariant` made: the cases whose expectations differ ask `isSharedRun`. */
const sharedRuns = new WeakSet<Backend>();

/** Whether the suite is running on a backend's shared allocators (see `sharedVariant`). */
export const isSharedRun = (backend: Backend): boolean => sharedRuns.has(backend);

/** `options` with `shared: true` added, when it is an options object (anything else goes through as is, to be refused). */
function withShared(options: unknown): unknown {
  if (options === undefined) return { shared: true };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  return { ...options, shared: true };
}

/**
 * The same backend, except that every `createFixedPool` and `createArena` makes a shared allocator:
 * the whole suite run on it checks that one thread sees exactly today's handles and stats.
 */
export function sharedVariant(module: BackendModule): BackendModule {
  const inner = module.backend;
  const createFixedPool = ((objectSize: number, capacity: number, options?: unknown) =>
    inner.createFixedPool(
      objectSize,
      capacity,
      withShared(options) as { shared: true },
    ) as unknown as FixedPool) as Backend['createFixedPool'];
  const createArena = ((bufferSize: number, options?: unknown) =>
    inner.createArena(bufferSize, withShared(options) as { shared: true }) as unknown as Arena) as Backend['createArena'];
  const backend: Backend = Object.freeze({ ...inner, createFixedPool, createArena });
  sharedRuns.add(backend);
  return { ...module, backend, default: backend, createFixedPool, createArena };
}
