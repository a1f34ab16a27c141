import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DetectedFace, ImageU8 } from '@facekit/core';
import { boxIou, enlargeBox, landmarksNme, MESH_TO_68, meshToLandmarks68, prepareDetectionInput, selectFaces } from '../src/index.js';

test('MESH_TO_68 has 68 rows of 1-2 face-mesh indices (no iris points)', () => {
  assert.equal(MESH_TO_68.length, 68);
  for (const row of MESH_TO_68) {
    assert.ok(row.length === 1 || row.length === 2);
    for (const i of row) assert.ok(Number.isInteger(i) && i >= 0 && i < 468, `index ${i}`);
  }
});

test('meshToLandmarks68 averages the listed vertices (stride 2 and 3)', () => {
  const mesh3 = new Float32Array(478 * 3);
  for (let i = 0; i < 478; i++) {
    mesh3[i * 3] = i;
    mesh3[i * 3 + 1] = 2 * i;
    mesh3[i * 3 + 2] = -1;
  }
  const lm = meshToLandmarks68(mesh3, 3);
  assert.equal(lm.length, 136);
  for (let k = 0; k < 68; k++) {
    const mean = MESH_TO_68[k].reduce((a, b) => a + b, 0) / MESH_TO_68[k].length;
    assert.equal(lm[k * 2], mean);
    assert.equal(lm[k * 2 + 1], 2 * mean);
  }
  const mesh2 = new Float32Array(468 * 2).map((_, i) => (i % 2 ? 2 : 1) * Math.floor(i / 2));
  assert.deepEqual(meshToLandmarks68(mesh2, 2), lm);
  assert.throws(() => meshToLandmarks68(new Float32Array(100)), RangeError);
});

test('selectFaces: minConfidence filter, largest first, allFaces', () => {
  const face = (w: number, c: number): DetectedFace => ({ box: [0, 0, w, w], confidence: c, detector: 't' });
  const faces = [face(10, 0.9), face(50, 0.6), face(80, 0.3)];
  assert.deepEqual(selectFaces(faces).map((f) => f.box[2]), [50]);
  assert.deepEqual(selectFaces(faces, { allFaces: true }).map((f) => f.box[2]), [50, 10]);
  assert.deepEqual(selectFaces(faces, { allFaces: true, minConfidence: 0.2 }).map((f) => f.box[2]), [80, 50, 10]);
});

test('box helpers and NME', () => {
  assert.equal(boxIou([0, 0, 10, 10], [5, 0, 10, 10]), 50 / 150);
  assert.deepEqual(enlargeBox([10, 10, 10, 20], 2), [5, 0, 20, 40]);
  const a = new Float32Array([0, 0, 10, 0]);
  const b = new Float32Array([3, 4, 10, 0]);
  assert.equal(landmarksNme(a, b, [0, 0, 10, 10]), 2.5 / 10);
});

test('prepareDetectionInput: RGB conversion and downscale factors', () => {
  const rgba: ImageU8 = { width: 4000, height: 1000, channels: 4, data: new Uint8Array(4000 * 1000 * 4).fill(200) };
  const p = prepareDetectionInput(rgba, 2048);
  assert.equal(p.width, 2048);
  assert.equal(p.height, 512);
  assert.equal(p.rgb.length, 2048 * 512 * 3);
  assert.equal(p.scaleX, 4000 / 2048);
  assert.equal(p.scaleY, 1000 / 512);
  assert.equal(p.rgb[0], 200);
  const grey = { width: 2, height: 1, channels: 1 as const, data: new Float32Array([0, 1]) };
  assert.deepEqual([...prepareDetectionInput(grey).rgb], [0, 0, 0, 255, 255, 255]);
});
