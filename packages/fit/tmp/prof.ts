import { loadIctFaceKit } from '@facekit/bfm/node';
import { createHumanDetector } from '@facekit/detect/node';
import { readImage } from '@facekit/core/node';
import { fitFace } from '../src/index.js';
const m = await loadIctFaceKit('/work/shared/data/ict-facekit');
const img = await readImage('/work/main/examples/astronaut.png');
const det = await createHumanDetector();
const face = (await det.detect(img))[0];
for (let i = 0; i < 4; i++) { const { reconstruction: r } = fitFace(img, face, m, {}); console.log(JSON.stringify(r.timings, (k, v) => typeof v === 'number' ? +v.toFixed(1) : v)); }
