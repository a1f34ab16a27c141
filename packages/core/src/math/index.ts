export * from './rotations.js';
export * from './affine2d.js';
