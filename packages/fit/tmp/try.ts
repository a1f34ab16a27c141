import { loadIctFaceKit } from '@facekit/bfm/node';
import { createHumanDetector } from '@facekit/detect/node';
import { readImage } from '@facekit/core/node';
import { fitFace } from '../src/index.js';
const m = await loadIctFaceKit('/work/shared/data/ict-facekit');
const img = await readImage('/work/main/examples/astronaut.png');
const det = await createHumanDetector();
const face = (await det.detect(img))[0];
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  const { reconstruction: r, diagnostics: d } = fitFace(img, face, m, {});
  console.log('total', (performance.now() - t).toFixed(0), JSON.stringify(r.timings, (k, v) => typeof v === 'number' ? +v.toFixed(1) : v));
  if (rep === 0) {
    console.log(d.history.map((e) => e.toExponential(3)).join(' '));
    console.log(d.photometric, d.detailEnergy, r.pose);
    let s = 0;
    for (let k = 0; k < 68; k++) s += Math.hypot(r.landmarks2d![2*k] - face.landmarks68![2*k], r.landmarks2d![2*k+1] - face.landmarks68![2*k+1]);
    console.log('NME', s / 68 / Math.sqrt(face.box[2] * face.box[3]));
    console.log('id', Array.from(r.model!.params.identity.slice(0, 8)).map(v=>v.toFixed(2)).join(' '));
    console.log('exp', Array.from(r.model!.params.expression).map(v=>v.toFixed(2)).join(' '));
    console.log('light', Array.from(r.lighting!).map(v=>v.toFixed(2)).join(' '));
  }
}
