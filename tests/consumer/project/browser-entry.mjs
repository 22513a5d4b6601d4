// What a web page imports: the contract, js and wasm, loadBackend and struct layouts.
import { defineLayout, loadBackend } from '@mempool/api';
import { createFixedPool } from '@mempool/backend-js';
import { createArena } from '@mempool/backend-wasm';

const pool = createFixedPool(16, 4);
const arena = createArena(256);
const backend = await loadBackend('auto');
const Pair = defineLayout({ a: 'f64', b: 'u32' });
const h = pool.alloc();
Pair.view(pool.memory).a.set(h, 1);
export const result = [h, arena.alloc(8), backend.name];
