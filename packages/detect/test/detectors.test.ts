/**
 * The detectors on the real models (loaded once for the file): the committed astronaut portrait always, the
 * shared development photos when present.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { registries, type DetectedFace, type Detector, type ImageU8 } from '@facekit/core';
import {
  CombinedDetector,
  createFaceApiDetector,
  createHumanDetector,
  enlargeBox,
  landmarksNme,
  wasmFeatures,
  type FaceApiDetector,
  type HumanDetector,
} from '../src/node/index.js';
import { ASTRONAUT, decodeRgb, gradientImage, sharedImages } from './helpers.js';

let human: HumanDetector;
let faceApi: FaceApiDetector;
let astronaut: ImageU8;

before(async () => {
  [human, faceApi, astronaut] = await Promise.all([createHumanDetector(), createFaceApiDetector(), decodeRgb(ASTRONAUT)]);
});

function only(faces: DetectedFace[]): DetectedFace {
  assert.equal(faces.length, 1, `expected one face, got ${faces.length}`);
  return faces[0];
}

function assertBoxInside(face: DetectedFace, image: ImageU8): void {
  const [x, y, w, h] = face.box;
  assert.ok(w > 20 && h > 20, `box too small: ${face.box}`);
  assert.ok(x >= 0 && y >= 0 && x + w <= image.width && y + h <= image.height, `box outside the image: ${face.box}`);
}

/** Eyes above the mouth, nose tip between the eyes, jaw left to right, all points in the enlarged box. */
function assertAnatomy(face: DetectedFace, enlarge: number): void {
  const lm = face.landmarks68!;
  assert.equal(lm.length, 136);
  const [bx, by, bw, bh] = enlargeBox(face.box, enlarge);
  for (let k = 0; k < 68; k++) {
    const x = lm[k * 2], y = lm[k * 2 + 1];
    assert.ok(x >= bx && x <= bx + bw && y >= by && y <= by + bh, `landmark ${k} (${x.toFixed(1)}, ${y.toFixed(1)}) outside box x${enlarge}`);
  }
  const ys = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => lm[(a + i) * 2 + 1]);
  const xs = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => lm[(a + i) * 2]);
  assert.ok(Math.max(...ys(36, 47)) < Math.min(...ys(48, 67)), 'eyes must be above the mouth');
  const rightEyeX = xs(36, 41).reduce((a, b) => a + b) / 6, leftEyeX = xs(42, 47).reduce((a, b) => a + b) / 6;
  assert.ok(rightEyeX < lm[30 * 2] && lm[30 * 2] < leftEyeX, 'nose tip between the eyes');
  // The jaw ends (0-2, 14-16) run almost vertically, so there only "not backwards" (1 % of the box) is asked;
  // the chin part must strictly go left to right.
  const jaw = xs(0, 16);
  const tol = 0.01 * face.box[2];
  for (let k = 1; k < jaw.length; k++) {
    const strict = k >= 3 && k <= 14;
    assert.ok(strict ? jaw[k] > jaw[k - 1] : jaw[k] >= jaw[k - 1] - tol, `jaw ${k - 1} -> ${k} must go left to right`);
  }
  assert.ok(jaw[16] - jaw[0] > 0.5 * face.box[2], 'jaw spans the face');
}

test('runtime: tfjs WASM backend with SIMD', async () => {
  const f = await wasmFeatures();
  assert.equal(f.simd, true);
});

test('human: one face on astronaut, 478-point mesh, anatomical 68 landmarks', async () => {
  const face = only(await human.detect(astronaut));
  assertBoxInside(face, astronaut);
  assert.ok(face.confidence > 0.5, `confidence ${face.confidence}`);
  assert.equal(face.detector, 'human');
  assert.equal(face.dense!.length, 478 * 3);
  for (let i = 0; i < 478; i++) {
    assert.ok(face.dense![i * 3] > 0 && face.dense![i * 3] < astronaut.width && face.dense![i * 3 + 1] > 0 && face.dense![i * 3 + 1] < astronaut.height);
  }
  // Human's box is drawn around the mesh itself, so 5 % slack is enough.
  assertAnatomy(face, 1.05);
});

test('face-api: one face on astronaut, anatomical 68 landmarks, 128-d descriptor', async () => {
  const face = only(await faceApi.detect(astronaut));
  assertBoxInside(face, astronaut);
  assert.ok(face.confidence > 0.5, `confidence ${face.confidence}`);
  // face-api's SSD box is tight (brows to chin); the jaw contour runs a little outside it.
  assertAnatomy(face, 1.3);
  assert.equal(face.descriptor!.length, 128);
  const norm = Math.hypot(...face.descriptor!);
  assert.ok(norm > 0.8 && norm < 2, `descriptor norm ${norm}`);
});

