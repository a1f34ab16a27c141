import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateNow } from '../src/metrics/index.js';
import { applySimilarity, composeSimilarity, type SimilarityTransform } from '../src/align/index.js';
import { axisAngleToMatrix } from '../src/math/rotations.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A face-sized (0.2 m wide, in metres) bumpy height field standing in for a predicted face mesh.
const N = 61;
const S = 0.1;
function faceMesh(): { positions: Float32Array; triangles: Uint32Array } {
  const positions = new Float32Array(3 * N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const x = -1 + (2 * j) / (N - 1), y = -1 + (2 * i) / (N - 1);
      const z = 0.3 * Math.exp(-4 * (x * x + y * y)) + 0.08 * Math.sin(3 * x) * Math.cos(2 * y) + 0.05 * Math.sin(4 * x * y + 1);
      positions.set([S * x, S * y, S * z], 3 * (i * N + j));
    }
  }
  const t: number[] = [];
  for (let i = 0; i < N - 1; i++) for (let j = 0; j < N - 1; j++) {
    const a = i * N + j;
    t.push(a, a + 1, a + N, a + 1, a + N + 1, a + N);
  }
  return { positions, triangles: Uint32Array.from(t) };
}
const mesh = faceMesh();
const vertexAt = (x: number, y: number): number => Math.round(((y + 1) * (N - 1)) / 2) * N + Math.round(((x + 1) * (N - 1)) / 2);
// NoW's 7 landmarks: 4 eye corners, nose tip (index 4), 2 mouth corners.
const lmVertices = [vertexAt(-0.6, 0.3), vertexAt(-0.2, 0.3), vertexAt(0.2, 0.3), vertexAt(0.6, 0.3), vertexAt(0, 0), vertexAt(-0.3, -0.4), vertexAt(0.3, -0.4)];
const predictedLandmarks = new Float64Array(21);
lmVertices.forEach((v, k) => predictedLandmarks.set(mesh.positions.subarray(3 * v, 3 * v + 3), 3 * k));

/** Triangles whose first vertex lies in |x|, |y| < 0.7 S: the "face region" mask. */
const faceTriangles: number[] = [];
for (let f = 0; f < mesh.triangles.length / 3; f++) {
  const a = mesh.triangles[3 * f];
  if (Math.abs(mesh.positions[3 * a]) < 0.7 * S && Math.abs(mesh.positions[3 * a + 1]) < 0.7 * S) faceTriangles.push(f);
}

/** Points sampled on the face-region triangles (exactly on the surface). */
function samples(count: number, rand: () => number): Float64Array {
  const out = new Float64Array(3 * count);
  const P = mesh.positions, T = mesh.triangles;
  for (let k = 0; k < count; k++) {
    const f = faceTriangles[Math.floor(rand() * faceTriangles.length)];
    let u = rand(), v = rand();
    if (u + v > 1) {
      u = 1 - u;
      v = 1 - v;
    }
    const a = 3 * T[3 * f], b = 3 * T[3 * f + 1], c = 3 * T[3 * f + 2];
    for (let d = 0; d < 3; d++) out[3 * k + d] = P[a + d] + u * (P[b + d] - P[a + d]) + v * (P[c + d] - P[a + d]);
  }
  return out;
}

const scanFrame: SimilarityTransform = {
  scale: 1.15,
  rotation: Float64Array.from(axisAngleToMatrix([0.2, -0.4, 0.1])),
  translation: new Float64Array([0.3, -0.1, 1.2]),
};

test('NoW protocol: scan = similarity-transformed mesh samples gives ~0 error', () => {
  const scanPoints = applySimilarity(samples(4000, mulberry32(1)), scanFrame, new Float64Array(12000));
  const scanLandmarks = applySimilarity(predictedLandmarks, scanFrame, new Float64Array(21));
  for (const useIcp of [false, true]) {
    const r = evaluateNow({ predictedMesh: mesh, predictedLandmarks, scanPoints, scanLandmarks }, { icp: useIcp, unitToMm: 1000 });
    assert.equal(r.distances.length, 4000);
    assert.ok(Math.abs(r.landmarkTransform.scale - 1.15) < 1e-9);
    assert.ok(r.landmarkRms < 1e-9);
    assert.ok(r.statsMm.median < 1e-3, `median ${r.statsMm.median} mm`);
    assert.ok(r.statsMm.max < 1e-2, `max ${r.statsMm.max} mm`);
    assert.ok(Math.abs(r.statsMm.mean - 1000 * r.stats.mean) < 1e-9);
    for (let i = 0; i < 9; i++) assert.ok(Math.abs(r.transform.rotation[i] - scanFrame.rotation[i]) < 1e-5);
  }
});

