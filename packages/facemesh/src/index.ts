/**
 * `@facekit/facemesh`: the `facemesh` predictor. A 3D face from the 478-point MediaPipe face mesh (Human), with
 * MediaPipe's topology and UVs, a metric (mm) canonical frame, an orthographic camera that reproduces the
 * detector's pixels, head pose, 68 landmarks and a UV texture sampled from the photo.
 *
 * This entry is browser-safe: give the predictor a detector (e.g. `new HumanDetector(human)` from
 * `@facekit/detect`) or pass `options.face`. In Node, `@facekit/facemesh/node` registers `facemesh` and
 * creates it with the Human detector.
 * @module
 */
export * from './topology/index.js';
export * from './geometry.js';
export * from './texture.js';
export * from './predictor.js';
