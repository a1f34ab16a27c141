/**
 * facemesh latency on a 640 x 480 frame (the astronaut portrait resized, as in the detect benches), models
 * loaded in `setup` (not timed): detector + predictor, and the predictor alone on a given detection (geometry,
 * landmarks and the 512 x 512 texture).
 */
import { fileURLToPath } from 'node:url';
import { resizeImage, type BenchCase, type DetectedFace, type ImageU8 } from '@facekit/core';
import { readImage } from '@facekit/core/node';
import { createFaceMeshPredictor, type FaceMeshPredictor } from '../src/node/index.js';

const ASTRONAUT = fileURLToPath(new URL('../../../examples/astronaut.png', import.meta.url));

interface State {
  predictor: FaceMeshPredictor;
  image: ImageU8;
  face: DetectedFace;
}

async function setup(): Promise<State> {
  const predictor = createFaceMeshPredictor();
  const image = resizeImage(await readImage(ASTRONAUT), 640, 480);
  const [face] = await (await predictor.detector()).detect(image);
  if (!face) throw new Error('no face in the bench frame');
  // One untimed prediction: kernel set-up and the cached UV raster, as in a running application.
  await predictor.predict(image, { face });
  return { predictor, image, face };
}

export const benches: BenchCase[] = [
  {
    name: 'facemesh/detect+predict-640x480',
    targetMs: 120,
    iterations: 30,
    setup,
    run: async (state: unknown): Promise<void> => {
      const { predictor, image } = state as State;
      await predictor.predict(image);
    },
  },
  {
    name: 'facemesh/predict-only',
    iterations: 30,
    setup,
    run: async (state: unknown): Promise<void> => {
      const { predictor, image, face } = state as State;
      await predictor.predict(image, { face });
    },
  },
];
