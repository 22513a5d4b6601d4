import { invalidRange, type SharedDescriptorFields } from '@mempool/api';
import { instantiateShared, type EngineInstance, type SharedEngine } from './engine.js';
import { checkState, SHARED_FORMAT, type SharedEngineModule } from './shared-state.js';

/**
 * Attach verifies, it does not trust (issue 17). A descriptor is plain data from another worker,
 * so each of its fields is read once (a getter that answers differently later cannot matter), the
 * state's header (written once when the allocator was made, assembly/shared-header.ts) must say
 * what the descriptor says, and `memory` must be a buffer of exactly the recorded size that is not
 * the state itself.
 */

/** A new allocator's tag: random, never 0 (a zeroed memory carries none). */
export function newTag(): number {
  return Math.floor(Math.random() * 0xffffffff) + 1;
}

/** Writes `tag` into the first word of a new allocator's `memory` (its reserved header, which no handle reaches). */
export function writeTag(memory: SharedArrayBuffer, tag: number): void {
  Atomics.store(new Uint32Array(memory, 0, 1), 0, tag);
}

// The header's fields (assembly/shared-header.ts HEADER_*), by index.
const MAGIC = 0x5753504d;
const H_MAGIC = 0;
const H_FORMAT = 1;
const H_KIND = 2;
const H_OBJECT_SIZE = 3;
const H_SLOT_SIZE = 4;
const H_CAPACITY = 5;
const H_ALIGN = 6;
const H_DATA_OFFSET = 7;
const H_BUFFER_SIZE = 8;
const H_MEMORY_BYTES = 9;
const H_TAG = 13;
const H_PROBE = 14;
const H_WORDS = 15;
const KIND_POOL = 1;
const KIND_ARENA = 2;

/** The layout the descriptor's geometry gives, which the header must record (an arena has no object size, slot size or capacity). */
export interface ClaimedLayout {
  readonly objectSize?: number;
  readonly slotSize?: number;
  readonly capacity?: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly bufferSize?: number;
  readonly byteLength: number;
}

/**
 * An instance of the shared engine over the descriptor's state, once the state's header and the
 * descriptor's memory have passed {@link verifyState}; the caller then claims a holder in it.
 */
export function verifiedEngine(
  engineModule: SharedEngineModule,
  d: SharedDescriptorFields,
  kind: 'FixedPool' | 'Arena',
  layout: ClaimedLayout,
): EngineInstance<SharedEngine> {
  const state = checkState(d.state);
  const engine = instantiateShared(engineModule.module, state.memory);
  verifyState(engine.exports, state.buffer, d.memory, kind, layout);
  return engine;
}

/** SharedArrayBuffer's own byteLength getter (none where the environment has no SharedArrayBuffer). */
const byteLengthOf =
  typeof SharedArrayBuffer === 'function' ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength')?.get : undefined;

/** The real size of a SharedArrayBuffer (its own getter: an own `byteLength` property cannot lie), or -1. */
function realByteLength(buffer: SharedArrayBuffer): number {
  try {
    return byteLengthOf ? (byteLengthOf.call(buffer) as number) : -1;
  } catch {
    return -1;
  }
}

/**
 * Checks the state's header against `expected` and `memory` against the recorded size and the
 * state (not the state's own buffer): throws ERR_MEMPOOL_INVALID_ARGUMENT naming the field that
 * differs. `engine` is an instance over the state, not yet attached.
 */
function verifyState(
  engine: SharedEngine,
  stateBuffer: SharedArrayBuffer,
  memory: SharedArrayBuffer,
  expectedKind: 'FixedPool' | 'Arena',
  expected: ClaimedLayout,
): void {
  const base = engine.sharedHeaderAddress() >>> 0;
  // A memory too small to hold a header reads as zeroes, which no check below accepts.
  const words = realByteLength(stateBuffer) >= base + 4 * H_WORDS ? new Uint32Array(stateBuffer, base, H_WORDS) : undefined;
  const header = (field: number): number => (words === undefined ? 0 : Atomics.load(words, field));
  if (header(H_MAGIC) !== MAGIC) {
    throw invalidRange('descriptor.state', 'the state of a shared allocator, from share()', 'a memory that holds none');
  }
  if (header(H_FORMAT) !== SHARED_FORMAT) {
    throw invalidRange('descriptor.state', `a state of format ${SHARED_FORMAT} (made by another version of the backend)`, header(H_FORMAT));
  }
  const kind = header(H_KIND) === KIND_POOL ? 'FixedPool' : header(H_KIND) === KIND_ARENA ? 'Arena' : 'another kind';
  if (kind !== expectedKind) throw invalidRange('descriptor.kind', `${JSON.stringify(kind)} (what its state holds)`, expectedKind);
  const same = (name: string, field: number, value: number | undefined): void => {
    if (value !== undefined && header(field) !== value) {
      throw invalidRange(`descriptor.${name}`, `${header(field)} (what its state records)`, value);
    }
  };
  same('objectSize', H_OBJECT_SIZE, expected.objectSize);
  same('capacity', H_CAPACITY, expected.capacity);
  same('align', H_ALIGN, expected.align);
  same('bufferSize', H_BUFFER_SIZE, expected.bufferSize);
  // Derived from the fields above: they differ only when the layout rules did (another version).
  same('objectSize (its slot size)', H_SLOT_SIZE, expected.slotSize);
  same('align (its data offset)', H_DATA_OFFSET, expected.dataOffset);
  const bytes = realByteLength(memory);
  if (bytes !== header(H_MEMORY_BYTES) || bytes !== expected.byteLength) {
    throw invalidRange('descriptor.memory', `a SharedArrayBuffer of ${header(H_MEMORY_BYTES)} bytes (what its state records)`, bytes);
  }
  if (Atomics.load(new Uint32Array(memory, 0, 1), 0) !== header(H_TAG)) {
    throw invalidRange('descriptor.memory', 'the memory made with descriptor.state (its tag is not there)', 'another memory');
  }
  if (words !== undefined && aliases(words, memory, base + 4 * H_PROBE)) {
    throw invalidRange('descriptor.memory', "the allocator's memory, not its state (descriptor.state)", 'the state itself');
  }
}

/**
 * Whether `memory` is the state's own memory (a SharedArrayBuffer of it, from any worker: two such
 * objects share bytes from the start, which no identity test sees). The probe word of the header is
 * moved twice; a buffer that is the state follows both moves, any other buffer keeps its bytes.
 */
function aliases(header: Uint32Array, memory: SharedArrayBuffer, at: number): boolean {
  if (at + 4 > realByteLength(memory)) return false;
  const candidate = new Uint32Array(memory, at, 1);
  for (let round = 0; round < 2; round++) {
    const now = (Atomics.add(header, H_PROBE, 0x61c88647) + 0x61c88647) >>> 0;
    if (Atomics.load(candidate, 0) !== now) return false;
  }
  return true;
}
