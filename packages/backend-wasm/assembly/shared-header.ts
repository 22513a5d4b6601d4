/**
 * The header every shared allocator's state starts with (issue 17): what the state is (magic,
 * format, kind) and the geometry of the allocator and of the `memory` it governs, written once at
 * creation. `attach` reads it back and refuses a descriptor that says anything else, so a foreign,
 * zeroed or relabelled state, or a descriptor whose geometry was changed, never reaches the engine.
 */
import { RESERVED } from './engine-memory';
import { lineAt } from './shared-words';

/** 'MPSW' little-endian: a state made by this engine (a zeroed memory has 0 here). */
export const MAGIC: u32 = 0x5753504d;
/** The state layout's version; packages/backend-wasm/src/shared-state.ts SHARED_FORMAT says the same. */
export const FORMAT: u32 = 2;
export const KIND_POOL: u32 = 1;
export const KIND_ARENA: u32 = 2;

/** The header's u32 fields, in order (src/shared-state.ts HEADER_FIELDS names them). */
export const HEADER_MAGIC: u32 = 0;
export const HEADER_FORMAT: u32 = 1;
export const HEADER_KIND: u32 = 2;
export const HEADER_OBJECT_SIZE: u32 = 3;
export const HEADER_SLOT_SIZE: u32 = 4;
export const HEADER_CAPACITY: u32 = 5;
export const HEADER_ALIGN: u32 = 6;
export const HEADER_DATA_OFFSET: u32 = 7;
export const HEADER_BUFFER_SIZE: u32 = 8;
export const HEADER_MEMORY_BYTES: u32 = 9;
export const HEADER_STATE_BYTES: u32 = 10;
export const HEADER_HOLDERS: u32 = 11;
export const HEADER_CACHE_SIZE: u32 = 12;
/**
 * A random number the creator also wrote into the first word of `memory` (its reserved header,
 * which no handle reaches): a memory and a state that were not made together are told apart even
 * across workers, where buffers cannot be compared by identity.
 */
export const HEADER_TAG: u32 = 13;
/** Not geometry: a word attach changes to tell whether a candidate `memory` is this state's own buffer. */
export const HEADER_PROBE: u32 = 14;
export const HEADER_WORDS: u32 = 15;

/** Lines the header takes (the allocator's own state starts after them). */
export const HEADER_LINES: usize = 1;

/** Writes the header of a new allocator (the engine has reserved its state already). */
export function writeHeader(kind: u32, objectSize: u32, slotSize: u32, capacity: u32, align: u32, dataOffset: u32, bufferSize: u32, memoryBytes: u32, stateBytes: u32, holders: u32, cacheSize: u32, tag: u32): void {
  const at = lineAt(0);
  store<u32>(at + (HEADER_FORMAT << 2), FORMAT);
  store<u32>(at + (HEADER_KIND << 2), kind);
  store<u32>(at + (HEADER_OBJECT_SIZE << 2), objectSize);
  store<u32>(at + (HEADER_SLOT_SIZE << 2), slotSize);
  store<u32>(at + (HEADER_CAPACITY << 2), capacity);
  store<u32>(at + (HEADER_ALIGN << 2), align);
  store<u32>(at + (HEADER_DATA_OFFSET << 2), dataOffset);
  store<u32>(at + (HEADER_BUFFER_SIZE << 2), bufferSize);
  store<u32>(at + (HEADER_MEMORY_BYTES << 2), memoryBytes);
  store<u32>(at + (HEADER_STATE_BYTES << 2), stateBytes);
  store<u32>(at + (HEADER_HOLDERS << 2), holders);
  store<u32>(at + (HEADER_CACHE_SIZE << 2), cacheSize);
  store<u32>(at + (HEADER_TAG << 2), tag);
  // Last: a holder that sees the magic sees the rest.
  atomic.store<u32>(at + (HEADER_MAGIC << 2), MAGIC);
}

/** Header field `field`, once `headerFits` (or create) has made sure the memory holds a header. */
// @ts-ignore: decorator
@inline export function headerWord(field: u32): u32 {
  return load<u32>(lineAt(0) + (field << 2));
}

/** Whether the memory is large enough to hold a header at all. */
// @ts-ignore: decorator
@inline function headerInMemory(): bool {
  return <u64>RESERVED + (<u64>HEADER_WORDS << 2) <= <u64>memory.size() << 16;
}

/**
 * Where the header starts in this memory: JavaScript reads it there (with atomics) to check a
 * descriptor, and moves its probe word (HEADER_PROBE) to tell whether a candidate `memory` is it.
 */
export function sharedHeaderAddress(): u32 {
  return <u32>lineAt(0);
}

/** Whether the memory holds a complete header (magic written) whose state fits it: attach's first check. */
export function headerFits(): bool {
  if (!headerInMemory() || atomic.load<u32>(lineAt(0)) != MAGIC) return false;
  return <u64>RESERVED + <u64>headerWord(HEADER_STATE_BYTES) <= <u64>memory.size() << 16;
}
