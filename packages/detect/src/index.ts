/**
 * `@facekit/detect`: face boxes, 68 landmarks, the 478-point face mesh and face descriptors behind facekit's
 * `Detector` interface. This entry is browser-safe: the detector classes take a ready Human instance / face-api
 * module. In Node import `@facekit/detect/node`, which loads the models from the installed packages and
 * registers the detectors.
 * @module
 */
export * from './types.js';
export * from './mesh68.js';
export * from './geometry.js';
export * from './human-detector.js';
export * from './faceapi-detector.js';
export * from './combined-detector.js';
