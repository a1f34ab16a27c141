import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  procrustes,
  procrustes2D,
  rigidProcrustes,
  applySimilarity,
  applySimilarity2D,
  composeSimilarity,
  invertSimilarity,
  type SimilarityTransform,
} from '../src/align/index.js';

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

/** Uniform random rotation from a normalised Gaussian-ish quaternion (independent of the code under test). */
function randomRotation(rand: () => number): Float64Array {
  let x = rand() - 0.5, y = rand() - 0.5, z = rand() - 0.5, w = rand() - 0.5;
  const n = Math.hypot(x, y, z, w);
  x /= n; y /= n; z /= n; w /= n;
  return new Float64Array([
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ]);
}

function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

function randomPoints(n: number, rand: () => number, spread = 10): Float64Array {
  const p = new Float64Array(3 * n);
  for (let i = 0; i < p.length; i++) p[i] = spread * (rand() - 0.5);
  return p;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function cost(src: ArrayLike<number>, dst: ArrayLike<number>, t: SimilarityTransform): number {
  const moved = applySimilarity(src, t, new Float64Array(src.length));
  let e = 0;
  for (let i = 0; i < src.length; i++) e += (moved[i] - dst[i]) ** 2;
  return e;
}

test('procrustes recovers a random similarity exactly (noise-free)', () => {
  const rand = mulberry32(7);
  for (let trial = 0; trial < 20; trial++) {
    const truth: SimilarityTransform = {
      scale: 0.2 + 3 * rand(),
      rotation: randomRotation(rand),
      translation: new Float64Array([50 * (rand() - 0.5), 50 * (rand() - 0.5), 50 * (rand() - 0.5)]),
    };
    const src = randomPoints(5 + Math.floor(rand() * 60), rand);
    const dst = applySimilarity(src, truth, new Float64Array(src.length));
    const fit = procrustes(src, dst);
    assert.ok(Math.abs(fit.scale - truth.scale) < 1e-10 * truth.scale, `scale ${fit.scale} vs ${truth.scale}`);
    assert.ok(maxAbsDiff(fit.rotation, truth.rotation) < 1e-10);
    assert.ok(maxAbsDiff(fit.translation, truth.translation) < 1e-8);
    assert.ok(fit.rms < 1e-9);
    assert.ok(Math.abs(det3(fit.rotation) - 1) < 1e-12);
  }
});

test('procrustes is close under noise and matches the truth within noise level', () => {
  const rand = mulberry32(11);
  const truth: SimilarityTransform = { scale: 1.7, rotation: randomRotation(rand), translation: new Float64Array([1, 2, 3]) };
  const src = randomPoints(500, rand);
  const dst = applySimilarity(src, truth, new Float64Array(src.length));
  for (let i = 0; i < dst.length; i++) dst[i] += 0.05 * (rand() - 0.5);
  const fit = procrustes(src, dst);
  assert.ok(Math.abs(fit.scale - 1.7) < 2e-3);
  assert.ok(maxAbsDiff(fit.rotation, truth.rotation) < 2e-3);
  assert.ok(maxAbsDiff(fit.translation, truth.translation) < 2e-2);
  // Residual ~ noise std per axis * sqrt(3) = 0.05/sqrt(12)*sqrt(3) = 0.025.
  assert.ok(fit.rms > 0.02 && fit.rms < 0.03, `rms ${fit.rms}`);
  // The least-squares optimum beats the true transform on noisy data.
  assert.ok(cost(src, dst, fit) <= cost(src, dst, truth) + 1e-9);
});

test('weights: zero-weight outliers do not affect the fit', () => {
  const rand = mulberry32(3);
  const truth: SimilarityTransform = { scale: 0.8, rotation: randomRotation(rand), translation: new Float64Array([-4, 0, 9]) };
  const src = randomPoints(40, rand);
  const dst = applySimilarity(src, truth, new Float64Array(src.length));
  const w = new Float64Array(40).fill(1);
  for (let i = 0; i < 8; i++) {
    dst[3 * i] += 100;
    w[i] = 0;
  }
  const fit = procrustes(src, dst, { weights: w });
  assert.ok(maxAbsDiff(fit.rotation, truth.rotation) < 1e-10);
  assert.ok(Math.abs(fit.scale - 0.8) < 1e-10);
});

test('rigid mode keeps scale 1 and still recovers the rotation', () => {
  const rand = mulberry32(5);
  const truth: SimilarityTransform = { scale: 1, rotation: randomRotation(rand), translation: new Float64Array([3, -2, 1]) };
  const src = randomPoints(30, rand);
  const dst = applySimilarity(src, truth, new Float64Array(src.length));
  const fit = rigidProcrustes(src, dst);
  assert.equal(fit.scale, 1);
  assert.ok(maxAbsDiff(fit.rotation, truth.rotation) < 1e-10);
  assert.ok(fit.rms < 1e-9);
  // With a scaled target the rigid fit still rotates correctly (centred, symmetric cloud) and has residual.
  const scaled = applySimilarity(src, { ...truth, scale: 2 }, new Float64Array(src.length));
  const fit2 = procrustes(src, scaled, { withScale: false });
  assert.equal(fit2.scale, 1);
  assert.ok(fit2.rms > 0.1);
  assert.ok(maxAbsDiff(fit2.rotation, truth.rotation) < 1e-10);
});

test('reflection: a mirrored planar set is fitted by a proper rotation exactly', () => {
  const rand = mulberry32(9);
  const n = 20;
  const src = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    src[3 * i] = rand() * 10;
    src[3 * i + 1] = rand() * 10;
    src[3 * i + 2] = 0;
  }
  // Mirror x -> -x. For points in the z = 0 plane this equals a 180 degree turn about y.
  const dst = src.slice();
  for (let i = 0; i < n; i++) dst[3 * i] = -dst[3 * i];
  const fit = procrustes(src, dst);
  assert.ok(Math.abs(det3(fit.rotation) - 1) < 1e-12, 'must be a proper rotation');
  assert.ok(fit.rms < 1e-9, `rms ${fit.rms}`);
  assert.ok(Math.abs(fit.scale - 1) < 1e-10);
});

