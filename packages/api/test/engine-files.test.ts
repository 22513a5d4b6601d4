import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { renderEngineFiles } from '../scripts/engine-files.mjs';

const repoRoot = new URL('../../../', import.meta.url);
/** The published packages: the changesets' fixed version group, found in the root workspaces. */
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, repoRoot), 'utf8'));
const FIXED: readonly string[] = readJson('.changeset/config.json').fixed[0];
const PUBLISHED = (readJson('package.json').workspaces as string[])
  .map((dir) => readJson(`${dir}/package.json`) as { name: string; version: string })
  .filter((pkg) => FIXED.includes(pkg.name));

describe('every engine spells the shared facts as ENGINE_FACTS renders them', () => {
  for (const [path, expected] of Object.entries(renderEngineFiles() as Record<string, string>)) {
    it(`${path} is up to date (else run \`npm run generate\`)`, () => {
      expect(readFileSync(new URL(path, repoRoot), 'utf8')).toBe(expected);
    });
  }

  it('every published package has the one version the C header and the wasm module report', () => {
    expect(PUBLISHED.map((pkg) => pkg.name).sort()).toEqual([...FIXED].sort());
    expect(new Set(PUBLISHED.map((pkg) => pkg.version)).size).toBe(1);
  });
});
