import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/es2022-consumer/${name}`, import.meta.url));

/** tsc's diagnostics for a project (empty when it typechecks). */
function typecheck(project: string): string {
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('the published types', () => {
  it('typecheck in a consumer with lib ES2022, no @types/node and skipLibCheck false, `using` included', () => {
    expect(typecheck(fixture('tsconfig.json'))).toBe('');
  }, 60_000);
  it('do not clash with the ESNext lib and @types/node, which declare Disposable too', () => {
    expect(typecheck(fixture('tsconfig.esnext.json'))).toBe('');
  }, 60_000);
});
