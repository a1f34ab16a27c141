/**
 * Registers the `auto`, `human` and `face-api` detectors in the default facekit registries (side effect of
 * importing `@facekit/detect/node`). `check()` says what is missing without loading any model; `create()`
 * loads models once per registry.
 * @module
 */
import { registerDetector, registries } from '@facekit/core';
import { checkFaceApi, checkHuman, createAutoDetector, createFaceApiDetector, createHumanDetector } from './node/detectors.js';

const HUMAN_SOURCE = 'npm package @vladmandic/human (models/ folder, MIT)';
const FACEAPI_SOURCE = 'npm package @vladmandic/face-api (model/ folder, MIT)';

/** Registers the three detectors; names already registered (a second copy of this package) are left alone. */
export function registerDetectors(): void {
  if (!registries.detectors.has('auto')) {
    registerDetector({
      name: 'auto',
      priority: 20,
      description: 'Human mesh detector, falling back to face-api when it finds no face',
      requires: [
        { kind: 'package', name: '@vladmandic/human', source: HUMAN_SOURCE },
        { kind: 'package', name: '@vladmandic/face-api', source: FACEAPI_SOURCE },
      ],
      check: () => {
        const a = checkHuman(), b = checkFaceApi();
        return { available: a.available && b.available, reasons: [...a.reasons, ...b.reasons] };
      },
      create: () => createAutoDetector(),
    });
  }
  if (!registries.detectors.has('human')) {
    registerDetector({
      name: 'human',
      priority: 10,
      description: 'BlazeFace boxes + 478-point MediaPipe face mesh (Human), 68 landmarks mapped from the mesh',
      requires: [{ kind: 'package', name: '@vladmandic/human', description: 'blazeface, facemesh, iris models', source: HUMAN_SOURCE }],
      check: () => checkHuman(),
      create: () => createHumanDetector(),
    });
  }
  if (!registries.detectors.has('face-api')) {
    registerDetector({
      name: 'face-api',
      priority: 5,
      description: 'SSD MobileNet v1 boxes, 68 landmarks and 128-d face descriptors (face-api)',
      requires: [
        { kind: 'package', name: '@vladmandic/face-api', description: 'ssd_mobilenetv1, face_landmark_68, face_recognition models', source: FACEAPI_SOURCE },
      ],
      check: () => checkFaceApi(),
      create: () => createFaceApiDetector(),
    });
  }
}

registerDetectors();
