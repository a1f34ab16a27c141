/**
 * The dense-points-to-face geometry on synthetic observations with a known answer: the reference face rotated,
 * scaled to pixels, with its depth in a made-up detector z scale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eulerToMatrix, project } from '@facekit/core';
import { REFERENCE_FACE, denseToFaceFrame, fitZScale, interOcularDistance } from '../src/index.js';

/** Dense points as Human would report the reference face: pixels, y down, z = depth away from the camera / k. */
function synthetic(yaw: number, pitch: number, roll: number, pxPerMm: number, k: number, cx = 300, cy = 200): Float32Array {
  const r = eulerToMatrix({ yaw, pitch, roll });
  const out = new Float32Array(478 * 3);
  for (let i = 0; i < 468; i++) {
    const x = REFERENCE_FACE[3 * i], y = REFERENCE_FACE[3 * i + 1], z = REFERENCE_FACE[3 * i + 2];
    const X = r[0] * x + r[1] * y + r[2] * z, Y = r[3] * x + r[4] * y + r[5] * z, Z = r[6] * x + r[7] * y + r[8] * z;
    out[3 * i] = cx + pxPerMm * X;
    out[3 * i + 1] = cy - pxPerMm * Y;
    out[3 * i + 2] = (-pxPerMm * Z) / k;
  }
  // Iris points: copies of the eye-corner vertices, enough to check they are carried along.
  for (let i = 468; i < 478; i++) out.set(out.subarray(3 * 33, 3 * 33 + 3), 3 * i);
  return out;
}

for (const [yaw, pitch, roll] of [[0, 0, 0], [25, -10, 5], [-35, 15, -20]]) {
  test(`recovers pose, z scale and metric shape (yaw ${yaw}, pitch ${pitch}, roll ${roll})`, () => {
    const dense = synthetic(yaw, pitch, roll, 2.5, 0.8);
    assert.ok(Math.abs(fitZScale(dense) / 0.8 - 1) < 1e-3, `z scale ${fitZScale(dense)}`);
    const f = denseToFaceFrame(dense);
    assert.ok(Math.abs(f.pose.yaw - yaw) < 0.05 && Math.abs(f.pose.pitch - pitch) < 0.05 && Math.abs(f.pose.roll - roll) < 0.05, JSON.stringify(f.pose));
    assert.ok(Math.abs(f.pixelsPerMm - 2.5) < 0.01);
    assert.ok(Math.abs(interOcularDistance(f.positions) - 63) < 1e-3);
    assert.ok(f.referenceRms < 0.05, `reference rms ${f.referenceRms}`);
    // The mesh is the reference (both centred at the vertex centroid).
    let maxd = 0;
    for (let i = 0; i < 468 * 3; i++) maxd = Math.max(maxd, Math.abs(f.positions[i] - REFERENCE_FACE[i]));
    assert.ok(maxd < 0.05, `max deviation ${maxd} mm`);
    // The camera puts the mesh and the iris points back on the detector's pixels.
    const uv = project(f.camera, f.positions);
    for (let i = 0; i < 468; i++) {
      assert.ok(Math.hypot(uv[3 * i] - dense[3 * i], uv[3 * i + 1] - dense[3 * i + 1]) < 1e-3);
    }
    assert.ok(f.iris && f.iris.length === 30);
    const irisUv = project(f.camera, f.iris);
    assert.ok(Math.hypot(irisUv[0] - dense[468 * 3], irisUv[1] - dense[468 * 3 + 1]) < 1e-3);
  });
}

test('positive yaw turns the nose towards image right', () => {
  const dense = synthetic(20, 0, 0, 2, 1);
  // Nose tip (1) right of the midpoint of the face outline's sides (234, 454).
  assert.ok(dense[3] > (dense[234 * 3] + dense[454 * 3]) / 2);
  assert.ok(denseToFaceFrame(dense).pose.yaw > 15);
});

test('explicit options: z scale and eye distance', () => {
  const dense = synthetic(10, 5, 0, 3, 0.5);
  const f = denseToFaceFrame(dense, { zScale: 0.5, interOcularMm: 60 });
  assert.equal(f.zScale, 0.5);
  assert.ok(Math.abs(interOcularDistance(f.positions) - 60) < 1e-3);
  assert.ok(Math.abs(f.pixelsPerMm - (3 * 63) / 60) < 0.01);
  assert.throws(() => denseToFaceFrame(new Float32Array(30)), RangeError);
  assert.throws(() => denseToFaceFrame(dense, { interOcularMm: 0 }), RangeError);
});
