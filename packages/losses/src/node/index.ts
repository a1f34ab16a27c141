/**
 * Node entry of `@facekit/losses`: the same API as the main entry (the losses have no Node-only parts; use
 * the tfjs `cpu` or `wasm` backend in Node).
 * @module
 */
export * from '../index.js';
