import { createRecordPool, defineLayout, type Backend } from '@mempool/api';
import { blackhole, type Case } from '../measure.js';

/** The README's order, declared once; `quantity` is at byte 8, so by hand it is `f64[h / 8 + 1]`. */
export const FieldOrder = defineLayout({ price: 'f64', quantity: 'f64', id: 'u32', side: 'u32' }, { name: 'Order' });

/** Records per timed call: enough that tinybench's own ~100 ns per call stays in the noise. */
const RECORDS = 4096;

/**
 * Field access through a layout against the same access written by hand, over this backend's pool
 * memory: one read or one write of `quantity` per record, and `clear()` of a whole record against
 * three hand-written stores and `Uint8Array.fill`. Both sides walk the same handles.
 */
export function fieldCases(b: Backend): Case[] {
  const pool = createRecordPool(b, FieldOrder, RECORDS);
  const handles = new Uint32Array(RECORDS);
  if (pool.allocMany(handles) !== RECORDS) throw new Error('the record pool did not fill');
  const o = FieldOrder.view(pool.memory);
  const f64 = new Float64Array(pool.memory, 0, Math.floor(pool.memory.byteLength / 8));
  const u8 = new Uint8Array(pool.memory);
  const bytes = FieldOrder.byteSize;
  const same = (a: () => void, b: () => void, what: string) => () => {
    a();
    const first = u8.slice();
    b();
    if (!u8.every((x, i) => x === first[i])) throw new Error(`${what}: the layout and the hand-written body write different bytes`);
  };
  const writeLayout = () => {
    for (let i = 0; i < RECORDS; i++) o.quantity.set(handles[i]!, i);
  };
  const writeHand = () => {
    for (let i = 0; i < RECORDS; i++) f64[handles[i]! / 8 + 1] = i;
  };

  return [
    {
      scenario: 'field.read.layout',
      unit: 'o.quantity.get(h)',
      ops: RECORDS,
      check: () => {
        writeHand();
        if (o.quantity.get(handles[7]!) !== 7) throw new Error('the accessor read the wrong field');
      },
      fn: () => {
        let acc = 0;
        for (let i = 0; i < RECORDS; i++) acc += o.quantity.get(handles[i]!);
        blackhole.value = acc;
      },
    },
    {
      scenario: 'field.read.hand',
      unit: 'f64[h / 8 + 1]',
      ops: RECORDS,
      fn: () => {
        let acc = 0;
        for (let i = 0; i < RECORDS; i++) acc += f64[handles[i]! / 8 + 1]!;
        blackhole.value = acc;
      },
    },
    {
      scenario: 'field.write.layout',
      unit: 'o.quantity.set(h, v)',
      ops: RECORDS,
      check: same(writeLayout, writeHand, 'write'),
      fn: writeLayout,
    },
    { scenario: 'field.write.hand', unit: 'f64[h / 8 + 1] = v', ops: RECORDS, fn: writeHand },
    {
      scenario: 'field.clear.layout',
      unit: `o.clear(h) of a ${bytes}-byte record`,
      ops: RECORDS,
      check: same(
        () => {
          for (let i = 0; i < RECORDS; i++) o.clear(handles[i]!);
        },
        () => u8.fill(0, handles[0]!, handles[RECORDS - 1]! + bytes),
        'clear',
      ),
      fn: () => {
        for (let i = 0; i < RECORDS; i++) o.clear(handles[i]!);
      },
    },
    {
      scenario: 'field.clear.hand',
      unit: `${bytes / 8} stores of f64 0`,
      ops: RECORDS,
      fn: () => {
        for (let i = 0; i < RECORDS; i++) {
          const k = handles[i]! / 8;
          f64[k] = 0;
          f64[k + 1] = 0;
          f64[k + 2] = 0;
        }
      },
    },
    {
      scenario: 'field.clear.fill',
      unit: `Uint8Array.fill(0) of ${bytes} bytes`,
      ops: RECORDS,
      fn: () => {
        for (let i = 0; i < RECORDS; i++) {
          const h = handles[i]!;
          u8.fill(0, h, h + bytes);
        }
      },
    },
  ];
}
