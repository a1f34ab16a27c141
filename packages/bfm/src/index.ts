/**
 * `@facekit/bfm`: linear 3D morphable face models. {@link LinearFaceModel} (mean + mode-major identity,
 * expression and albedo bases), the ICT-FaceKit model builder, and browser-safe parsers of the Basel Face
 * Model 2009 (MATLAB v5), BFM 2017 (HDF5 via h5wasm) and Deep3DFaceRecon's BFM_model_front.mat.
 *
 * Everything here works on bytes and runs in the browser; file loading, the ICT-FaceKit cache and registry
 * registration are in `@facekit/bfm/node`.
 * @module
 */
export * from './linear-model.js';
export * from './io/mat5.js';
export * from './io/model-cache.js';
export * from './ict/obj-fast.js';
export * from './ict/ict-model.js';
export * from './loaders/mat-models.js';
export * from './loaders/bfm2017.js';
export * from './loaders/detect.js';
