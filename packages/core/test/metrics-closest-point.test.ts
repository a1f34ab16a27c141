import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestPointOnTriangle, TriangleBvh, buildTriangleBvh, pointToSurface } from '../src/metrics/index.js';

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

type V3 = [number, number, number];
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dist2 = (a: V3, b: V3): number => dot(sub(a, b), sub(a, b));

function segmentClosest(p: V3, a: V3, b: V3): V3 {
  const e = sub(b, a);
  const ee = dot(e, e);
  const t = ee > 0 ? Math.min(1, Math.max(0, dot(sub(p, a), e) / ee)) : 0;
  return [a[0] + t * e[0], a[1] + t * e[1], a[2] + t * e[2]];
}

/**
 * Reference closest point, a different formulation from Ericson's region test: project onto the plane, keep the
 * projection if it is inside (same-side edge tests), else take the best of the three clamped edge projections.
 */
function referenceClosest(p: V3, a: V3, b: V3, c: V3): V3 {
  const n = cross(sub(b, a), sub(c, a));
  const nn = dot(n, n);
  if (nn > 1e-30) {
    const s = dot(sub(p, a), n) / nn;
    const q: V3 = [p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2]];
    const inside =
      dot(cross(sub(b, a), sub(q, a)), n) >= 0 && dot(cross(sub(c, b), sub(q, b)), n) >= 0 && dot(cross(sub(a, c), sub(q, c)), n) >= 0;
    if (inside) return q;
  }
  let best = segmentClosest(p, a, b);
  for (const cand of [segmentClosest(p, b, c), segmentClosest(p, c, a)]) if (dist2(p, cand) < dist2(p, best)) best = cand;
  return best;
}

test('closest point on a triangle: analytic face, edge and vertex regions', () => {
  const a: V3 = [0, 0, 0], b: V3 = [1, 0, 0], c: V3 = [0, 1, 0];
  const cases: Array<[V3, V3, string]> = [
    [[0.2, 0.3, 5], [0.2, 0.3, 0], 'face'],
    [[0.2, 0.3, -2], [0.2, 0.3, 0], 'face (below)'],
    [[0.5, -1, 2], [0.5, 0, 0], 'edge AB'],
    [[-1, 0.5, 0], [0, 0.5, 0], 'edge AC'],
    [[1, 1, 1], [0.5, 0.5, 0], 'edge BC'],
    [[-1, -1, 3], [0, 0, 0], 'vertex A'],
    [[2, -0.5, 0], [1, 0, 0], 'vertex B'],
    [[-0.5, 2, 0], [0, 1, 0], 'vertex C'],
    [[0.25, 0.25, 0], [0.25, 0.25, 0], 'on the face'],
  ];
  const out = new Float64Array(3);
  for (const [p, expected, region] of cases) {
    const d2 = closestPointOnTriangle(p, a, b, c, out);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-15, `${region}: ${Array.from(out)} vs ${expected}`);
    assert.ok(Math.abs(d2 - dist2(p, expected)) < 1e-14, `${region}: distance`);
  }
});

test('closest point on degenerate triangles falls back to edges', () => {
  const out = new Float64Array(3);
  assert.ok(Math.abs(closestPointOnTriangle([1.5, 1, 0], [0, 0, 0], [1, 0, 0], [2, 0, 0], out) - 1) < 1e-15);
  assert.deepEqual(Array.from(out), [1.5, 0, 0]);
  assert.equal(closestPointOnTriangle([1, 2, 2], [0, 0, 0], [0, 0, 0], [0, 0, 0], out), 9);
});

test('closest point on random triangles equals the reference formulation', () => {
  const rand = mulberry32(5);
  const out = new Float64Array(3);
  const r = (): V3 => [rand() * 4 - 2, rand() * 4 - 2, rand() * 4 - 2];
  for (let k = 0; k < 20000; k++) {
    const a = r(), b = r(), c = r(), p = r();
    const d2 = closestPointOnTriangle(p, a, b, c, out);
    const ref = referenceClosest(p, a, b, c);
    assert.ok(Math.abs(d2 - dist2(p, ref)) < 1e-10, `case ${k}: ${d2} vs ${dist2(p, ref)}`);
    assert.ok(dist2([out[0], out[1], out[2]], ref) < 1e-10, `case ${k}: point`);
  }
});

/** Closed bumpy sphere (lat-long) with 2 * nLon * (nLat - 1) triangles. */
function bumpySphere(nLat: number, nLon: number): { positions: Float32Array; triangles: Uint32Array } {
  const positions = new Float32Array(3 * (2 + (nLat - 1) * nLon));
  const put = (i: number, th: number, ph: number): void => {
    const r = 1 + 0.1 * Math.sin(5 * th) * Math.cos(3 * ph);
    positions.set([r * Math.sin(th) * Math.cos(ph), r * Math.cos(th), r * Math.sin(th) * Math.sin(ph)], 3 * i);
  };
  put(0, 0, 0);
  put(1, Math.PI, 0);
  for (let i = 1; i < nLat; i++) for (let j = 0; j < nLon; j++) put(2 + (i - 1) * nLon + j, (i * Math.PI) / nLat, (2 * Math.PI * j) / nLon);
  const v = (i: number, j: number): number => 2 + (i - 1) * nLon + (j % nLon);
  const t: number[] = [];
  for (let j = 0; j < nLon; j++) t.push(0, v(1, j + 1), v(1, j), 1, v(nLat - 1, j), v(nLat - 1, j + 1));
  for (let i = 1; i < nLat - 1; i++) for (let j = 0; j < nLon; j++) t.push(v(i, j), v(i, j + 1), v(i + 1, j), v(i, j + 1), v(i + 1, j + 1), v(i + 1, j));
  return { positions, triangles: Uint32Array.from(t) };
}

