export * from './errors.js';
export * from './bench.js';
