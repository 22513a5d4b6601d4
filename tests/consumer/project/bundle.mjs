// esbuild, platform browser, no shims, no externals: the bundle must build and name no node: module.
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const { outputFiles, warnings } = await build({
  entryPoints: ['browser-entry.mjs'],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
});
const code = outputFiles[0].text;
assert.doesNotMatch(code, /["']node:/, 'the browser bundle still names a node: module');
console.log(`browser bundle ${code.length} bytes, ${warnings.length} warnings`);
