// Compiles assembly/ to build/mempool.wasm (and build/mempool.wat for reading), passing the
// package version into the module as MP_VERSION_MAJOR/MINOR/PATCH.
import { readFileSync, mkdirSync } from 'node:fs';
import { main } from 'assemblyscript/asc';

const root = new URL('..', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const [major, minor, patch] = version.split(/[.+-]/).map(Number);
mkdirSync(new URL('build', root), { recursive: true });

const { error } = await main(
  [
    'assembly/index.ts',
    '--outFile', 'build/mempool.wasm',
    '--textFile', 'build/mempool.wat',
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--converge',
    '--noAssert',
    '--runtime', 'stub',
    '--importMemory',
    '--noExportMemory',
    '--initialMemory', '1',
    '--use', `MP_VERSION_MAJOR=${major}`,
    '--use', `MP_VERSION_MINOR=${minor}`,
    '--use', `MP_VERSION_PATCH=${patch}`,
  ],
  { stdout: process.stdout, stderr: process.stderr },
);
if (error) {
  console.error(`asc failed: ${error.message}`);
  process.exit(1);
}
