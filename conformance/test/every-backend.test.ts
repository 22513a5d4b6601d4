import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../packages/', import.meta.url);
const backends = readdirSync(root).filter((name) => name.startsWith('backend-'));

describe('every backend in the repository runs the suite', () => {
  it('finds the backend packages', () => {
    expect(backends.length).toBeGreaterThanOrEqual(1);
  });
  for (const dir of backends) {
    it(`${dir} has a conformance test file that registers the suite`, () => {
      const name = dir.slice('backend-'.length);
      const source = readFileSync(new URL(`./${name}.test.ts`, import.meta.url), 'utf8');
      const pkg = JSON.parse(readFileSync(new URL(`${dir}/package.json`, root), 'utf8')) as { name: string };
      expect(source).toContain(`await import('${pkg.name}')`);
      expect(source).toContain('registerConformanceSuite(');
    });
  }
});