test('no face in a gradient image', async () => {
  const g = gradientImage(640, 480);
  assert.equal((await human.detect(g)).length, 0);
  assert.equal((await faceApi.detect(g)).length, 0);
  assert.equal((await faceApi.detect(g, { minConfidence: 0.2, allFaces: true })).length, 0);
});

/** Per-image NME between the two detectors' 68 points, normalised by sqrt(w h) of face-api's box. */
async function agreement(file: string, image: ImageU8): Promise<number> {
  const [a, b] = await Promise.all([human.detect(image), faceApi.detect(image)]);
  const fa = only(b), hu = only(a);
  return landmarksNme(hu.landmarks68!, fa.landmarks68!, fa.box);
}

test('human (mesh -> 68 mapping) and face-api agree on astronaut', async () => {
  const nme = await agreement(ASTRONAUT, astronaut);
  console.log(`# NME human vs face-api astronaut.png: ${(nme * 100).toFixed(2)} %`);
  assert.ok(nme < 0.05, `NME ${nme}`);
});

test('human and face-api agree on the shared photos', async (t) => {
  const files = sharedImages();
  if (files.length === 0) return t.skip('no shared photos (../shared/data/images absent)');
  const nmes: number[] = [];
  for (const file of files) {
    const nme = await agreement(file, await decodeRgb(file));
    console.log(`# NME human vs face-api ${path.basename(file)}: ${(nme * 100).toFixed(2)} %`);
    nmes.push(nme);
    assert.ok(nme < 0.08, `${path.basename(file)}: NME ${nme}`);
  }
  const mean = nmes.reduce((a, b) => a + b, 0) / nmes.length;
  console.log(`# NME mean over ${nmes.length} photos: ${(mean * 100).toFixed(2)} %`);
  assert.ok(mean < 0.045, `mean NME ${mean}`);
});

test('a 9000 px wide image is downscaled for detection and landmarks map back to its pixels', async () => {
  const W = 9000;
  const big = await decodeRgb(sharp(ASTRONAUT).resize({ width: W, kernel: 'cubic' }));
  const s = W / astronaut.width;
  for (const det of [human, faceApi] as Detector[]) {
    const small = only(await det.detect(astronaut));
    const large = only(await det.detect(big));
    const scaled = small.landmarks68!.map((v) => v * s);
    const nme = landmarksNme(large.landmarks68!, scaled, large.box);
    console.log(`# ${det.name}: 9000 px vs 512 px landmarks (scaled) NME ${(nme * 100).toFixed(2)} %`);
    assert.ok(nme < 0.02, `${det.name}: NME ${nme}`);
    assertBoxInside(large, big);
  }
});

test('combined detector: fallback and merge', async () => {
  const auto = new CombinedDetector(human, faceApi);
  const f = only(await auto.detect(astronaut));
  assert.equal(f.detector, 'human');
  const merged = only(await new CombinedDetector(human, faceApi, { mode: 'merge' }).detect(astronaut));
  assert.equal(merged.detector, 'human+face-api');
  assert.equal(merged.dense!.length, 478 * 3);
  assert.equal(merged.descriptor!.length, 128);
  // Fallback: a primary that finds nothing hands over to the secondary.
  const blind: Detector = { name: 'blind', outputs: ['box'], detect: async () => [] };
  assert.equal(only(await new CombinedDetector(blind, faceApi).detect(astronaut)).detector, 'face-api');
  // A head tilted by 40 degrees: Human's rotation correction keeps the mesh.
  const tilted = await decodeRgb(sharp(ASTRONAUT).rotate(40, { background: '#808080' }));
  const t = only(await auto.detect(tilted));
  assert.ok(t.confidence > 0.5 && t.dense, 'tilted face found with its mesh');
  assert.equal((await auto.detect(gradientImage(320, 240))).length, 0);
});

test('registered detectors: check() and create through the registry', async () => {
  for (const name of ['auto', 'human', 'face-api']) {
    assert.ok(registries.detectors.has(name), name);
    const info = (await registries.detectors.describe()).find((d) => d.name === name)!;
    assert.equal(info.available, true, info.reasons.join('; '));
  }
  const { name, plugin } = await registries.detectors.resolve();
  assert.equal(name, 'auto');
  const face = only(await plugin.detect(astronaut));
  assert.ok(face.landmarks68 && face.dense);
});
