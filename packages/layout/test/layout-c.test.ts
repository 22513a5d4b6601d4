import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { array, defineLayout, type Fields, type Layout } from '../src/index.js';

/**
 * The same records declared as C structs, compiled with gcc on this machine: every layout must
 * agree with C on sizeof, _Alignof and the offsetof of every (nested) field.
 */
const Vec2 = defineLayout({ x: 'f32', y: 'f32' }, { name: 'Vec2' });
const Mixed = defineLayout({ a: 'u8', b: 'f64', c: 'u16', d: 'i8', e: 'i32', f: 'u8' }, { name: 'Mixed' });
const CASES: { layout: Layout<Fields>; c: string }[] = [
  {
    layout: defineLayout({ price: 'f64', quantity: 'f64', id: 'u32', side: 'u32' }, { name: 'Order' }),
    c: 'struct Order { double price; double quantity; uint32_t id; uint32_t side; };',
  },
  { layout: Vec2, c: 'struct Vec2 { float x; float y; };' },
  { layout: Mixed, c: 'struct Mixed { uint8_t a; double b; uint16_t c; int8_t d; int32_t e; uint8_t f; };' },
  {
    layout: defineLayout({ tags: array('u8', 5), big: 'u64', flag: 'u8' }, { name: 'Tagged' }),
    c: 'struct Tagged { uint8_t tags[5]; uint64_t big; uint8_t flag; };',
  },
  {
    layout: defineLayout({ id: 'u16', pos: Vec2, inner: Mixed, vel: array('f32', 3), when: 'i64', code: 'i16' }, { name: 'Entity' }),
    c: 'struct Entity { uint16_t id; struct Vec2 pos; struct Mixed inner; float vel[3]; int64_t when; int16_t code; };',
  },
  {
    layout: defineLayout({ a: 'u8', b: array('u16', 3), c: 'u8' }, { name: 'Shorts' }),
    c: 'struct Shorts { uint8_t a; uint16_t b[3]; uint8_t c; };',
  },
  {
    layout: defineLayout({ n: 'u32', tail: 'u8' }, { name: 'Line', align: 64 }),
    c: 'struct Line { _Alignas(64) uint32_t n; uint8_t tail; };',
  },
  { layout: defineLayout({ one: 'i8' }, { name: 'Byte' }), c: 'struct Byte { int8_t one; };' },
];

const dir = mkdtempSync(join(tmpdir(), 'mempool-layout-c-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Measured {
  size: number;
  align: number;
  offsets: Record<string, number>;
}

function compileAndRun(): Record<string, Measured> {
  const body = CASES.map(({ layout }) => {
    // Every leaf (`pos.x`) and every top-level field (`pos`).
    const paths = new Set([
      ...layout
        .describe()
        .filter((row) => row.field !== '(padding)')
        .map((row) => row.field),
      ...Object.keys(layout.offsets),
    ]);
    const fields = [...paths].map((path) => `printf("\\"${path}\\": %zu,", offsetof(struct ${layout.name}, ${path}));`).join('\n    ');
    return `printf("\\"${layout.name}\\": {\\"size\\": %zu, \\"align\\": %zu, \\"offsets\\": {", sizeof(struct ${layout.name}), _Alignof(struct ${layout.name}));
    ${fields}
    printf("\\"\\": 0}},");`;
  }).join('\n  ');
  const source = `#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
${CASES.map((c) => c.c).join('\n')}
int main(void) {
  printf("{");
  ${body}
  printf("\\"\\": null}\\n");
  return 0;
}
`;
  writeFileSync(join(dir, 'layouts.c'), source);
  execFileSync('gcc', ['-std=c11', '-Wall', '-Werror', '-o', join(dir, 'layouts'), join(dir, 'layouts.c')]);
  return JSON.parse(execFileSync(join(dir, 'layouts'), { encoding: 'utf8' })) as Record<string, Measured>;
}

describe('layouts agree with C structs compiled by gcc', () => {
  const measured = compileAndRun();
  for (const { layout } of CASES) {
    it(`${layout.name}: sizeof, _Alignof and offsetof of every field`, () => {
      const c = measured[layout.name]!;
      expect(layout.byteSize).toBe(c.size);
      expect(layout.align).toBe(c.align);
      const rows = layout.describe().filter((row) => row.field !== '(padding)');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect([row.field, row.offset]).toEqual([row.field, c.offsets[row.field]]);
      for (const [name, offset] of Object.entries(layout.offsets)) expect([name, offset]).toEqual([name, c.offsets[name]]);
    });
  }
});
