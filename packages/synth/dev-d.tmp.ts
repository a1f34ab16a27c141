import { loadIctFaceKit } from '@facekit/bfm/node';
import { writeImage } from '@facekit/core/node';
import { landmarkNme } from '@facekit/core';
import { createHumanDetector, createFaceApiDetector } from '@facekit/detect/node';
import { renderSyntheticFace } from '@facekit/synth';
const m = await loadIctFaceKit('/work/shared/data/ict-facekit');
const N = Number(process.argv[2] ?? 20);
const size = Number(process.argv[3] ?? 256);
const human = await createHumanDetector();
const fa = await createFaceApiDetector();
let h = 0, f = 0; const nh: number[] = [], nf: number[] = [];
for (let i = 0; i < N; i++) {
  const s = renderSyntheticFace(m, 1000 + i, { size });
  if (i < 8) await writeImage(`/tmp/synthdev/d${i}.png`, s.image);
  const t = performance.now();
  const a = await human.detect(s.image);
  const t2 = performance.now();
  const b = await fa.detect(s.image);
  const t3 = performance.now();
  if (a.length) { h++; if (a[0].landmarks68) nh.push(landmarkNme(a[0].landmarks68, s.landmarks2d).mean); }
  if (b.length) { f++; if (b[0].landmarks68) nf.push(landmarkNme(b[0].landmarks68, s.landmarks2d).mean); }
  console.log(i, 'human', a.length, a[0]?.confidence?.toFixed(2), (t2 - t).toFixed(0), 'faceapi', b.length, b[0]?.confidence?.toFixed(2), (t3 - t2).toFixed(0), JSON.stringify(s.pose, (k, v) => typeof v === 'number' ? Math.round(v) : v));
}
const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
console.log(`human ${h}/${N} nme ${(100 * mean(nh)).toFixed(2)}%  faceapi ${f}/${N} nme ${(100 * mean(nf)).toFixed(2)}%`);
