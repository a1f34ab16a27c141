/**
 * `@facekit/core`: the shared kernel of facekit. Meshes in typed arrays, rotations, cameras, a CPU rasterizer,
 * spherical-harmonics shading, mesh file formats, alignment and metrics, and the plugin interfaces and
 * registries every face model, detector, predictor and loss implements.
 *
 * Runs unchanged in Node and the browser; Node-only helpers (files, image codecs) are in `@facekit/core/node`.
 * @module
 */
export * from './mesh/index.js';
export * from './math/index.js';
export * from './camera/index.js';
export * from './image/index.js';
export * from './render/index.js';
export * from './shading/index.js';
export * from './io/index.js';
export * from './align/index.js';
export * from './metrics/index.js';
export * from './plugin/index.js';
export * from './util/index.js';
export * from './kernels/index.js';
