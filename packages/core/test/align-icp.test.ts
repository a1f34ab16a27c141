import { test } from 'node:test';
import assert from 'node:assert/strict';
import { icp, prepareIcpTarget, KdTree3, applySimilarity, invertSimilarity, type SimilarityTransform } from '../src/align/index.js';
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

/** Bumpy height field z = h(x, y) on [-1, 1]^2, n x n vertices; bumps in several directions pin all 6 DOF. */
function height(x: number, y: number): number {
  return 0.25 * Math.sin(3 * x) * Math.cos(2 * y) + 0.15 * Math.sin(4 * x * y + 1) + 0.1 * Math.cos(5 * y - x);
}

function bumpySurface(n: number): { positions: Float32Array; triangles: Uint32Array } {
  const positions = new Float32Array(3 * n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = -1 + (2 * j) / (n - 1), y = -1 + (2 * i) / (n - 1);
      const k = 3 * (i * n + j);
      positions[k] = x;
      positions[k + 1] = y;
      positions[k + 2] = height(x, y);
    }
  }
  const tris: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    for (let j = 0; j < n - 1; j++) {
      const a = i * n + j;
      tris.push(a, a + 1, a + n, a + 1, a + n + 1, a + n);
    }
  }
  return { positions, triangles: Uint32Array.from(tris) };
}

/** Random points on the mesh triangles (exactly on the surface), restricted to |x|,|y| < 0.7. */
function samplesOnMesh(mesh: { positions: Float32Array; triangles: Uint32Array }, count: number, rand: () => number): Float64Array {
  const out = new Float64Array(3 * count);
  const P = mesh.positions, T = mesh.triangles;
  let k = 0;
  while (k < count) {
    const f = Math.floor(rand() * (T.length / 3));
    let u = rand(), v = rand();
    if (u + v > 1) {
      u = 1 - u;
      v = 1 - v;
    }
    const a = 3 * T[3 * f], b = 3 * T[3 * f + 1], c = 3 * T[3 * f + 2];
    const x = P[a] + u * (P[b] - P[a]) + v * (P[c] - P[a]);
    const y = P[a + 1] + u * (P[b + 1] - P[a + 1]) + v * (P[c + 1] - P[a + 1]);
    if (Math.abs(x) > 0.7 || Math.abs(y) > 0.7) continue;
    out[3 * k] = x;
    out[3 * k + 1] = y;
    out[3 * k + 2] = P[a + 2] + u * (P[b + 2] - P[a + 2]) + v * (P[c + 2] - P[a + 2]);
    k++;
  }
  return out;
}

function rotationError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < 9; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// The source is the surface moved by the inverse of `truth`; ICP must find `truth`.
const truth: SimilarityTransform = {
  scale: 1,
  rotation: Float64Array.from(axisAngleToMatrix([0.05, -0.04, 0.06])),
  translation: new Float64Array([0.05, -0.03, 0.04]),
};
const mesh = bumpySurface(60);

test('kd-tree nearest neighbour equals brute force', () => {
  const rand = mulberry32(1);
  const pts = new Float64Array(3 * 2000);
  for (let i = 0; i < pts.length; i++) pts[i] = rand() * 10;
  const tree = new KdTree3(pts);
  const outIdx = new Int32Array(500);
  const outD = new Float64Array(500);
  const q = new Float64Array(3 * 500);
  for (let i = 0; i < q.length; i++) q[i] = rand() * 12 - 1;
  tree.nearestBatch(q, outIdx, outD);
  for (let k = 0; k < 500; k++) {
    let best = Infinity;
    for (let i = 0; i < 2000; i++) {
      const d = (pts[3 * i] - q[3 * k]) ** 2 + (pts[3 * i + 1] - q[3 * k + 1]) ** 2 + (pts[3 * i + 2] - q[3 * k + 2]) ** 2;
      if (d < best) best = d;
    }
    assert.ok(Math.abs(outD[k] - best) < 1e-12, `query ${k}: ${outD[k]} vs ${best}`);
  }
  // With a radius bound, far queries find nothing; hints must not change results.
  assert.equal(tree.nearest(100, 100, 100, 1), -1);
  const i0 = tree.nearest(q[0], q[1], q[2]);
  assert.equal(tree.nearest(q[0], q[1], q[2], Infinity, 1234), i0);
});