function bruteForce(
  p: V3,
  mesh: { positions: Float32Array; triangles: Uint32Array },
  subset?: ArrayLike<number>,
): number {
  const P = mesh.positions, T = mesh.triangles;
  const vtx = (i: number): V3 => [P[3 * i], P[3 * i + 1], P[3 * i + 2]];
  let best = Infinity;
  const count = subset ? subset.length : T.length / 3;
  for (let k = 0; k < count; k++) {
    const f = subset ? subset[k] : k;
    const q = referenceClosest(p, vtx(T[3 * f]), vtx(T[3 * f + 1]), vtx(T[3 * f + 2]));
    best = Math.min(best, dist2(p, q));
  }
  return Math.sqrt(best);
}

test('point-to-surface with the BVH equals brute force over all triangles', () => {
  const mesh = bumpySphere(25, 30);
  const rand = mulberry32(9);
  const m = 600;
  const pts = new Float32Array(3 * m);
  for (let i = 0; i < m; i++) {
    // Mix of near-surface points and points far inside/outside.
    const s = i % 3 === 0 ? 3 * rand() : 0.8 + 0.4 * rand();
    const th = Math.acos(1 - 2 * rand()), ph = 2 * Math.PI * rand();
    pts.set([s * Math.sin(th) * Math.cos(ph), s * Math.cos(th), s * Math.sin(th) * Math.sin(ph)], 3 * i);
  }
  const bvh = buildTriangleBvh(mesh);
  assert.equal(bvh.triangleCount, mesh.triangles.length / 3);
  const sorted = bvh.query(pts, { sortQueries: true });
  const unsorted = bvh.query(pts, { sortQueries: false });
  const P = mesh.positions, T = mesh.triangles;
  for (let i = 0; i < m; i++) {
    const p: V3 = [pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]];
    const ref = bruteForce(p, mesh);
    assert.ok(Math.abs(sorted.distances[i] - ref) < 1e-5, `point ${i}: ${sorted.distances[i]} vs ${ref}`);
    assert.ok(Math.abs(unsorted.distances[i] - ref) < 1e-5);
    // The closest point is at that distance and lies on the reported triangle.
    const q: V3 = [sorted.closestPoints[3 * i], sorted.closestPoints[3 * i + 1], sorted.closestPoints[3 * i + 2]];
    assert.ok(Math.abs(Math.sqrt(dist2(p, q)) - ref) < 1e-5);
    const f = sorted.triangleIds[i];
    const vtx = (k: number): V3 => [P[3 * k], P[3 * k + 1], P[3 * k + 2]];
    const onTri = referenceClosest(q, vtx(T[3 * f]), vtx(T[3 * f + 1]), vtx(T[3 * f + 2]));
    assert.ok(dist2(q, onTri) < 1e-10, `point ${i}: closest point not on triangle ${f}`);
  }
});

test('point-to-surface against a triangle subset, with a distance bound', () => {
  const mesh = bumpySphere(20, 24);
  const nt = mesh.triangles.length / 3;
  const subset: number[] = [];
  for (let f = 0; f < nt; f++) {
    const a = mesh.triangles[3 * f];
    if (mesh.positions[3 * a + 2] > 0.2) subset.push(f); // a "face region": the +z cap
  }
  const bvh = new TriangleBvh(mesh.positions, mesh.triangles, { triangleIds: subset });
  const rand = mulberry32(12);
  const m = 300;
  const pts = new Float32Array(3 * m);
  for (let i = 0; i < pts.length; i++) pts[i] = 3 * rand() - 1.5;
  const res = pointToSurface(pts, bvh);
  const subsetSet = new Set(subset);
  for (let i = 0; i < m; i++) {
    const ref = bruteForce([pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]], mesh, subset);
    assert.ok(Math.abs(res.distances[i] - ref) < 1e-5);
    assert.ok(subsetSet.has(res.triangleIds[i]));
  }
  const bounded = bvh.query(pts, { maxDistance: 0.3 });
  for (let i = 0; i < m; i++) {
    if (res.distances[i] < 0.3 - 1e-6) assert.ok(Math.abs(bounded.distances[i] - res.distances[i]) < 1e-6);
    if (res.distances[i] > 0.3 + 1e-6) {
      assert.equal(bounded.distances[i], Infinity);
      assert.equal(bounded.triangleIds[i], -1);
      assert.ok(Number.isNaN(bounded.closestPoints[3 * i]));
    }
  }
  // A mesh passed directly builds its own index.
  const direct = pointToSurface(pts.subarray(0, 30), mesh);
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(direct.distances[i] - bruteForce([pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]], mesh)) < 1e-5);
});

test('BVH handles empty and single-triangle meshes', () => {
  const empty = new TriangleBvh(new Float32Array(0), new Uint32Array(0));
  const r = empty.query(new Float32Array([0, 0, 0]));
  assert.equal(r.triangleIds[0], -1);
  assert.equal(r.distances[0], Infinity);
  const one = new TriangleBvh(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), new Uint32Array([0, 1, 2]));
  const r1 = one.query(new Float32Array([0.2, 0.2, 3]));
  assert.equal(r1.triangleIds[0], 0);
  assert.ok(Math.abs(r1.distances[0] - 3) < 1e-7);
  assert.throws(() => new TriangleBvh(new Float32Array(9), new Uint32Array([0, 1, 5])), RangeError);
});
