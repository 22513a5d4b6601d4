import { checkAlign, destroyed, invalidRange, invalidType, MAX_ALIGN, MAX_MEMORY_BYTES } from '@mempool/base';
import type { ArrayAccessor, Clear, ScalarAccessor } from './access.js';
import { ARRAY_ACCESSORS, CLEARERS, SCALAR_ACCESSORS } from './accessors.generated.js';
import { ArrayType, isScalarType, SCALAR_LIST, SCALAR_SIZES, type ScalarInputs, type ScalarType, type ScalarValues } from './scalars.js';
import { wordsOf, type Words } from './words.js';

/** What a field can be: a scalar type, a fixed-length {@link array} of one, or a nested layout. */
export type FieldType = ScalarType | ArrayType | Layout<any>;

/** A layout's fields, in declaration order (which is the order in memory, as in C). */
export type Fields = { readonly [name: string]: FieldType };

/** The accessor a view has for one field: `get`/`set`, with an index for arrays, or a nested view. */
export type FieldAccessor<T> = T extends ScalarType
  ? ScalarAccessor<ScalarValues[T], ScalarInputs[T]>
  : T extends ArrayType<infer E>
    ? ArrayAccessor<ScalarValues[E], ScalarInputs[E]>
    : T extends Layout<infer G>
      ? RecordView<G>
      : never;

/**
 * Typed access to the records of one layout in one `memory`: `view.price.get(handle)`,
 * `view.price.set(handle, 1.5)`, `view.tags.get(handle, 2)`, `view.pos.x.get(handle)`. A handle
 * is a number: an integer multiple of the layout's `align`, past the reserved header, whose record
 * lies inside memory; an index is an integer from 0 to the array's length - 1. A number field
 * takes a number, a 64-bit one a bigint or a safe integer. Anything else is refused with the
 * contract's error (`ERR_MEMPOOL_INVALID_HANDLE` or `ERR_MEMPOOL_INVALID_ARGUMENT`) and writes nothing.
 */
export type RecordView<F extends Fields> = { readonly [K in keyof F]: FieldAccessor<F[K]> } & {
  /** The memory this view reads. */
  readonly memory: ArrayBufferLike;
  /** Zeroes `count` (default 1) consecutive records starting at `handle`. */
  clear(handle: number, count?: number): void;
};

/** One record as a plain object: numbers, bigints for 64-bit integers, arrays, nested objects. */
export type RecordObject<F extends Fields> = {
  -readonly [K in keyof F]: F[K] extends ScalarType
    ? ScalarValues[F[K]]
    : F[K] extends ArrayType<infer E>
      ? ScalarValues[E][]
      : F[K] extends Layout<infer G>
        ? RecordObject<G>
        : never;
};

/** One field as laid out. */
export interface FieldInfo {
  readonly name: string;
  /** `f64`, `u8[4]`, or the nested layout's name. */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly field: FieldType;
}

/** A row of {@link Layout.describe}: nested fields are flattened to `pos.x`, padding has its own rows. */
export interface FieldRow {
  readonly field: string;
  readonly offset: number;
  readonly type: string;
  readonly size: number;
}

/** Options of {@link defineLayout}. */
export interface LayoutOptions {
  /** Names the layout in `describe()`, `toString()` and errors. Default `'record'`. */
  readonly name?: string;
  /**
   * A larger alignment for the whole record (C's `_Alignas` on its first member, e.g. 64 to keep
   * records on cache lines): a power of two from the fields' own alignment to 4096.
   */
  readonly align?: number;
}

/** Names a view uses for itself. */
const RESERVED = new Set(['memory', 'clear', '__proto__']);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const roundUp = (value: number, align: number): number => Math.ceil(value / align) * align;

/**
 * A fixed record laid out by C's rules: each field at the next multiple of its alignment (a
 * scalar's is its size, an array's its element's, a nested layout's its `align`), the record
 * aligned to its largest field and padded at the end to a multiple of that. So the same struct
 * declared in C (x86-64, AArch64) has the same `byteSize`, `align` and offsets.
 * Made by {@link defineLayout}.
 */
