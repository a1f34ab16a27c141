export * from './rotations.js';
export * from './affine2d.js';
export * from './geometry2d.js';
export * from './cholesky.js';
