// What `load-backend.ts` sees of each backend package it imports (tsconfig.json `paths` points
// them here): every backend depends on this package and is built after it, so they cannot be
// resolved while it compiles.
import type { Backend } from './contract.js';

export declare const backend: Backend;
