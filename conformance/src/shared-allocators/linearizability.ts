/** One recorded call on a fixed pool: what it did, what it returned, and when it started and ended. */
export interface PoolCall {
  /** `destroy`: a holder ending, which changes no slot's state but moves its cache. */
  readonly kind: 'alloc' | 'free' | 'destroy';
  /** The worker (holder) that made the call. */
  readonly worker: number;
  /** The handle a `free` was given. */
  readonly handle: number;
  /** `alloc`: the handle (0 when full); `free`: 1 when it freed, -1 when it threw. */
  readonly result: number;
  readonly invoked: number;
  readonly returned: number;
}

/**
 * The set model of a shared pool with several holders (docs/SHARED.md, "What holds under
 * concurrency"): each slot is live or free. An `alloc` returns a free slot, whichever (caches make
 * the order unspecified), and makes it live; a `free` of a live handle succeeds and makes it free,
 * of any other fails. An `alloc` returns 0 when every slot is live, or while another holder's
 * `free` or `destroy` overlaps it: a slot freed into a cache the call had already looked in (while
 * another holder took the one it had not looked at yet), or moving between a cache and the shared
 * stack, is not seen, which is the price of touching no shared word on the fast path.
 */
function apply(
  live: ReadonlySet<number>,
  call: PoolCall,
  calls: readonly PoolCall[],
  handles: ReadonlySet<number>,
): ReadonlySet<number> | undefined {
  if (call.kind === 'alloc') {
    if (call.result === 0) {
      const racedByFree = calls.some(
        (c) =>
          ((c.kind === 'free' && c.result === 1) || c.kind === 'destroy') &&
          c.worker !== call.worker &&
          c.invoked < call.returned &&
          call.invoked < c.returned,
      );
      return live.size === handles.size || racedByFree ? live : undefined;
    }
    if (!handles.has(call.result) || live.has(call.result)) return undefined;
    return new Set(live).add(call.result);
  }
  if (call.kind === 'destroy') return live;
  if (!live.has(call.handle)) return call.result === -1 ? live : undefined;
  if (call.result !== 1) return undefined;
  const after = new Set(live);
  after.delete(call.handle);
  return after;
}

/**
 * Whether the concurrent history `calls` is linearizable to the set model above (Wing and Gong's
 * search): some order of the calls that respects real time (a call that returned before another
 * was invoked comes first) gives every call the result it had. Small histories only: the search
 * is exponential in the calls that overlap.
 */
export function linearizable(calls: readonly PoolCall[], capacity: number, handleOf: (index: number) => number): boolean {
  const handles = new Set(Array.from({ length: capacity }, (_, i) => handleOf(i)));
  const search = (pending: readonly PoolCall[], live: ReadonlySet<number>): boolean => {
    if (pending.length === 0) return true;
    // A call can go next only if no pending call returned before it was invoked.
    const earliestReturn = Math.min(...pending.map((c) => c.returned));
    for (const call of pending) {
      if (call.invoked > earliestReturn) continue;
      const after = apply(live, call, calls, handles);
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
  return search(calls, new Set());
}
