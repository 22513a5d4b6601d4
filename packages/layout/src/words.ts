import { destroyed, HEADER_BYTES, invalidType } from '@mempool/base';
import { SCALARS, type ScalarType } from './scalars.js';

export type View<T extends ScalarType> = InstanceType<(typeof SCALARS)[T]['view']>;

/**
 * One typed array per scalar type over a whole `memory`, made once per memory and shared by every
 * layout that reads it. Each covers the longest whole number of its elements (a pool's memory need
 * not be a multiple of 8 bytes), so a field's element index is `(handle + offset) / size`.
 */
export type Words = { readonly [T in ScalarType]: View<T> } & {
  readonly memory: ArrayBufferLike;
  /** `memory.byteLength` when the views were made: a view of length 0 later means detached. */
  readonly byteLength: number;
};

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
  const words: Record<string, unknown> = { memory, byteLength: n };
  for (const [type, { size, view }] of Object.entries(SCALARS)) {
    // Every typed-array constructor takes (buffer, byteOffset, length); TypeScript cannot call their union.
    words[type] = new (view as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => unknown)(
      memory,
      0,
      Math.floor(n / size),
    );
  }
  cache.set(memory, words as Words);
  return words as Words;
}

/**
 * A typed array of `type` over `w.memory` from byte `HEADER_BYTES + offset`: the field at `offset`
 * of the record at HEADER_BYTES is its element 0, so a handle in the header reads a negative index.
 * Empty when memory ends before that byte.
 */
export function fieldView<T extends ScalarType>(w: Words, type: T, offset: number): View<T> {
  const { size, view } = SCALARS[type];
  const start = HEADER_BYTES + offset;
  const length = start <= w.byteLength ? Math.floor((w.byteLength - start) / size) : 0;
  const View = view as unknown as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => View<T>;
  return new View(w.memory, length === 0 ? 0 : start, length);
}
