/**
 * Benchmarks of the fit method on a 256 x 256 face crop of the astronaut portrait (detection in setup):
 * the coarse stage alone and coarse + albedo refinement + detail, for the default and the `accurate` preset. Empty
 * when the ICT-FaceKit data is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { warpAffine, type BenchCase, type DetectedFace, type ImageU8 } from '@facekit/core';
import { readImage } from '@facekit/core/node';
import { loadIctFaceKit } from '@facekit/bfm/node';
import { createHumanDetector } from '@facekit/detect/node';
import { fitFace, type FitOptions } from '../src/index.js';

const ICT_DIR = fileURLToPath(new URL('../../../../shared/data/ict-facekit/', import.meta.url));
const ASTRONAUT = fileURLToPath(new URL('../../../examples/astronaut.png', import.meta.url));

interface State {
  crop: ImageU8;
  face: DetectedFace;
  model: Awaited<ReturnType<typeof loadIctFaceKit>>;
}

let shared: Promise<State> | undefined;

/** The astronaut cropped to 256 x 256 around the detected face, re-detected on the crop. */
function setup(): Promise<State> {
  return (shared ??= (async () => {
    const [model, image, detector] = await Promise.all([loadIctFaceKit(ICT_DIR), readImage(ASTRONAUT), createHumanDetector()]);
    const face0 = (await detector.detect(image))[0];
    const [bx, by, bw, bh] = face0.box;
    const side = 1.7 * Math.max(bw, bh);
    const k = 256 / side;
    const A = [k, 0, 128 - k * (bx + bw / 2), 0, k, 128 - k * (by + bh / 2)];
    const crop = warpAffine(image, A, 256, 256, { border: 'replicate' });
    const face = (await detector.detect(crop))[0];
    return { crop, face, model };
  })());
}

/** A case fitting the crop with `options` (the crop is the face at 256 px, so the fit's own 1.7 x crop is about 1:1). */
function fitCase(name: string, targetMs: number, iterations: number, options: FitOptions): BenchCase {
  return {
    name,
    targetMs,
    iterations,
    setup,
    run: (s) => {
      const { crop, face, model } = s as State;
      return fitFace(crop, face, model, { ...options, cropScale: 1.7 });
    },
  };
}

export const benches: BenchCase[] = existsSync(ICT_DIR + 'generic_neutral_mesh.obj')
  ? [
      fitCase('fit/coarse-256', 1000, 10, { albedo: false, detail: false }),
      fitCase('fit/coarse+albedo+detail-256', 2000, 10, {}),
      // The preset that reaches under half the mean face's error on synthetic data (README); the targets are
      // the same as for `fast`.
      fitCase('fit/accurate-coarse-256', 1000, 5, { preset: 'accurate', albedo: false, detail: false }),
      fitCase('fit/accurate-coarse+albedo+detail-256', 2000, 5, { preset: 'accurate' }),
    ]
  : [];
