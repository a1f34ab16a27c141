/**
 * `@facekit/synth`: synthetic face renders with known ground truth (mesh, landmarks, pose, camera, lighting)
 * from any face model with a 68-landmark embedding, and the NoW-style evaluation of reconstruction methods
 * against them. Browser-safe; dataset files are written by `@facekit/synth/node`.
 * @module
 */
export * from './random.js';
export * from './lighting.js';
export * from './albedo.js';
export * from './background.js';
export * from './render.js';
export * from './evaluate.js';
export * from './truth-json.js';
