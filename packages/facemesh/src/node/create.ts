/**
 * Node factory of the facemesh predictor with Human as its detector.
 * @module
 */
import { registries } from '@facekit/core';
import { createHumanDetector } from '@facekit/detect/node';
import { FaceMeshPredictor, type FaceMeshPredictorOptions } from '../predictor.js';

/**
 * A {@link FaceMeshPredictor} whose default detector is the registered `human` detector (shared with other
 * users of the registry), or a fresh Human detector when none is registered. Models load on the first
 * prediction that needs detection.
 */
export function createFaceMeshPredictor(options: FaceMeshPredictorOptions = {}): FaceMeshPredictor {
  return new FaceMeshPredictor({
    detector: () => (registries.detectors.has('human') ? registries.detectors.get('human') : createHumanDetector()),
    ...options,
  });
}
