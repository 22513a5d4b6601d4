import { MAX_MEMORY_BYTES } from './constants.js';
import { arenaGeometry, fixedPoolGeometry, type ArenaGeometry, type FixedPoolGeometry } from './checks.js';
import { invalidRange, invalidType } from './errors.js';
import type { Backend, SharedArenaDescriptor, SharedDescriptor, SharedFixedPoolDescriptor } from './contract.js';

/**
 * Whether a create call's `options` ask for a shared allocator. `options.shared` must be a boolean
 * or undefined; anything else about `options` is left to the geometry checks.
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

/**
 * A descriptor's fields, each read exactly once: attach works from this copy only, so a getter that
 * answers differently on a later read cannot make the checks and the attach see different values.
 */
export interface SharedDescriptorFields {
  readonly kind: unknown;
  readonly backend: unknown;
  readonly format: unknown;
  readonly align: unknown;
  readonly objectSize: unknown;
  readonly capacity: unknown;
  readonly bufferSize: unknown;
  readonly memory: SharedArrayBuffer;
  readonly state: unknown;
}

/** `WebAssembly.Memory` where the engine has it (this package is typed without the DOM or wasm libs). */
type WasmMemoryClass = abstract new (descriptor: never) => { readonly buffer: ArrayBufferLike };
const WasmMemory = (globalThis as unknown as { WebAssembly?: { Memory: WasmMemoryClass } }).WebAssembly?.Memory;

/** The buffer under a backend's bookkeeping (`state`), when it has one to compare with `memory`. */
function bufferOf(state: unknown): unknown {
  try {
    return WasmMemory !== undefined && state instanceof WasmMemory ? state.buffer : state;
  } catch {
    // A Proxy of a Memory passes `instanceof` but its `buffer` getter refuses it: the backend's own check names it.
    return state;
  }
}

function readDescriptor(value: unknown, kind: SharedDescriptor['kind'], backend: string, format: number): SharedDescriptorFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidType('descriptor', `a ${kind} descriptor from share()`, value);
  }
  const d = value as Partial<Record<keyof SharedDescriptorFields, unknown>>;
  const fields = Object.freeze({
    kind: d.kind,
    backend: d.backend,
    format: d.format,
    align: d.align,
    objectSize: d.objectSize,
    capacity: d.capacity,
    bufferSize: d.bufferSize,
    memory: d.memory as SharedArrayBuffer,
    state: d.state,
  });
  if (fields.kind !== kind) throw invalidType('descriptor.kind', JSON.stringify(kind), fields.kind);
  if (fields.backend !== backend) {
    throw invalidRange(
      'descriptor.backend',
      `${JSON.stringify(backend)} (attach a descriptor on the backend that made it)`,
      fields.backend,
    );
  }
  if (fields.format !== format)
    throw invalidRange('descriptor.format', `${format} (made by another version of the backend)`, fields.format);
  // A page that is not cross-origin isolated has no SharedArrayBuffer at all.
  if (typeof SharedArrayBuffer === 'undefined' || !(fields.memory instanceof SharedArrayBuffer))
    throw invalidType('descriptor.memory', 'a SharedArrayBuffer', fields.memory);
  // The bookkeeping given as the memory (or the other way round) would let writes into slots rewrite it.
  if (bufferOf(fields.state) === fields.memory) {
    throw invalidRange(
      'descriptor.memory',
      "the allocator's memory, a buffer other than its bookkeeping (descriptor.state)",
      fields.memory,
    );
  }
  return fields;
}

/** The geometry and descriptor attach works from, once `memory` is known to hold the geometry. */
function attached<G extends { readonly byteLength: number }>(geometry: G, descriptor: SharedDescriptorFields) {
  if (descriptor.memory.byteLength < geometry.byteLength) {
    throw invalidRange('descriptor.memory.byteLength', `at least ${geometry.byteLength}`, descriptor.memory.byteLength);
  }
  return { geometry, descriptor };
}

/**
 * Checks a fixed-pool descriptor for `attachFixedPool` on `backend` (its shared-state `format`) and
 * derives the pool's geometry from it. `descriptor` is a copy with every field read once: the
 * backend works from it alone, and must check that geometry against what its own bookkeeping
 * recorded at creation (docs/SHARED.md, "What attach checks").
 */
export function attachedFixedPoolGeometry(value: unknown, backend: string, format: number, maxMemoryBytes = MAX_MEMORY_BYTES) {
  const d = readDescriptor(value, 'FixedPool', backend, format);
  return attached(fixedPoolGeometry(d.objectSize, d.capacity, { align: d.align }, maxMemoryBytes), d);
}

/** Checks an arena descriptor for `attachArena`, as {@link attachedFixedPoolGeometry} does. */
export function attachedArenaGeometry(value: unknown, backend: string, format: number, maxMemoryBytes = MAX_MEMORY_BYTES) {
  const d = readDescriptor(value, 'Arena', backend, format);
  return attached(arenaGeometry(d.bufferSize, { align: d.align }, maxMemoryBytes), d);
}

/** What `share()` returns for a shared pool: its geometry, and the memory and state another holder attaches. */
export function fixedPoolDescriptor(
  backend: string,
  format: number,
  geometry: FixedPoolGeometry,
  memory: SharedArrayBuffer,
  state: unknown,
): SharedFixedPoolDescriptor {
  const { objectSize, capacity, align } = geometry;
  return { kind: 'FixedPool', backend, format, objectSize, capacity, align, memory, state };
}

/** What `share()` returns for a shared arena. */
export function arenaDescriptor(
  backend: string,
  format: number,
  geometry: ArenaGeometry,
  memory: SharedArrayBuffer,
  state: unknown,
): SharedArenaDescriptor {
  return { kind: 'Arena', backend, format, bufferSize: geometry.bufferSize, align: geometry.align, memory, state };
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
