/**
 * Registers the `fit` predictor in facekit's default registries (side effect of importing `@facekit/fit/node`).
 * Defaults: the `ict-facekit` model from the model registry (folder from env `FACEKIT_ICT_DIR`), the `human`
 * detector (478-point mesh + 68 landmarks), and the cached dense correspondence.
 * @module
 */
import { registerPredictor, registries, type Availability, type Detector, type FaceModel } from '@facekit/core';
import { checkIctFaceKit } from '@facekit/bfm/node';
import { checkHuman } from '@facekit/detect/node';
import { denseCorrespondence } from './node/dense-correspondence.js';
import { createFitPredictor, type FitPredictor } from './predictor.js';

/** Creates the node `fit` predictor with the registry defaults (ICT-FaceKit, Human). */
export function createDefaultFitPredictor(): FitPredictor {
  let detector: Promise<Detector> | undefined;
  const getDetector = (): Promise<Detector> => (detector ??= registries.detectors.get('human'));
  return createFitPredictor({
    model: (): Promise<FaceModel> => registries.models.get('ict-facekit'),
    detector: getDetector,
    denseCorrespondence: async (model) => denseCorrespondence(model, await getDetector()),
  });
}

/** Registers `fit` (replacing an earlier registration of the same name from another copy of this package). */
export function registerFitPredictor(): void {
  registerPredictor(
    {
      name: 'fit',
      priority: 0,
      description: 'analysis-by-synthesis fitting (inverse rendering) of any face model: landmarks + photometric + priors, SH lighting, albedo, detail',
      requires: [
        { kind: 'model', name: 'ict-facekit', description: 'default face model (any model can be passed per call)' },
        { kind: 'detector', name: 'human', description: 'box, 68 landmarks and the 478-point mesh' },
      ],
      check(): Availability {
        const a = checkIctFaceKit();
        const b = checkHuman();
        return { available: a.available && b.available, reasons: [...a.reasons, ...b.reasons] };
      },
      create: () => createDefaultFitPredictor(),
    },
    { replace: true },
  );
}

registerFitPredictor();