export class Layout<F extends Fields> {
  readonly name: string;
  /** `sizeof` the record: the stride of records in an array, a multiple of `align`. */
  readonly byteSize: number;
  /** `_Alignof` the record. */
  readonly align: number;
  /** Every field in memory order. */
  readonly fields: readonly FieldInfo[];
  /** Each field's byte offset in the record (`offsetof`). */
  readonly offsets: { readonly [K in keyof F]: number };
  readonly #views = new WeakMap<ArrayBufferLike, RecordView<F>>();

  /**
   * Made by `defineLayout`, not by hand: a brand check (`instanceof` can be fooled with
   * `Object.create(Layout.prototype)`, an object whose sizes nothing checked).
   */
  static isLayout(value: unknown): value is Layout<Fields> {
    return typeof value === 'object' && value !== null && #views in value;
  }

  /** @internal use {@link defineLayout}. */
  constructor(fields: F, options: LayoutOptions = {}) {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw invalidType('fields', 'an object of field types', fields);
    }
    if (typeof options !== 'object' || options === null) throw invalidType('options', 'an object or undefined', options);
    const { name = 'record', align: wanted } = options;
    if (typeof name !== 'string') throw invalidType('options.name', 'a string', name);
    const names = Object.keys(fields);
    if (names.length === 0) throw invalidRange('fields', 'an object with at least one field', fields);
    const infos: FieldInfo[] = [];
    const offsets: Record<string, number> = {};
    let end = 0;
    let align = 1;
    for (const field of names) {
      if (!IDENTIFIER.test(field) || RESERVED.has(field)) {
        throw invalidRange('field name', `an identifier other than ${[...RESERVED].join(', ')}`, field);
      }
      const { spec, type, size, align: fieldAlign } = measure(field, fields[field]);
      const offset = roundUp(end, fieldAlign);
      infos.push(Object.freeze({ name: field, type, offset, size, align: fieldAlign, field: spec }));
      offsets[field] = offset;
      end = offset + size;
      align = Math.max(align, fieldAlign);
    }
    if (wanted !== undefined) {
      const checked = checkAlign('options.align', wanted);
      if (checked < align)
        throw invalidRange('options.align', `a power of two from ${align} (the fields' alignment) to ${MAX_ALIGN}`, wanted);
      align = checked;
    }
    const byteSize = roundUp(end, align);
    if (byteSize > MAX_MEMORY_BYTES) throw invalidRange(`${name} byteSize`, `at most ${MAX_MEMORY_BYTES} bytes`, byteSize);
    this.name = name;
    this.byteSize = byteSize;
    this.align = align;
    this.fields = Object.freeze(infos);
    this.offsets = Object.freeze(offsets) as { readonly [K in keyof F]: number };
    Object.freeze(this);
  }

  /**
   * The accessors over `memory` (any backend's, `ArrayBuffer` or `SharedArrayBuffer`). Made once
   * per memory and layout: later calls return the same view.
   */
  view(memory: ArrayBufferLike): RecordView<F> {
    let view = this.#views.get(memory);
    if (view !== undefined && memory.byteLength === 0) throw destroyed(this.name, 'view');
    if (view === undefined) {
      view = buildView(this, wordsOf(memory, this.name), 0, this.align, this.name) as RecordView<F>;
      this.#views.set(memory, view);
    }
    return view;
  }

  /** Zeroes `count` (default 1) consecutive records at `handle`: `view(memory).clear(handle, count)`. */
  clear(memory: ArrayBufferLike, handle: number, count = 1): void {
    this.view(memory).clear(handle, count);
  }

  /** The record at `handle` as a plain object, for logs and tests. */
  toObject(memory: ArrayBufferLike, handle: number): RecordObject<F> {
    return readRecord(this, this.view(memory), handle) as RecordObject<F>;
  }

  /** One row per field (nested fields flattened to `pos.x`) and per run of padding: `console.table(layout.describe())`. */
  describe(): FieldRow[] {
    const rows: FieldRow[] = [];
    describeInto(this, 0, '', rows);
    return rows;
  }

  /** `describe()` as an aligned text table, headed by the name, size and alignment. */
  toString(): string {
    const rows = this.describe().map((r) => [r.field, String(r.offset), r.type, String(r.size)]);
    const all = [['field', 'offset', 'type', 'size'], ...rows];
    const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
    const line = (row: string[]) =>
      row
        .map((cell, c) => (c === 1 || c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd();
    return [`${this.name}: ${this.byteSize} bytes, align ${this.align}`, ...all.map(line)].join('\n');
  }
}

/**
 * Declares a record once: `defineLayout({ price: 'f64', quantity: 'f64', id: 'u32', side: 'u32' },
 * { name: 'Order' })`. Field order is memory order. Scalars: `f64 f32 u32 i32 u16 i16 u8 i8`, and
 * `u64`/`i64` read as bigint; `array(type, length)` for fixed-length arrays; another layout to nest it.
 */
export function defineLayout<const F extends Fields>(fields: F, options?: LayoutOptions): Layout<F> {
  return new Layout(fields, options);
}

/** A field's type checked and copied (so nothing changed later reaches the layout), with its size and alignment. */
function measure(field: string, given: unknown): { spec: FieldType; type: string; size: number; align: number } {
  if (isScalarType(given)) return { spec: given, type: given, size: SCALAR_SIZES[given], align: SCALAR_SIZES[given] };
  if (given instanceof ArrayType) {
    // Made again from its parts: one built by hand (`Object.create(ArrayType.prototype)`) or
    // changed since is checked like any `array()` call, and reads once.
    const spec = new ArrayType((given as ArrayType).type, (given as ArrayType).length);
    const element = SCALAR_SIZES[spec.type];
    return { spec, type: `${spec.type}[${spec.length}]`, size: element * spec.length, align: element };
  }
  if (Layout.isLayout(given)) return { spec: given, type: given.name, size: given.byteSize, align: given.align };
  throw invalidType(`field ${field}`, `one of ${SCALAR_LIST}, an array() or a layout`, given);
}

/** `clear(handle, count = 1)` in the widest words the record's alignment allows. */
function recordClearer(w: Words, base: number, layout: Layout<Fields>, align: number, path: string): Clear {
  return CLEARERS[Math.min(layout.align, 8)]!(w, base, layout.byteSize, align, path);
}

/**
 * The accessors of `layout`'s fields for records whose start is `base` bytes past the handle;
 * `align` is the outermost record's, since the handle a nested view takes is that record's.
 */
function buildView(layout: Layout<any>, words: Words, base: number, align: number, path: string): unknown {
  const view: Record<string, unknown> = { memory: words.memory, clear: recordClearer(words, base, layout, align, path) };
  for (const { name, field, offset } of layout.fields) {
    const at = base + offset;
    const fieldPath = `${path}.${name}`;
    if (isScalarType(field)) view[name] = SCALAR_ACCESSORS[field](words, at, align, fieldPath);
    else if (field instanceof ArrayType) {
      view[name] = ARRAY_ACCESSORS[(field as ArrayType).type](words, at, field.length, align, fieldPath);
    } else view[name] = buildView(field, words, at, align, fieldPath);
  }
  return Object.freeze(view);
}

function readRecord(layout: Layout<any>, view: RecordView<any>, handle: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, field } of layout.fields) {
    const accessor = view[name] as unknown;
    if (isScalarType(field)) out[name] = (accessor as ScalarAccessor<unknown>).get(handle);
    else if (field instanceof ArrayType) {
      const items = accessor as ArrayAccessor<unknown>;
      out[name] = Array.from({ length: items.length }, (_, j) => items.get(handle, j));
    } else out[name] = readRecord(field, accessor as RecordView<Fields>, handle);
  }
  return out;
}

function describeInto(layout: Layout<any>, base: number, prefix: string, rows: FieldRow[]): void {
  let end = 0;
  const pad = (to: number) => {
    if (to > end) rows.push({ field: '(padding)', offset: base + end, type: '', size: to - end });
  };
  for (const { name, type, offset, size, field } of layout.fields) {
    pad(offset);
    if (field instanceof Layout) describeInto(field, base + offset, `${prefix}${name}.`, rows);
    else rows.push({ field: `${prefix}${name}`, offset: base + offset, type, size });
    end = offset + size;
  }
  pad(layout.byteSize);
}
