/**
 * Node entry of `@facekit/fit`: everything of the main entry, the dense-correspondence cache, and the `fit`
 * predictor registered in the default registries on import (ICT-FaceKit + Human detector by default).
 * @module
 */
import '@facekit/bfm/node';
import '@facekit/detect/node';
import '../register.js';

export * from '../index.js';
export { createDefaultFitPredictor, registerFitPredictor } from '../register.js';
export {
  computeDenseCorrespondence,
  denseCorrespondence,
  fitCacheDir,
  type DenseCorrespondenceOptions,
} from './dense-correspondence.js';