test('reflection: a mirrored 3D set gives the best proper rotation (det +1, locally optimal)', () => {
  const rand = mulberry32(13);
  const src = randomPoints(50, rand);
  const dst = src.slice();
  for (let i = 0; i < 50; i++) dst[3 * i + 2] = -dst[3 * i + 2];
  const fit = procrustes(src, dst, { withScale: false });
  assert.ok(Math.abs(det3(fit.rotation) - 1) < 1e-12);
  assert.ok(fit.rms > 0.5);
  // Compare against random small perturbations of R (left-multiplied rotations) and t.
  const base = cost(src, dst, fit);
  for (let k = 0; k < 200; k++) {
    const ax = 0.05 * (rand() - 0.5), ay = 0.05 * (rand() - 0.5), az = 0.05 * (rand() - 0.5);
    const th = Math.hypot(ax, ay, az);
    const c = Math.cos(th), s = Math.sin(th), x = ax / th, y = ay / th, z = az / th, C = 1 - c;
    const dR = [c + x * x * C, x * y * C - z * s, x * z * C + y * s, y * x * C + z * s, c + y * y * C, y * z * C - x * s, z * x * C - y * s, z * y * C + x * s, c + z * z * C];
    const perturbed = composeSimilarity({ scale: 1, rotation: Float64Array.from(dR), translation: new Float64Array([rand() - 0.5, rand() - 0.5, rand() - 0.5].map((v) => 0.05 * v)) }, fit);
    assert.ok(cost(src, dst, perturbed) >= base - 1e-9);
  }
});

