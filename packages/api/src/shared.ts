import { MAX_MEMORY_BYTES } from './constants.js';
import { arenaLayout, fixedPoolLayout, type ArenaLayout, type FixedPoolLayout } from './checks.js';
import { invalidRange, invalidType } from './errors.js';
import type { Backend, SharedArenaDescriptor, SharedDescriptor, SharedFixedPoolDescriptor } from './contract.js';

/**
 * Whether a create call's `options` ask for a shared allocator. `options.shared` must be a boolean
 * or undefined; anything else about `options` is left to the layout checks.
 */
export function sharedRequested(options: unknown): boolean {
  if (typeof options !== 'object' || options === null) return false;
  const shared = (options as { shared?: unknown }).shared;
  if (shared === undefined || shared === false) return false;
  if (shared === true) return true;
  throw invalidType('options.shared', 'a boolean or undefined', shared);
}

/**
 * Whether this environment has `SharedArrayBuffer`: a browser page that is not cross-origin
 * isolated has none, and there a backend's `supports.shared` is false.
 */
export const SHARED_MEMORY_AVAILABLE = typeof SharedArrayBuffer === 'function';
/** Why shared allocators are refused where `SHARED_MEMORY_AVAILABLE` is false. */
export const NO_SHARED_MEMORY = 'this environment has no SharedArrayBuffer: a browser page must be cross-origin isolated';

/** `{ shared: true }` or an attach call on a backend whose `supports.shared` is false. */
export function sharedUnsupported(backend: string, why: string): RangeError {
  return invalidRange('options.shared', `false or undefined on the ${backend} backend (${why})`, true);
}

function checkDescriptor(value: unknown, kind: SharedDescriptor['kind'], backend: string, format: number): SharedDescriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidType('descriptor', `a ${kind} descriptor from share()`, value);
  }
  const d = value as Partial<Record<keyof SharedDescriptor, unknown>>;
  if (d.kind !== kind) throw invalidType('descriptor.kind', JSON.stringify(kind), d.kind);
  if (d.backend !== backend) {
    throw invalidRange('descriptor.backend', `${JSON.stringify(backend)} (attach a descriptor on the backend that made it)`, d.backend);
  }
  if (d.format !== format) throw invalidRange('descriptor.format', `${format} (made by another version of the backend)`, d.format);
  // A page that is not cross-origin isolated has no SharedArrayBuffer at all.
  if (typeof SharedArrayBuffer === 'undefined' || !(d.memory instanceof SharedArrayBuffer))
    throw invalidType('descriptor.memory', 'a SharedArrayBuffer', d.memory);
  return value as SharedDescriptor;
}

function checkMemory(memory: SharedArrayBuffer, byteLength: number): void {
  if (memory.byteLength < byteLength) {
    throw invalidRange('descriptor.memory.byteLength', `at least ${byteLength}`, memory.byteLength);
  }
}

/**
 * Checks a fixed-pool descriptor for `attachFixedPool` on `backend` (its shared-state `format`) and
 * lays the pool out again; the backend checks `descriptor.state` itself.
 */
export function attachedFixedPoolLayout(
  value: unknown,
  backend: string,
  format: number,
  maxMemoryBytes = MAX_MEMORY_BYTES,
): { layout: FixedPoolLayout; descriptor: SharedFixedPoolDescriptor } {
  const descriptor = checkDescriptor(value, 'FixedPool', backend, format) as SharedFixedPoolDescriptor;
  const layout = fixedPoolLayout(descriptor.objectSize, descriptor.capacity, { align: descriptor.align }, maxMemoryBytes);
  checkMemory(descriptor.memory, layout.byteLength);
  return { layout, descriptor };
}

/** Checks an arena descriptor for `attachArena`, as {@link attachedFixedPoolLayout} does. */
export function attachedArenaLayout(
  value: unknown,
  backend: string,
  format: number,
  maxMemoryBytes = MAX_MEMORY_BYTES,
): { layout: ArenaLayout; descriptor: SharedArenaDescriptor } {
  const descriptor = checkDescriptor(value, 'Arena', backend, format) as SharedArenaDescriptor;
  const layout = arenaLayout(descriptor.bufferSize, { align: descriptor.align }, maxMemoryBytes);
  checkMemory(descriptor.memory, layout.byteLength);
  return { layout, descriptor };
}

/**
 * `attachFixedPool` and `attachArena` for a backend whose `supports.shared` is false: both throw
 * `sharedUnsupported(backend, why)`.
 */
export function sharedRefusals(backend: string, why: string): Pick<Backend, 'attachFixedPool' | 'attachArena'> {
  const refuse = (): never => {
    throw sharedUnsupported(backend, why);
  };
  return { attachFixedPool: refuse, attachArena: refuse };
}
