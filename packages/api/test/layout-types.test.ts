import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The field names and types of a layout reach its accessors' types. Compiled with the TypeScript
 * compiler: every line marked `@ts-expect-error` must be an error (an unused directive is one),
 * and everything else must compile.
 */
// The built declarations (the api's test task runs after its build): they name no backend package.
const api = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mempool-layout-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SNIPPET = `
import { array, createRecordPool, defineLayout, type Backend } from ${JSON.stringify(api)};
declare const backend: Backend;
const Vec2 = defineLayout({ x: 'f32', y: 'f32' });
const Order = defineLayout({ price: 'f64', id: 'u32', tags: array('u8', 4), pos: Vec2, big: 'u64', delta: 'i64' });
const pool = createRecordPool(backend, Order, 16);
const o = Order.view(pool.memory);
const h = pool.alloc();

const price: number = o.price.get(h);
o.price.set(h, price + 1);
const tag: number = o.tags.get(h, 2);
o.tags.set(h, 0, tag);
const x: number = o.pos.x.get(h);
o.pos.y.set(h, x);
const big: bigint = o.big.get(h);
o.delta.set(h, -big);
o.delta.set(h, -1);
o.clear(h);
const offset: number = Order.offsets.pos;
const typed: { price: number; tags: number[]; pos: { x: number; y: number }; big: bigint } = Order.toObject(pool.memory, h);
void [offset, typed];

// @ts-expect-error a typo in a field name
o.prise.get(h);
// @ts-expect-error a typo in a nested field name
o.pos.z.get(h);
// @ts-expect-error a typo in offsets
void Order.offsets.prise;
// @ts-expect-error a u64 field reads a bigint
const wrong: number = o.big.get(h);
// @ts-expect-error a u64 field takes a bigint or a (safe integer) number, not a string
o.big.set(h, '1');
// @ts-expect-error an f64 field takes a number
o.price.set(h, 1n);
// @ts-expect-error an array field needs an index
o.tags.set(h, 1);
// @ts-expect-error a scalar field takes no index
o.price.get(h, 0);
// @ts-expect-error toObject keeps the field names
void Order.toObject(pool.memory, h).prise;
void wrong;
`;

describe('layout types', () => {
  it('carry field names and value types to the accessors, offsets and toObject', () => {
    const file = join(dir, 'usage.ts');
    writeFileSync(file, SNIPPET);
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [fileURLToPath(new URL('../../../node_modules/@types', import.meta.url))],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
    expect(SNIPPET.match(/@ts-expect-error/g)?.length).toBe(9);
  }, 60_000); // a whole TypeScript program: seconds on a loaded machine
});
