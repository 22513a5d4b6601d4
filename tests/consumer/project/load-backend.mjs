// loadBackend by name, and 'auto', which follows the benchmark: js first on Node 20.
import assert from 'node:assert/strict';
import { loadBackend, selectBackend } from '@mempool/api';

delete process.env.MEMPOOL_BACKEND;
for (const name of ['js', 'wasm', 'native']) assert.equal((await loadBackend(name)).name, name);
const { backend, passedOver } = await selectBackend('auto');
assert.equal(backend.name, 'js', `'auto' took ${backend.name}, passing over ${JSON.stringify(passedOver)}`);
assert.equal((await loadBackend()).name, 'js');
process.env.MEMPOOL_BACKEND = 'wasm';
assert.equal((await loadBackend()).name, 'wasm');
console.log('loadBackend ok');
