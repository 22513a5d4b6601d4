import { destroyed, invalidType } from '../errors.js';

/**
 * One typed array per scalar type over a whole `memory`, made once per memory and shared by every
 * layout that reads it. Each covers the longest whole number of its elements (a pool's memory need
 * not be a multiple of 8 bytes), so a field's element index is `(handle + offset) / size`.
 */
export interface Words {
  readonly memory: ArrayBufferLike;
  /** `memory.byteLength` when the views were made: a view of length 0 later means detached. */
  readonly byteLength: number;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly u64: BigUint64Array;
  readonly i64: BigInt64Array;
}

const cache = new WeakMap<ArrayBufferLike, Words>();

/** An `ArrayBuffer` or a `SharedArrayBuffer`, from this realm or another (a tag check, not `instanceof`). */
function isBuffer(value: unknown): value is ArrayBufferLike {
  const tag = Object.prototype.toString.call(value);
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]';
}

/** The views over `memory`; `what` names the layout in the error a detached memory gets. */
export function wordsOf(memory: unknown, what: string): Words {
  const known = cache.get(memory as ArrayBufferLike);
  if (known !== undefined) return known;
  if (!isBuffer(memory)) throw invalidType('memory', 'an ArrayBuffer or a SharedArrayBuffer', memory);
  const n = memory.byteLength;
  // Every allocator's memory holds at least its header: 0 bytes means destroy() detached it.
  if (n === 0) throw destroyed(what, 'view');
  const words: Words = {
    memory,
    byteLength: n,
    u8: new Uint8Array(memory, 0, n),
    i8: new Int8Array(memory, 0, n),
    u16: new Uint16Array(memory, 0, Math.floor(n / 2)),
    i16: new Int16Array(memory, 0, Math.floor(n / 2)),
    u32: new Uint32Array(memory, 0, Math.floor(n / 4)),
    i32: new Int32Array(memory, 0, Math.floor(n / 4)),
    f32: new Float32Array(memory, 0, Math.floor(n / 4)),
    f64: new Float64Array(memory, 0, Math.floor(n / 8)),
    u64: new BigUint64Array(memory, 0, Math.floor(n / 8)),
    i64: new BigInt64Array(memory, 0, Math.floor(n / 8)),
  };
  cache.set(memory, words);
  return words;
}
