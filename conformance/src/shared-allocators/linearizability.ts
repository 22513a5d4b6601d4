/** One recorded call on a fixed pool: what it did, what it returned, and when it started and ended. */
export interface PoolCall {
  readonly kind: 'alloc' | 'free';
  /** The handle a `free` was given. */
  readonly handle: number;
  /** `alloc`: the handle (0 when full); `free`: 1 when it freed, -1 when it threw. */
  readonly result: number;
  readonly invoked: number;
  readonly returned: number;
}

/** The sequential fixed pool of the contract: a LIFO free stack in front of the untouched slots. */
interface Model {
  readonly free: readonly number[];
  readonly untouched: number;
  readonly live: ReadonlySet<number>;
}

function apply(model: Model, call: PoolCall, capacity: number, handleOf: (index: number) => number): Model | undefined {
  if (call.kind === 'alloc') {
    if (model.free.length > 0) {
      const handle = model.free[model.free.length - 1]!;
      return call.result === handle
        ? { free: model.free.slice(0, -1), untouched: model.untouched, live: new Set(model.live).add(handle) }
        : undefined;
    }
    if (model.untouched < capacity) {
      const handle = handleOf(model.untouched);
      return call.result === handle
        ? { free: model.free, untouched: model.untouched + 1, live: new Set(model.live).add(handle) }
        : undefined;
    }
    return call.result === 0 ? model : undefined;
  }
  if (!model.live.has(call.handle)) return call.result === -1 ? model : undefined;
  if (call.result !== 1) return undefined;
  const live = new Set(model.live);
  live.delete(call.handle);
  return { free: [...model.free, call.handle], untouched: model.untouched, live };
}

/**
 * Whether the concurrent history `calls` is linearizable to the sequential pool (Wing and Gong's
 * search): some order of the calls that respects real time (a call that returned before another
 * was invoked comes first) gives every call the result it had. Small histories only: the search
 * is exponential in the calls that overlap.
 */
export function linearizable(calls: readonly PoolCall[], capacity: number, handleOf: (index: number) => number): boolean {
  const search = (pending: readonly PoolCall[], model: Model): boolean => {
    if (pending.length === 0) return true;
    // A call can go next only if no pending call returned before it was invoked.
    const earliestReturn = Math.min(...pending.map((c) => c.returned));
    for (const call of pending) {
      if (call.invoked > earliestReturn) continue;
      const after = apply(model, call, capacity, handleOf);
      if (
        after !== undefined &&
        search(
          pending.filter((c) => c !== call),
          after,
        )
      )
        return true;
    }
    return false;
  };
  return search(calls, { free: [], untouched: 0, live: new Set() });
}