test('reflection: matches Umeyama\'s closed form on a cloud with diagonal covariance', () => {
  // Octant-symmetric cloud with variances x > y > z: covariance C is exactly diagonal. Mirroring z gives
  // Sigma = diag(cx, cy, -cz); Umeyama's S = diag(1, 1, -1) then yields R = U S V^T = I and t = 0.
  const rand = mulberry32(17);
  const pts: number[] = [];
  for (let i = 0; i < 10; i++) {
    const x = 3 * rand(), y = 2 * rand(), z = rand();
    for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [-1, 1]) pts.push(sx * x, sy * y, sz * z);
  }
  const src = Float64Array.from(pts);
  const dst = src.slice();
  for (let i = 2; i < dst.length; i += 3) dst[i] = -dst[i];
  const fit = procrustes(src, dst, { withScale: false });
  assert.ok(maxAbsDiff(fit.rotation, [1, 0, 0, 0, 1, 0, 0, 0, 1]) < 1e-12, `R = ${Array.from(fit.rotation)}`);
  assert.ok(maxAbsDiff(fit.translation, [0, 0, 0]) < 1e-12);
  let expected = 0;
  for (let i = 2; i < src.length; i += 3) expected += (2 * src[i]) ** 2;
  assert.ok(Math.abs(fit.rms - Math.sqrt(expected / (src.length / 3))) < 1e-12);
});

test('procrustes2D recovers a known 2D similarity', () => {
  const rand = mulberry32(21);
  const n = 68;
  const src = new Float64Array(2 * n);
  for (let i = 0; i < src.length; i++) src[i] = 200 * rand();
  const angle = 0.7, s = 1.3, tx = 12, ty = -40;
  const dst = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = src[2 * i], y = src[2 * i + 1];
    dst[2 * i] = s * (Math.cos(angle) * x - Math.sin(angle) * y) + tx;
    dst[2 * i + 1] = s * (Math.sin(angle) * x + Math.cos(angle) * y) + ty;
  }
  const fit = procrustes2D(src, dst);
  assert.ok(Math.abs(fit.angle - angle) < 1e-12);
  assert.ok(Math.abs(fit.scale - s) < 1e-12);
  assert.ok(Math.abs(fit.translation[0] - tx) < 1e-9 && Math.abs(fit.translation[1] - ty) < 1e-9);
  assert.ok(fit.rms < 1e-9);
  const moved = applySimilarity2D(src, fit, new Float64Array(src.length));
  assert.ok(maxAbsDiff(moved, dst) < 1e-9);
  const rigid = procrustes2D(src, dst, { withScale: false });
  assert.equal(rigid.scale, 1);
  assert.ok(Math.abs(rigid.angle - angle) < 1e-12);
});

test('compose and invert similarity transforms', () => {
  const rand = mulberry32(4);
  const a: SimilarityTransform = { scale: 2, rotation: randomRotation(rand), translation: new Float64Array([1, 2, 3]) };
  const b: SimilarityTransform = { scale: 0.5, rotation: randomRotation(rand), translation: new Float64Array([-1, 0, 4]) };
  const pts = randomPoints(10, rand);
  const ab = applySimilarity(pts, composeSimilarity(a, b), new Float64Array(pts.length));
  const seq = applySimilarity(applySimilarity(pts, b, new Float64Array(pts.length)), a, new Float64Array(pts.length));
  assert.ok(maxAbsDiff(ab, seq) < 1e-12);
  const back = applySimilarity(applySimilarity(pts, a, new Float64Array(pts.length)), invertSimilarity(a), new Float64Array(pts.length));
  assert.ok(maxAbsDiff(back, pts) < 1e-12);
});

test('procrustes rejects bad input', () => {
  assert.throws(() => procrustes([0, 0, 0], [0, 0]), RangeError);
  assert.throws(() => procrustes([], []), RangeError);
  assert.throws(() => procrustes([1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1]), /coincide/);
  assert.throws(() => procrustes([0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1], { weights: [0, 0] }), /sum to zero/);
});
