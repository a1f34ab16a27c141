/**
 * Node entry of `@facekit/detect`: tfjs on WASM, models read from the installed `@vladmandic/human` and
 * `@vladmandic/face-api` packages, and the `auto`, `human` and `face-api` detectors registered in the default
 * registries on import.
 * @module
 */
import '../register.js';

export * from '../index.js';
export { registerDetectors } from '../register.js';
export {
  checkFaceApi,
  checkHuman,
  createAutoDetector,
  createFaceApiDetector,
  createHumanDetector,
  loadFaceApi,
  loadHuman,
  type AutoDetectorOptions,
} from './detectors.js';
export {
  fileModelHandler,
  initTfjs,
  modelFolders,
  packageDir,
  REQUIRED_MODEL_FILES,
  wasmFeatures,
  type ModelFolders,
  type Tfjs,
} from './runtime.js';
