import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { backend } from '@mempool/backend-js';
import { createRecordPool, defineLayout, ErrorCode, type FixedPool } from '@mempool/api';

/**
 * The root README's order book runs as written: its code block is taken from README.md, its
 * imports are checked and replaced by the same names (the js backend standing in for native: the
 * handles and bytes are the same on every backend), and the rest runs unchanged.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function orderBookBlock(): string {
  const section = readme.slice(readme.indexOf('### An order book'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md has no order book code block');
  return match[1]!;
}

describe('README order book', () => {
  it('runs as written and logs what its comment says', () => {
    const code = orderBookBlock();
    const imports = code.split('\n').filter((line) => line.startsWith('import '));
    expect(imports).toEqual([
      "import { createRecordPool, defineLayout } from '@mempool/api';",
      "import { backend } from '@mempool/backend-native';",
    ]);
    const body = code
      .split('\n')
      .filter((line) => !line.startsWith('import '))
      .join('\n');
    const js = ts.transpileModule(`${body}\nreturn { Order, orders, order, h };`, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None },
    }).outputText;
    const logged: unknown[] = [];
    const run = new Function('createRecordPool', 'defineLayout', 'backend', 'console', js) as (...args: unknown[]) => {
      Order: ReturnType<typeof defineLayout>;
      orders: FixedPool;
      order: { price: { get(h: number): number } };
      h: number;
    };
    const { Order, orders, order, h } = run(createRecordPool, defineLayout, backend, { log: (value: unknown) => logged.push(value) });
    expect([Order.byteSize, Order.align]).toEqual([24, 8]);
    expect(/\/\/ (\{ price: .* \})/.exec(code)?.[1]).toBe('{ price: 12345, quantity: 60, id: 1, side: 0 }');
    expect(logged).toEqual([{ price: 12345, quantity: 60, id: 1, side: 0 }]);
    expect(orders.destroyed).toBe(true);
    expect(() => order.price.get(h)).toThrowError(expect.objectContaining({ code: ErrorCode.DESTROYED }));
  }, 30_000); // loads the TypeScript compiler
});
