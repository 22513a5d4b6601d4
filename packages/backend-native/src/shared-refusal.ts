import { sharedRequested, sharedUnsupported } from '@mempool/api';

/**
 * Why `supports.shared` is false (the README says more): Node-API on Node 20 can neither create nor
 * identify a SharedArrayBuffer (only a typed-array view gives its address), and every native
 * object it offers (externals, references, finalizers) belongs to one worker's environment, so the
 * C bookkeeping's lifetime cannot follow the shared memory's.
 */
export const SHARED_UNSUPPORTED =
  'Node-API on Node 20 can neither create nor identify a SharedArrayBuffer, and ties the C bookkeeping to one worker, not to the shared memory';

/** `{ shared: true }` is refused (see `SHARED_UNSUPPORTED`). */
export function refuseShared(options: unknown): void {
  if (sharedRequested(options)) throw sharedUnsupported('native', SHARED_UNSUPPORTED);
}