test('ICP point-to-point (vertex correspondences) recovers a rigid motion exactly', () => {
  // Nearest-vertex ICP has local minima once the motion exceeds about the vertex spacing (0.034), so this case
  // uses a quarter of the motion of the surface tests.
  const small: SimilarityTransform = {
    scale: 1,
    rotation: Float64Array.from(axisAngleToMatrix([0.0125, -0.01, 0.015])),
    translation: new Float64Array([0.0125, -0.0075, 0.01]),
  };
  const inv = invertSimilarity(small);
  // Source = interior vertices of the target, moved away: exact vertex-to-vertex correspondences exist.
  const idx: number[] = [];
  for (let i = 0; i < mesh.positions.length / 3; i++) {
    if (Math.abs(mesh.positions[3 * i]) < 0.7 && Math.abs(mesh.positions[3 * i + 1]) < 0.7) idx.push(i);
  }
  const src = new Float64Array(3 * idx.length);
  idx.forEach((v, k) => src.set(mesh.positions.subarray(3 * v, 3 * v + 3), 3 * k));
  const source = applySimilarity(src, inv, new Float64Array(src.length));
  const res = icp(source, mesh.positions, { method: 'point-to-point', maxIterations: 100, tolerance: 1e-10 });
  assert.ok(rotationError(res.rotation, small.rotation) < 1e-9, `rotation error ${rotationError(res.rotation, small.rotation)}`);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(res.translation[i] - small.translation[i]) < 1e-9);
  assert.ok(res.rms < 1e-9, `rms ${res.rms}`);
  assert.ok(res.converged);
});

for (const method of ['point-to-point', 'point-to-plane'] as const) {
  test(`ICP ${method} (surface correspondences) recovers a small rigid motion of a bumpy surface`, () => {
    const rand = mulberry32(method === 'point-to-plane' ? 2 : 3);
    const src = samplesOnMesh(mesh, 3000, rand);
    const source = applySimilarity(src, invertSimilarity(truth), new Float64Array(src.length));
    const target = prepareIcpTarget(mesh);
    assert.equal(target.mode, 'surface');
    const res = icp(source, target, { method, maxIterations: method === 'point-to-plane' ? 50 : 300, tolerance: 1e-9 });
    const rotErr = rotationError(res.rotation, truth.rotation);
    assert.ok(rotErr < 1e-4, `rotation error ${rotErr}`);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(res.translation[i] - truth.translation[i]) < 1e-4);
    assert.ok(res.rms < 1e-5, `rms ${res.rms}`);
    assert.ok(res.converged);
    if (method === 'point-to-plane') assert.ok(res.iterations < 20, `iterations ${res.iterations}`);
  });
}

test('ICP point-to-plane with vertex correspondences uses vertex normals', () => {
  const rand = mulberry32(8);
  const src = samplesOnMesh(mesh, 2000, rand);
  const source = applySimilarity(src, invertSimilarity(truth), new Float64Array(src.length));
  const res = icp(source, mesh, { method: 'point-to-plane', correspondence: 'vertex', maxIterations: 50 });
  // Nearest-vertex correspondences are biased by the vertex spacing (~0.034), so tolerances are looser.
  assert.ok(rotationError(res.rotation, truth.rotation) < 5e-3);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(res.translation[i] - truth.translation[i]) < 5e-3);
});

test('trimmed ICP ignores gross outliers; max-distance ICP too', () => {
  const rand = mulberry32(4);
  const n = 2000;
  const src = samplesOnMesh(mesh, n, rand);
  const source = applySimilarity(src, invertSimilarity(truth), new Float64Array(src.length));
  // Replace 10 % of the points with outliers 0.5..1 above the surface.
  for (let i = 0; i < n / 10; i++) source[3 * i * 10 + 2] += 0.5 + 0.5 * rand();
  const target = prepareIcpTarget(mesh);
  const trimmed = icp(source, target, { method: 'point-to-plane', trimFraction: 0.85, maxIterations: 60 });
  assert.ok(rotationError(trimmed.rotation, truth.rotation) < 1e-3, `trimmed rotation error ${rotationError(trimmed.rotation, truth.rotation)}`);
  assert.ok(trimmed.inlierCount <= Math.floor(0.85 * n));
  const thresholded = icp(source, target, { method: 'point-to-plane', maxDistance: 0.3, maxIterations: 60 });
  assert.ok(rotationError(thresholded.rotation, truth.rotation) < 1e-3);
  const plain = icp(source, target, { method: 'point-to-plane', maxIterations: 60 });
  assert.ok(rotationError(plain.rotation, truth.rotation) > rotationError(trimmed.rotation, truth.rotation));
});

test('ICP starting from the true transform stops at once; initial scale is kept', () => {
  const rand = mulberry32(6);
  const src = samplesOnMesh(mesh, 1000, rand);
  const scaled = { ...invertSimilarity(truth), scale: 1 };
  const source = applySimilarity(src, scaled, new Float64Array(src.length));
  const res = icp(source, mesh, { method: 'point-to-plane', initial: truth });
  assert.ok(res.iterations <= 2);
  assert.ok(res.rms < 1e-6);
  // A source at half size with an initial scale of 2 is refined rigidly, scale untouched.
  const half = applySimilarity(source, { scale: 0.5, rotation: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), translation: new Float64Array(3) }, new Float64Array(source.length));
  const res2 = icp(half, mesh, { method: 'point-to-plane', initial: { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0], scale: 2 } });
  assert.equal(res2.scale, 2);
  assert.ok(rotationError(res2.rotation, truth.rotation) < 1e-4);
});

test('point-to-plane ICP on a bare point cloud without normals throws', () => {
  assert.throws(() => icp(new Float64Array(30), mesh.positions, { method: 'point-to-plane' }), /normals/);
});