test('NoW protocol: ICP removes a rigid landmark bias; mask and crop restrict the evaluation', () => {
  const rand = mulberry32(2);
  const face = samples(4000, rand);
  // Clutter far from the nose (e.g. shoulders / hair) that the crop must drop.
  const clutter = new Float64Array(3 * 500);
  for (let i = 0; i < 500; i++) clutter.set([S * (3 + rand()), S * (rand() - 0.5), S * rand()], 3 * i);
  const scanLocal = new Float64Array(3 * 4500);
  scanLocal.set(face);
  scanLocal.set(clutter, face.length);
  const scanPoints = applySimilarity(scanLocal, scanFrame, new Float64Array(scanLocal.length));
  // Landmark annotations biased by a small rigid motion (about 1.4 degrees, 3 mm).
  const bias: SimilarityTransform = {
    scale: 1,
    rotation: Float64Array.from(axisAngleToMatrix([0.02, -0.015, 0.01])),
    translation: new Float64Array([0.003, -0.002, 0.001]),
  };
  const scanLandmarks = applySimilarity(predictedLandmarks, composeSimilarity(scanFrame, bias), new Float64Array(21));
  const crop = { radius: 1.15 * 1.2 * S, landmarkIndex: 4 };
  const input = { predictedMesh: mesh, predictedLandmarks, scanPoints, scanLandmarks };
  const noIcp = evaluateNow(input, { icp: false, faceTriangles, crop, unitToMm: 1000 });
  const withIcp = evaluateNow(input, { faceTriangles, crop, unitToMm: 1000 });
  for (const r of [noIcp, withIcp]) {
    assert.ok(r.scanIndices.length >= 3900 && r.scanIndices.length <= 4000, `kept ${r.scanIndices.length}`);
    for (const i of r.scanIndices) assert.ok(i < 4000, 'clutter must be cropped away');
  }
  assert.ok(noIcp.statsMm.median > 0.3, `biased median ${noIcp.statsMm.median} mm`);
  assert.ok(withIcp.statsMm.median < 1e-3, `refined median ${withIcp.statsMm.median} mm`);
  assert.ok(withIcp.icpIterations > 0);
  for (let i = 0; i < 9; i++) assert.ok(Math.abs(withIcp.transform.rotation[i] - scanFrame.rotation[i]) < 1e-4);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(withIcp.transform.translation[i] - scanFrame.translation[i]) < 1e-4);
  // The aligned mesh reproduces the scan frame.
  const expected = applySimilarity(mesh.positions, scanFrame);
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - withIcp.alignedPositions[i]));
  assert.ok(maxDiff < 1e-4, `aligned mesh off by ${maxDiff}`);
});

test('NoW protocol: measured error reflects a real shape difference', () => {
  // Scan = mesh with a z-ripple of 2 mm amplitude (mesh units) on the face region, then mapped by a similarity
  // with scale 1.15. Without ICP the mean error is about 1.15 * 2 mm * mean|sin| = 1.15 * 2 * 2/pi = 1.46 mm
  // (a little less where the surface is tilted); rigid ICP may slide the scan to absorb part of it, never add.
  const rand = mulberry32(3);
  const face = samples(3000, rand);
  for (let i = 0; i < 3000; i++) face[3 * i + 2] += 0.002 * Math.sin(40 * face[3 * i]);
  const scanPoints = applySimilarity(face, scanFrame, new Float64Array(face.length));
  const scanLandmarks = applySimilarity(predictedLandmarks, scanFrame, new Float64Array(21));
  const input = { predictedMesh: mesh, predictedLandmarks, scanPoints, scanLandmarks };
  const plain = evaluateNow(input, { faceTriangles, unitToMm: 1000, icp: false });
  assert.ok(plain.statsMm.mean > 1.2 && plain.statsMm.mean < 1.5, `mean ${plain.statsMm.mean} mm`);
  assert.ok(plain.statsMm.max < 2.31, `max ${plain.statsMm.max} mm`);
  const refined = evaluateNow(input, { faceTriangles, unitToMm: 1000 });
  assert.ok(refined.statsMm.mean > 0.1 && refined.statsMm.mean <= plain.statsMm.mean + 1e-9);
  // RMS is what ICP minimises.
  const rms = (d: Float32Array): number => Math.sqrt(d.reduce((a, b) => a + b * b, 0) / d.length);
  assert.ok(rms(refined.distances) <= rms(plain.distances) + 1e-9);
});
