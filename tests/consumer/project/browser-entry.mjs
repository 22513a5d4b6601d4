// What a web page imports: the contract, js and wasm, and loadBackend.
import { loadBackend } from '@mempool/api';
import { createFixedPool } from '@mempool/backend-js';
import { createArena } from '@mempool/backend-wasm';

const pool = createFixedPool(16, 4);
const arena = createArena(256);
const backend = await loadBackend('auto');
export const result = [pool.alloc(), arena.alloc(8), backend.name];
