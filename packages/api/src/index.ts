export type * from './contract.js';
export * from './constants.js';
export * from './errors.js';
export * from './checks.js';
export * from './marks.js';
export * from './status.js';
export type * from './engine.js';
export { EngineFixedPool } from './engine-fixed-pool.js';
export { EngineArena } from './engine-arena.js';
export * from './stats.js';
export * from './engine-facts.js';
export * from './version.js';
export * from './shared.js';
export * from './load-backend.js';
export * from './detach.js';
export * from './runtime.js';
// Struct layouts are a package of their own; re-exported so `import { defineLayout } from '@mempool/api'` works.
export * from '@mempool/layout';
export { allocRecords, createRecordPool } from './records.js';
