/**
 * Per-image detection latency on a 640 x 480 photo with the models already loaded (model loading happens in
 * `setup`, which is not timed). The astronaut portrait is resized to 640 x 480 so the figure matches a VGA
 * camera frame.
 */
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { BenchCase, Detector, ImageU8 } from '@facekit/core';
import { createFaceApiDetector, createHumanDetector } from '../src/node/index.js';

const ASTRONAUT = fileURLToPath(new URL('../../../examples/astronaut.png', import.meta.url));

interface State {
  detector: Detector;
  image: ImageU8;
}

async function frame640x480(): Promise<ImageU8> {
  const { data, info } = await sharp(ASTRONAUT).resize(640, 480, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

async function run(state: unknown): Promise<void> {
  const { detector, image } = state as State;
  const faces = await detector.detect(image);
  if (faces.length !== 1) throw new Error(`${detector.name}: expected one face, got ${faces.length}`);
}

export const benches: BenchCase[] = [
  {
    name: 'detect/human-facemesh-640x480',
    targetMs: 120,
    iterations: 30,
    setup: async (): Promise<State> => ({ detector: await createHumanDetector(), image: await frame640x480() }),
    run,
  },
  {
    // SSD MobileNet v1 + 68 landmarks + 128-d descriptor: the full face-api output.
    name: 'detect/faceapi-68-640x480',
    iterations: 15,
    setup: async (): Promise<State> => ({ detector: await createFaceApiDetector(), image: await frame640x480() }),
    run,
  },
];
