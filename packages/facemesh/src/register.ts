/**
 * Registers the `facemesh` predictor in the default facekit registries (side effect of importing
 * `@facekit/facemesh/node`). It uses the registered `human` detector, so importing this also registers the
 * detectors of `@facekit/detect/node`.
 * @module
 */
import { registerPredictor, registries } from '@facekit/core';
import { checkHuman } from '@facekit/detect/node';
import { createFaceMeshPredictor } from './node/create.js';

/** Registers `facemesh`; a name already registered (a second copy of this package) is left alone. */
export function registerFaceMesh(): void {
  if (registries.predictors.has('facemesh')) return;
  registerPredictor({
    name: 'facemesh',
    priority: 10,
    description: 'MediaPipe 468-point face mesh (Human) as a metric mesh with pose, orthographic camera, 68 landmarks and a UV photo texture; fast, no face model',
    requires: [{ kind: 'detector', name: 'human', description: 'dense 478-point face mesh', source: 'npm package @vladmandic/human (via @facekit/detect)' }],
    check: () => checkHuman(),
    create: () => createFaceMeshPredictor(),
  });
}

registerFaceMesh();
