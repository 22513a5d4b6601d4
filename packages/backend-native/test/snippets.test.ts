import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The C API's example programs are fixtures: they must compile and run as written (make test does
// that), so the text itself must not drift. SHA256SUMS (sha256sum's format) pins each *.inc.
const dir = new URL('../c/test/snippets/', import.meta.url);
const pinned = readFileSync(new URL('SHA256SUMS', dir), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(/\s+/) as [string, string]);
const snippets = ['fixed_pool_api', 'arena_api', 'hft_order_book', 'scratch_buffers'];

describe('the C examples in c/test/snippets are kept as written', () => {
  it('SHA256SUMS pins exactly the four examples', () => {
    expect(pinned.map(([, file]) => file).sort()).toEqual(snippets.map((name) => `${name}.inc`).sort());
  });
  it.each(snippets)('%s.inc matches its pinned sha-256, and %s.c includes it unchanged', (name) => {
    const text = readFileSync(new URL(`${name}.inc`, dir));
    const sum = pinned.find(([, file]) => file === `${name}.inc`)?.[0];
    expect(createHash('sha256').update(text).digest('hex'), `${name}.inc`).toBe(sum);
    expect(readFileSync(new URL(`${name}.c`, dir), 'utf8')).toContain(`#include "${name}.inc"`);
  });
});
