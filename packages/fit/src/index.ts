/**
 * `@facekit/fit`: analysis-by-synthesis (inverse rendering) face fitting for any face model — the `fit`
 * predictor. Coarse Levenberg-Marquardt over identity, expression, pose, SH lighting and albedo with
 * photometric, landmark and prior terms; albedo refinement; per-vertex detail displacement; several photos of
 * one person with a shared identity. Browser-safe; `@facekit/fit/node` registers the predictor with
 * ICT-FaceKit and the Human detector as defaults.
 * @module
 */
export * from './predictor.js';
export * from './fit.js';
export * from './coarse.js';
export * from './detail.js';
export * from './refine-albedo.js';
export * from './albedo.js';
export * from './joint-appearance.js';
export * from './linearize.js';
export * from './pyramid.js';
export * from './dense.js';
export { contourCandidates, type ContourCandidates } from './contour.js';
export * from './calibration.js';
export { skinOrder, DEFAULT_SKIN_MASK, type SkinMaskOptions } from './skin-mask.js';
export * from './photometric-batch.js';
