/**
 * Spherical-harmonics (bands 0..2) Lambertian shading: basis, per-vertex and per-pixel shading, and the
 * least-squares lighting solve. Lighting is a 27-vector `L[k * 3 + c]` (9 x 3, RGB interleaved).
 * @module
 */
export * from './sh-basis.js';
export * from './sh-lighting.js';
export { SHShader, shSimdAvailable, foldSHCoefficients, type SHShaderOptions, type SHShaderShadeOptions } from './sh-shader.js';
export * from './sh-solve.js';
