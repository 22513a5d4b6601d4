export * from './constants.js';
export * from './errors.js';
export * from './numbers.js';
