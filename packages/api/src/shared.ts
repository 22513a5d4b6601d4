import { MAX_MEMORY_BYTES } from './constants.js';
import { arenaGeometry, fixedPoolGeometry, type ArenaGeometry, type FixedPoolGeometry } from './checks.js';
import { invalidRange, invalidType } from './errors.js';
import type { Backend, SharedDescriptor } from './contract.js';

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

function checkMemory(memory: SharedArrayBuffer, byteLength: number): void {
  if (memory.byteLength < byteLength) {
    throw invalidRange('descriptor.memory.byteLength', `at least ${byteLength}`, memory.byteLength);
  }
}

/**
 * Checks a fixed-pool descriptor for `attachFixedPool` on `backend` (its shared-state `format`) and
 * lays the pool out from the descriptor's geometry. `descriptor` is a copy with every field read
 * once: the backend works from it alone, and must check that geometry against what its own
 * bookkeeping recorded at creation (docs/SHARED.md, "What attach checks").
 */
export function attachedFixedPoolGeometry(
  value: unknown,
  backend: string,
  format: number,
  maxMemoryBytes = MAX_MEMORY_BYTES,
): { geometry: FixedPoolGeometry; descriptor: SharedDescriptorFields } {
  const descriptor = readDescriptor(value, 'FixedPool', backend, format);
  const geometry = fixedPoolGeometry(descriptor.objectSize, descriptor.capacity, { align: descriptor.align }, maxMemoryBytes);
  checkMemory(descriptor.memory, geometry.byteLength);
  return { geometry, descriptor };
}

/** Checks an arena descriptor for `attachArena`, as {@link attachedFixedPoolGeometry} does. */
export function attachedArenaGeometry(
  value: unknown,
  backend: string,
  format: number,
  maxMemoryBytes = MAX_MEMORY_BYTES,
): { geometry: ArenaGeometry; descriptor: SharedDescriptorFields } {
  const descriptor = readDescriptor(value, 'Arena', backend, format);
  const geometry = arenaGeometry(descriptor.bufferSize, { align: descriptor.align }, maxMemoryBytes);
  checkMemory(descriptor.memory, geometry.byteLength);
  return { geometry, descriptor };
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
