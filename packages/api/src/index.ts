export type * from './contract.js';
export * from './constants.js';
export * from './errors.js';
export * from './checks.js';
export * from './marks.js';
export * from './status.js';
export * from './stats.js';
export * from './load-backend.js';
export * from './layout/index.js';
