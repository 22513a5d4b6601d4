import { invalidRange, outOfMemory, type SharedDescriptorFields } from '@mempool/api';

/**
 * Shared bookkeeping: a `SharedArrayBuffer` of its own, never the allocator's `memory`. Words that
 * different holders write at once sit on cache lines of their own, so two workers do not fight over
 * a line that only one of them needs.
 */

/** Bytes between two words that must not share a cache line. */
export const LINE = 64;
/** The index of the u32 word at the start of cache line `line`. */
export const lineWord = (line: number): number => (line * LINE) / 4;

/** A zeroed `SharedArrayBuffer` of `bytes`, or `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it. */
export function reserveShared(bytes: number): SharedArrayBuffer {
  try {
    return new SharedArrayBuffer(bytes);
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
}

/**
 * Adds one to the 64-bit counter in words `at` (low) and `at + 1` (high). Each half is atomic; a
 * reader sees the exact sum whenever no add is in flight.
 */
export function countOne(words: Uint32Array, at: number): void {
  if (Atomics.add(words, at, 1) === 0xffffffff) Atomics.add(words, at + 1, 1);
}

/** The 64-bit counter at `at` as a number (exact below 2^53). */
export function readCount(words: Uint32Array, at: number): number {
  return Atomics.load(words, at + 1) * 2 ** 32 + Atomics.load(words, at);
}

/** Raises the word at `at` to at least `value` (a compare-and-swap loop: no update is lost). */
export function raiseTo(words: Uint32Array, at: number, value: number): void {
  let seen = Atomics.load(words, at);
  while (value > seen) {
    const was = Atomics.compareExchange(words, at, seen, value);
    if (was === seen) return;
    seen = was;
  }
}

// The identity lines: lines 0 and 1 of every bookkeeping buffer, written once by the creator and checked by
// every attach (docs/SHARED.md, "What attach checks"). Two u32 words, then the geometry as f64
// (exact integers: `memory` may be 2^32 bytes, one past a u32).
/** "MPSH": a buffer without it was never a shared allocator's bookkeeping. */
const MAGIC = 0x4853504d;
const MAGIC_WORD = 0;
/** Kind (1 pool, 2 arena) << 16 | format version. */
const KIND_WORD = 1;
export const POOL_KIND = 1;
export const ARENA_KIND = 2;

/** What the identity line records, in its f64 order (from byte 8). */
export const IDENTITY_FIELDS = [
  'objectSize',
  'slotSize',
  'capacity',
  'align',
  'dataOffset',
  'bufferSize',
  'memoryBytes',
  'stateBytes',
  'tag',
] as const;
export type Identity = Record<(typeof IDENTITY_FIELDS)[number], number>;
const GEOMETRY_AT = 1;
/** Lines the identity takes; an allocator's own words start after them. */
export const IDENTITY_LINES = 2;

/**
 * Where a shared allocator writes its tag in `memory`: the first bytes of the reserved header
 * (handle 0 is never user data), so attach can tell that a memory and a bookkeeping belong together
 * even across workers, where buffers cannot be compared by identity.
 */
const TAG_AT = 0;

/** A random tag (below 2^53) that names one allocator in both of its buffers. */
export const newTag = (): number => Math.floor(Math.random() * 2 ** 53);

/** Writes the identity lines of a fresh bookkeeping buffer, and the tag into `memory`'s reserved header. */
export function writeIdentity(state: SharedArrayBuffer, memory: SharedArrayBuffer, kind: number, format: number, identity: Identity): void {
  new Float64Array(memory, TAG_AT, 1)[0] = identity.tag;
  const words = new Uint32Array(state, 0, 2);
  const values = new Float64Array(state, 0, GEOMETRY_AT + IDENTITY_FIELDS.length);
  IDENTITY_FIELDS.forEach((field, i) => {
    values[GEOMETRY_AT + i] = identity[field];
  });
  words[KIND_WORD] = (kind << 16) | format;
  // Last, so a reader that sees the magic sees the rest (the buffer reaches other workers by postMessage anyway).
  Atomics.store(words, MAGIC_WORD, MAGIC);
}

const KIND_NAMES: Record<number, string> = { [POOL_KIND]: 'a FixedPool', [ARENA_KIND]: 'an Arena' };

/**
 * The identity recorded in `d.state`, checked against the descriptor's copy of it (`checked`
 * names the descriptor fields to compare), against the real sizes of both buffers and against
 * each other: any mismatch is `ERR_MEMPOOL_INVALID_ARGUMENT` naming the field. `d` is the snapshot
 * the api took (every field read once), so a getter that answers differently later changes nothing.
 */
export function verifyIdentity(
  d: SharedDescriptorFields,
  kind: number,
  format: number,
  checked: readonly ('objectSize' | 'capacity' | 'bufferSize' | 'align')[],
): Identity {
  const state = d.state;
  if (!(state instanceof SharedArrayBuffer)) throw invalidRange('descriptor.state', 'the SharedArrayBuffer share() gave', state);
  if (state.byteLength < IDENTITY_LINES * LINE) {
    throw invalidRange('descriptor.state.byteLength', `at least ${IDENTITY_LINES * LINE}`, state.byteLength);
  }
  const words = new Uint32Array(state, 0, 2);
  if (Atomics.load(words, MAGIC_WORD) !== MAGIC) {
    throw invalidRange('descriptor.state', "an allocator's bookkeeping from share() (this buffer holds none)", state);
  }
  const recorded = Atomics.load(words, KIND_WORD);
  if (recorded >>> 16 !== kind) {
    throw invalidRange(
      'descriptor.state',
      `the bookkeeping of ${KIND_NAMES[kind]} (it is that of ${KIND_NAMES[recorded >>> 16] ?? 'something else'})`,
      state,
    );
  }
  if ((recorded & 0xffff) !== format) throw invalidRange('descriptor.state', `bookkeeping of format ${format}`, recorded & 0xffff);
  const values = new Float64Array(state, 0, GEOMETRY_AT + IDENTITY_FIELDS.length);
  const identity = {} as Identity;
  IDENTITY_FIELDS.forEach((field, i) => {
    identity[field] = values[GEOMETRY_AT + i]!;
  });
  for (const field of checked) {
    if (d[field] !== identity[field]) {
      throw invalidRange(`descriptor.${field}`, `${identity[field]}, as the allocator's bookkeeping records`, d[field]);
    }
  }
  if (state.byteLength !== identity.stateBytes) {
    throw invalidRange('descriptor.state.byteLength', `${identity.stateBytes}, as the bookkeeping records`, state.byteLength);
  }
  if (d.memory.byteLength !== identity.memoryBytes) {
    throw invalidRange(
      'descriptor.memory.byteLength',
      `${identity.memoryBytes}, as the allocator's bookkeeping records`,
      d.memory.byteLength,
    );
  }
  if (new Float64Array(d.memory, TAG_AT, 1)[0] !== identity.tag) {
    throw invalidRange(
      'descriptor.memory',
      'the memory of the allocator whose bookkeeping descriptor.state is (their tags differ)',
      d.memory,
    );
  }
  return identity;
}
