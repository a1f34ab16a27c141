import { loadIctFaceKit } from '@facekit/bfm/node';
import { createHumanDetector } from '@facekit/detect/node';
import { readImage } from '@facekit/core/node';
import { fitCoarse, prepareModel, buildPyramid, fitDetail, refineAlbedo } from '../src/index.js';
import { warpAffine } from '@facekit/core';
const m = await loadIctFaceKit('/work/shared/data/ict-facekit');
const img = await readImage('/work/main/examples/astronaut.png');
const det = await createHumanDetector();
const face = (await det.detect(img))[0];
const ctx = prepareModel(m);
const k = 256 / (145 * 1.7);
let mx = 0, my = 0; for (let i = 0; i < 68; i++) { mx += face.landmarks68![2*i]; my += face.landmarks68![2*i+1]; } mx /= 68; my /= 68;
const A = [k, 0, 128 - k * mx, 0, k, 128 - k * my];
const crop = warpAffine(img, A, 256, 256);
const pyr = buildPyramid(crop, 3);
const lm = new Float64Array(136); for (let i = 0; i < 68; i++) { lm[2*i] = k * face.landmarks68![2*i] + A[2]; lm[2*i+1] = k * face.landmarks68![2*i+1] + A[5]; }
const frame = { pyramid: pyr, landmarks: lm, faceSize: 145 * k };
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  const c = fitCoarse(ctx, [frame]);
  const tc = performance.now() - t;
  t = performance.now();
  const alb = refineAlbedo(ctx, pyr[0], c.geometry[0], c.state.frames[0]);
  const ta = performance.now() - t;
  t = performance.now();
  const d = fitDetail(ctx, pyr[0], c.geometry[0], c.state.frames[0], alb.albedo, JSON.parse(process.argv[2] ?? '{}'));
  console.log('coarse', tc.toFixed(0), c.timings.rigid.toFixed(0), 'alb', ta.toFixed(0), 'detail', (performance.now() - t).toFixed(0), d.energyBefore.toFixed(5), d.energyAfter.toFixed(5));
}
