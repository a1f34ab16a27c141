/**
 * CPU rasterizer (z-buffer, triangle ids, perspective-correct barycentrics), attribute interpolation,
 * per-vertex visibility, UV-space rendering (baking and texture unwrapping) and compositing.
 * @module
 */
export * from './rasterize.js';
export * from './interpolate.js';
export * from './visibility.js';
export * from './uv-render.js';
export * from './composite.js';
