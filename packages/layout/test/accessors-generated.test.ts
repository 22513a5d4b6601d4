import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { renderAccessors } from '../scripts/accessors.mjs';

describe('the accessors are generated from the scalar table', () => {
  it('src/accessors.generated.ts is what scripts/accessors.mjs renders from SCALARS (else run `npm run generate`)', () => {
    const committed = readFileSync(new URL('../src/accessors.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(renderAccessors() as string);
  });
});
