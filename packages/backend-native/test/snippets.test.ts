import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The seed lives in shared/, beside the repository (../../../shared from this package).
const candidates = ['../../../../shared/seed/000_efb88dac96de32a0.md', '../../../../../shared/seed/000_efb88dac96de32a0.md'].map(
  (path) => fileURLToPath(new URL(path, import.meta.url)),
);
const seedPath = candidates.find((path) => existsSync(path));
const snippets = ['fixed_pool_api', 'arena_api', 'hft_order_book', 'scratch_buffers'];

describe('the seed C snippets in c/test/snippets are the seed text, unchanged', () => {
  it.skipIf(seedPath === undefined)('each .inc is a ```c block of the seed, byte for byte', () => {
    const blocks = [...readFileSync(seedPath!, 'utf8').matchAll(/```c\n([\s\S]*?)```/g)].map((m) => m[1]);
    snippets.forEach((name, i) => {
      const text = readFileSync(new URL(`../c/test/snippets/${name}.inc`, import.meta.url), 'utf8');
      expect(text, name).toBe(blocks[i]);
    });
  });
});
