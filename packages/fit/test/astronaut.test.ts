/**
 * The fit on the committed astronaut portrait with the real Human detector, through the registered `fit`
 * predictor (ICT-FaceKit default model, dense 478-point correspondence computed and cached on first use).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { project, rasterize, registries, type DetectedFace, type ImageU8, type Reconstruction } from '@facekit/core';
import { readImage } from '@facekit/core/node';
import { ASTRONAUT, ICT_DIR, SKIP_ICT } from './helpers.js';

let image: ImageU8;
let face: DetectedFace;
let rec: Reconstruction;

before(async () => {
  if (SKIP_ICT) return;
  process.env.FACEKIT_ICT_DIR = ICT_DIR;
  process.env.FACEKIT_CACHE_DIR = mkdtempSync(join(tmpdir(), 'facekit-fit-'));
  await import('../src/node/index.js');
  image = await readImage(ASTRONAUT);
  const detector = await registries.detectors.get('human');
  face = (await detector.detect(image))[0];
  const fit = await registries.predictors.get('fit');
  rec = await fit.predict(image, { face });
});

test('the fit predictor is registered and available', { skip: SKIP_ICT }, async () => {
  const info = (await registries.predictors.describe()).find((p) => p.name === 'fit');
  assert.ok(info?.available, `fit unavailable: ${info?.reasons.join('; ')}`);
});

test("fit's 68 landmarks agree with the detector's (NME < 5% of sqrt(box area))", { skip: SKIP_ICT }, () => {
  const norm = Math.sqrt(face.box[2] * face.box[3]);
  let err = 0;
  for (let k = 0; k < 68; k++) {
    err += Math.hypot(rec.landmarks2d![2 * k] - face.landmarks68![2 * k], rec.landmarks2d![2 * k + 1] - face.landmarks68![2 * k + 1]);
  }
  const nme = err / 68 / norm;
  console.log(`# astronaut NME vs detector: ${(100 * nme).toFixed(2)}%`);
  assert.ok(nme < 0.05, `NME ${nme}`);
});

test('the projected mesh covers the face box', { skip: SKIP_ICT }, () => {
  const scr = project(rec.camera, rec.mesh.positions);
  const ras = rasterize(scr, rec.mesh.triangles, image.width, image.height);
  const [bx, by, bw, bh] = face.box;
  // The mesh (face, head and neck) must cover the box: its drawn extent contains the box, and it fills most
  // of it (detector boxes are square, so their lower corners beside the chin stay uncovered, as do the eye
  // and mouth openings of the face region).
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, inBox = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (ras.triangleIds[y * image.width + x] < 0) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      if (x >= bx && x < bx + bw && y >= by && y < by + bh) inBox++;
    }
  }
  const slack = 0.05 * bw;
  assert.ok(x0 <= bx + slack && x1 >= bx + bw - slack && y0 <= by + slack && y1 >= by + bh - slack, `mesh extent ${[x0, y0, x1, y1]} vs box ${face.box}`);
  assert.ok(inBox / (bw * bh) > 0.6, `mesh covers ${((100 * inBox) / (bw * bh)).toFixed(1)}% of the box`);
});

test('pose is near frontal and outputs are in original image pixels', { skip: SKIP_ICT }, () => {
  assert.ok(Math.abs(rec.pose.yaw) < 20 && Math.abs(rec.pose.pitch) < 20 && Math.abs(rec.pose.roll) < 15, JSON.stringify(rec.pose));
  assert.equal(rec.camera.type, 'orthographic');
  // Landmarks lie inside the detection box (enlarged a little).
  for (let k = 0; k < 68; k++) {
    const x = rec.landmarks2d![2 * k], y = rec.landmarks2d![2 * k + 1];
    assert.ok(x > face.box[0] - 20 && x < face.box[0] + face.box[2] + 20 && y > face.box[1] - 20 && y < face.box[1] + face.box[3] + 20);
  }
  assert.ok(rec.timings.coarse > 0 && rec.timings.detail >= 0);
});

test('dense 478-point correspondence: computed on the rendered mean face and cached', { skip: SKIP_ICT }, async () => {
  const { denseCorrespondence } = await import('../src/node/index.js');
  const model = await registries.models.get('ict-facekit');
  const detector = await registries.detectors.get('human');
  const dc = await denseCorrespondence(model, detector);
  assert.ok(dc, 'no correspondence (detector found no face on the render)');
  let valid = 0;
  for (const v of dc.valid) valid += v;
  assert.equal(dc.count, 478);
  assert.ok(valid > 400, `${valid} valid points`);
  // Second call reads the cache and gives the same mapping.
  const again = await denseCorrespondence(model, detector);
  assert.deepEqual(again?.vertices, dc.vertices);
});
