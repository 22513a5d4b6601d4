// The native addon comes from the package's prebuilds/ (node-gyp-build), not from a compiler.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const dir = dirname(require.resolve('@mempool/backend-native/package.json'));
assert.ok(existsSync(`${dir}/prebuilds`), `${dir} ships no prebuilds/ folder`);
const nodeGypBuild = require(require.resolve('node-gyp-build', { paths: [dir] }));
const addon = nodeGypBuild.path(dir);
assert.match(addon, /[\\/]prebuilds[\\/]/, `node-gyp-build picks ${addon}, not a prebuild`);
const { backend } = await import('@mempool/backend-native');
backend.createFixedPool(8, 8).destroy();
console.log(`native loads ${addon.slice(dir.length + 1)}`);
