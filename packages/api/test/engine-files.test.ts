import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { renderEngineFiles } from '../scripts/engine-files.mjs';

const repoRoot = new URL('../../../', import.meta.url);
const PUBLISHED = [
  'packages/base',
  'packages/layout',
  'packages/api',
  'packages/backend-js',
  'packages/backend-wasm',
  'packages/backend-native',
  'conformance',
];

describe('every engine spells the shared facts as ENGINE_FACTS renders them', () => {
  for (const [path, expected] of Object.entries(renderEngineFiles() as Record<string, string>)) {
    it(`${path} is up to date (else run \`npm run generate\`)`, () => {
      expect(readFileSync(new URL(path, repoRoot), 'utf8')).toBe(expected);
    });
  }

  it('every published package has the one version the C header and the wasm module report', () => {
    const versions = PUBLISHED.map(
      (dir) => (JSON.parse(readFileSync(new URL(`${dir}/package.json`, repoRoot), 'utf8')) as { version: string }).version,
    );
    expect(new Set(versions).size).toBe(1);
  });
});
