import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rasterize,
  createRasterBuffers,
  interpolateAttributes,
  vertexVisibility,
  coverageMask,
  type RasterBuffers,
} from '../src/render/index.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function countCovered(r: RasterBuffers, id?: number): number {
  let n = 0;
  for (let p = 0; p < r.triangleIds.length; p++) if (id === undefined ? r.triangleIds[p] >= 0 : r.triangleIds[p] === id) n++;
  return n;
}

test('a triangle covers about its area, within a perimeter bound (small and large triangles)', () => {
  const rand = rng(1);
  for (let i = 0; i < 200; i++) {
    // Sizes from a few pixels (branchless small path) to hundreds (span path).
    const size = i % 2 === 0 ? 2 + rand() * 40 : 60 + rand() * 200;
    const cx = 20 + rand() * 216, cy = 20 + rand() * 216;
    const v = new Float32Array(9);
    for (let k = 0; k < 3; k++) {
      v[3 * k] = cx + (rand() - 0.5) * size;
      v[3 * k + 1] = cy + (rand() - 0.5) * size;
      v[3 * k + 2] = 1 + rand();
    }
    // Keep the triangle inside the 256 x 256 image so area is the exact expectation.
    for (let k = 0; k < 3; k++) {
      v[3 * k] = Math.min(255.9, Math.max(0.1, v[3 * k]));
      v[3 * k + 1] = Math.min(255.9, Math.max(0.1, v[3 * k + 1]));
    }
    const area = Math.abs((v[3] - v[0]) * (v[7] - v[1]) - (v[4] - v[1]) * (v[6] - v[0])) / 2;
    const perim =
      Math.hypot(v[3] - v[0], v[4] - v[1]) + Math.hypot(v[6] - v[3], v[7] - v[4]) + Math.hypot(v[0] - v[6], v[1] - v[7]);
    const r = rasterize(v, new Uint32Array([0, 1, 2]), 256, 256);
    const n = countCovered(r, 0);
    assert.ok(Math.abs(n - area) <= perim / 2 + 2, `triangle ${i}: ${n} pixels for area ${area.toFixed(1)}, perimeter ${perim.toFixed(1)}`);
  }
});

test('an axis-aligned square on pixel corners covers exactly its pixels', () => {
  // Corners on pixel boundaries: centres never lie on the edges, so the count is exact.
  const v = new Float32Array([2, 3, 1, 10, 3, 1, 10, 11, 1, 2, 11, 1]);
  const r = rasterize(v, new Uint32Array([0, 1, 2, 0, 2, 3]), 16, 16);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const inside = x >= 2 && x < 10 && y >= 3 && y < 11;
      assert.equal(r.triangleIds[y * 16 + x] >= 0, inside, `pixel ${x},${y}`);
    }
  }
});

test('two triangles sharing a diagonal through pixel centres cover the square once, no gaps or overlaps', () => {
  // Square with corners at pixel centres; its diagonal passes through the centres (i + 0.5, i + 0.5).
  const v = new Float32Array([1.5, 1.5, 1, 9.5, 1.5, 1, 9.5, 9.5, 1, 1.5, 9.5, 1]);
  const tris = [new Uint32Array([0, 1, 2]), new Uint32Array([0, 2, 3])];
  const hits = new Uint8Array(12 * 12);
  for (const t of tris) {
    const r = rasterize(v, t, 12, 12);
    for (let p = 0; p < hits.length; p++) if (r.triangleIds[p] >= 0) hits[p]++;
  }
  for (let p = 0; p < hits.length; p++) assert.ok(hits[p] <= 1, `pixel ${p} drawn ${hits[p]} times`);
  // Independent count: centres strictly inside (x, y in 2..8) always; on the outer edges only the top and
  // left edges keep their centres under the top-left rule: x or y = 1 included, x or y = 9 excluded.
  let expected = 0;
  for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) if (x >= 1 && x <= 8 && y >= 1 && y <= 8) expected++;
  let covered = 0;
  for (let p = 0; p < hits.length; p++) covered += hits[p];
  assert.equal(covered, expected);
  // Drawing both at once gives the same union.
  const both = rasterize(v, new Uint32Array([0, 1, 2, 0, 2, 3]), 12, 12);
  assert.equal(countCovered(both), expected);
});

test('a fan of random triangles covers its polygon exactly once (watertight shared edges)', () => {
  const rand = rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + Math.floor(rand() * 12);
    const big = trial % 2 === 1;
    // Vertices on pixel centres half of the time, so shared edges pass through centres.
    const snap = trial % 4 < 2;
    const cx = snap ? 64.5 : 64 + rand(), cy = snap ? 64.5 : 64 + rand();
    const pts: number[] = [cx, cy, 1];
    // Jittered even spacing keeps every angular gap below pi, so the fan triangles do not overlap.
    const angles = Array.from({ length: n }, (_, i) => ((i + 0.8 * rand()) / n) * 2 * Math.PI);
    for (const a of angles) {
      const rad = (big ? 40 : 8) + rand() * (big ? 20 : 6);
      let x = cx + rad * Math.cos(a);
      let y = cy + rad * Math.sin(a);
      if (snap) {
        x = Math.floor(x) + 0.5;
        y = Math.floor(y) + 0.5;
      }
      pts.push(x, y, 1 + rand());
    }
    const v = new Float32Array(pts);
    const hits = new Uint8Array(128 * 128);
    const all: number[] = [];
    for (let i = 0; i < n; i++) {
      const tri = new Uint32Array([0, 1 + i, 1 + ((i + 1) % n)]);
      all.push(...tri);
      const r = rasterize(v, tri, 128, 128);
      for (let p = 0; p < hits.length; p++) if (r.triangleIds[p] >= 0) hits[p]++;
    }
    for (let p = 0; p < hits.length; p++) assert.ok(hits[p] <= 1, `trial ${trial}: pixel ${p} drawn ${hits[p]} times`);
    // Independent inside test: centres inside some fan triangle by more than the rasterizer's vertex
    // snapping (1/256 px) must be drawn.
    const poly = angles.map((_, i) => [v[3 * (i + 1)], v[3 * (i + 1) + 1]]);
    const ccx = v[0], ccy = v[1];
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        const px = x + 0.5, py = y + 0.5;
        let inFan = false;
        for (let i = 0; i < n && !inFan; i++) {
          const b = poly[i], c = poly[(i + 1) % n];
          const d1 = ((b[0] - ccx) * (py - ccy) - (b[1] - ccy) * (px - ccx)) / Math.hypot(b[0] - ccx, b[1] - ccy);
          const d2 = ((c[0] - b[0]) * (py - b[1]) - (c[1] - b[1]) * (px - b[0])) / Math.hypot(c[0] - b[0], c[1] - b[1]);
          const d3 = ((ccx - c[0]) * (py - c[1]) - (ccy - c[1]) * (px - c[0])) / Math.hypot(ccx - c[0], ccy - c[1]);
          const m = 0.02;
          inFan = (d1 > m && d2 > m && d3 > m) || (d1 < -m && d2 < -m && d3 < -m);
        }
        if (inFan) assert.equal(hits[y * 128 + x], 1, `trial ${trial}: centre ${px},${py} inside but not drawn`);
      }
    }
    // The union drawn in one call matches the per-triangle coverage.
    const r = rasterize(v, new Uint32Array(all), 128, 128);
    let sum = 0;
    for (let p = 0; p < hits.length; p++) sum += hits[p];
    assert.equal(countCovered(r), sum);
  }
});

test('orthographic depth of a plane matches the plane equation', () => {
  // depth = 0.3 u - 0.2 v + 50 over a big quad (exercises the span path) and small triangles.
  const plane = (u: number, v: number): number => 0.3 * u - 0.2 * v + 50;
  const corners = [
    [3.2, 4.1],
    [120.7, 2.9],
    [118.3, 125.6],
    [1.1, 122.4],
  ];
  const v = new Float32Array(corners.flatMap(([u, w]) => [u, w, plane(u, w)]));
  const r = rasterize(v, new Uint32Array([0, 1, 2, 0, 2, 3]), 128, 128);
  let checked = 0;
  for (let y = 0; y < 128; y++) {
    for (let x = 0; x < 128; x++) {
      const p = y * 128 + x;
      if (r.triangleIds[p] < 0) continue;
      assert.ok(Math.abs(r.depth[p] - plane(x + 0.5, y + 0.5)) < 2e-3, `pixel ${x},${y}`);
      checked++;
    }
  }
  assert.ok(checked > 12000);
});

/** Pinhole projection (camera looks down -Z, v down) of camera-space points; returns (u, v, depth). */
function project(points: number[][], f: number, cx: number, cy: number): Float32Array {
  const out = new Float32Array(points.length * 3);
  points.forEach(([X, Y, Z], i) => {
    out[3 * i] = cx + (f * X) / -Z;
    out[3 * i + 1] = cy - (f * Y) / -Z;
    out[3 * i + 2] = -Z;
  });
  return out;
}

test('perspective depth and barycentrics match ray-plane intersection', () => {
  // A slanted quad in camera space; the attribute X (linear in 3D) must interpolate exactly.
  const pts = [
    [-1, -1, -3],
    [1, -1, -5],
    [1, 1, -6],
    [-1, 1, -4],
  ];
  const f = 100, cx = 64, cy = 64;
  const screen = project(pts, f, cx, cy);
  const tris = new Uint32Array([0, 1, 2, 0, 2, 3]);
  const r = rasterize(screen, tris, 128, 128, { perspective: true });
  const attrs = new Float32Array(pts.flatMap((p) => p));
  const interp = interpolateAttributes(r, tris, attrs, 3);
  const affine = interpolateAttributes(rasterize(screen, tris, 128, 128, { perspective: false }), tris, attrs, 3);
  // Plane through the quad: the four points are coplanar (z = -5 + x... check): solve n from three points.
  const [a, b, c] = pts;
  const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  const h = n[0] * a[0] + n[1] * a[1] + n[2] * a[2];
  let maxErr = 0;
  let maxAffineErr = 0;
  let count = 0;
  for (let y = 0; y < 128; y++) {
    for (let x = 0; x < 128; x++) {
      const p = y * 128 + x;
      if (r.triangleIds[p] < 0) continue;
      const d = [(x + 0.5 - cx) / f, -(y + 0.5 - cy) / f, -1];
      const t = h / (n[0] * d[0] + n[1] * d[1] + n[2] * d[2]);
      const X = [t * d[0], t * d[1], t * d[2]];
      assert.ok(Math.abs(r.depth[p] - t) < 1e-4 * t, `depth at ${x},${y}: ${r.depth[p]} vs ${t}`);
      for (let k = 0; k < 3; k++) {
        maxErr = Math.max(maxErr, Math.abs(interp[3 * p + k] - X[k]));
        maxAffineErr = Math.max(maxAffineErr, Math.abs(affine[3 * p + k] - X[k]));
      }
      const bsum = r.barycentrics[3 * p] + r.barycentrics[3 * p + 1] + r.barycentrics[3 * p + 2];
      assert.ok(Math.abs(bsum - 1) < 1e-5);
      count++;
    }
  }
  assert.ok(count > 1000);
  assert.ok(maxErr < 2e-3, `perspective-correct interpolation error ${maxErr}`);
  // Screen-space (affine) interpolation is visibly wrong on the same quad: the test can tell them apart.
  assert.ok(maxAffineErr > 20 * maxErr, `affine error ${maxAffineErr} vs perspective ${maxErr}`);
});

test('the nearer triangle wins the depth test regardless of drawing order', () => {
  const near = [10, 10, 2, 50, 12, 2, 30, 50, 2];
  const far = [5, 5, 5, 60, 8, 5, 28, 60, 5];
  for (const order of [0, 1]) {
    const v = new Float32Array(order === 0 ? [...near, ...far] : [...far, ...near]);
    const r = rasterize(v, new Uint32Array([0, 1, 2, 3, 4, 5]), 64, 64);
    const nearId = order === 0 ? 0 : 1;
    const p = 25 * 64 + 30;
    assert.equal(r.triangleIds[p], nearId);
    assert.ok(Math.abs(r.depth[p] - 2) < 1e-6);
  }
});

test('back-face culling removes triangles of the wrong winding', () => {
  // Counter-clockwise in a y-up frame: (0,0), (1,0), (0,1); projected with v = H - y it becomes clockwise.
  const ccwMesh = [
    [0, 0],
    [40, 0],
    [0, 40],
  ];
  const screen = new Float32Array(ccwMesh.flatMap(([x, y]) => [10 + x, 60 - y, 1]));
  const front = new Uint32Array([0, 1, 2]);
  const back = new Uint32Array([0, 2, 1]);
  assert.ok(countCovered(rasterize(screen, front, 64, 64, { cullBackFaces: true })) > 500);
  assert.equal(countCovered(rasterize(screen, back, 64, 64, { cullBackFaces: true })), 0);
  assert.ok(countCovered(rasterize(screen, back, 64, 64)) > 500, 'without culling both windings draw');
  assert.equal(countCovered(rasterize(screen, front, 64, 64, { cullBackFaces: true, frontFace: 'ccw' })), 0);
  assert.ok(countCovered(rasterize(screen, back, 64, 64, { cullBackFaces: true, frontFace: 'ccw' })) > 500);
});

test('barycentrics are reported in the caller corner order for both windings', () => {
  const screen = new Float32Array([10, 10, 1, 50, 12, 1, 20, 55, 1]);
  for (const tri of [new Uint32Array([0, 1, 2]), new Uint32Array([0, 2, 1]), new Uint32Array([2, 0, 1])]) {
    const r = rasterize(screen, tri, 64, 64);
    const attrs = new Float32Array([10, 10, 50, 12, 20, 55]); // the vertices' own positions
    const uv = interpolateAttributes(r, tri, attrs, 2);
    for (let p = 0; p < 64 * 64; p++) {
      if (r.triangleIds[p] < 0) continue;
      const x = (p % 64) + 0.5, y = Math.floor(p / 64) + 0.5;
      assert.ok(Math.abs(uv[2 * p] - x) < 1e-2 && Math.abs(uv[2 * p + 1] - y) < 1e-2, `pixel ${x},${y}: ${uv[2 * p]},${uv[2 * p + 1]}`);
    }
  }
});

test('partly visible, degenerate, non-finite and behind-camera triangles', () => {
  const v = new Float32Array([
    -100, -100, 1, 300, -50, 1, -50, 300, 1, // covers the whole 64 x 64 image from outside
    5, 5, 1, 5, 5, 1, 9, 9, 1, // degenerate
    NaN, 1, 1, 10, 10, 1, 20, 5, 1, // non-finite
  ]);
  const r = rasterize(v, new Uint32Array([0, 1, 2, 3, 4, 5, 6, 7, 8]), 64, 64);
  assert.equal(countCovered(r, 0), 64 * 64);
  const behind = new Float32Array([10, 10, -1, 50, 12, 2, 20, 55, 2]);
  assert.equal(countCovered(rasterize(behind, new Uint32Array([0, 1, 2]), 64, 64, { perspective: true })), 0);
  assert.ok(countCovered(rasterize(behind, new Uint32Array([0, 1, 2]), 64, 64)) > 0, 'orthographic accepts any depth');
  // A vertex at infinite depth drops its triangle and does not disturb the depth test of the others.
  const mixed = new Float32Array([0, 0, Infinity, 60, 0, 1, 0, 60, 1, 0, 0, 3, 60, 0, 3, 60, 60, 3, 0, 0, 2, 30, 0, 2, 0, 30, 2]);
  const rm = rasterize(mixed, new Uint32Array([0, 1, 2, 3, 4, 5, 6, 7, 8]), 64, 64);
  assert.equal(countCovered(rm, 0), 0);
  assert.equal(rm.triangleIds[10 * 64 + 40], 1, 'depth 3 where only the far triangle covers');
  assert.equal(rm.triangleIds[5 * 64 + 12], 2, 'depth 2 wins over depth 3');
  assert.ok(Math.abs(rm.depth[5 * 64 + 12] - 2) < 1e-6);
});

test('reused buffers give the same result as fresh ones and are fully reset', () => {
  const rand = rng(3);
  const n = 300;
  const v = new Float32Array(n * 9);
  for (let i = 0; i < v.length; i += 3) {
    v[i] = rand() * 100;
    v[i + 1] = rand() * 80;
    v[i + 2] = 1 + rand() * 10;
  }
  const tris = new Uint32Array(n * 3).map((_, i) => i);
  const buffers = createRasterBuffers(100, 80);
  rasterize(v, tris, 100, 80, { buffers, perspective: true });
  const again = rasterize(v.subarray(0, 90), tris.subarray(0, 30), 100, 80, { buffers });
  assert.equal(again, buffers);
  const fresh = rasterize(v.subarray(0, 90), tris.subarray(0, 30), 100, 80);
  assert.deepEqual(again.triangleIds, fresh.triangleIds);
  assert.deepEqual(again.depth, fresh.depth);
  assert.deepEqual(again.barycentrics, fresh.barycentrics);
  for (let p = 0; p < 100 * 80; p++) {
    if (fresh.triangleIds[p] < 0) {
      assert.equal(fresh.depth[p], Infinity);
      assert.equal(fresh.barycentrics[3 * p], 0);
    }
  }
  assert.equal(coverageMask(fresh).reduce((a, b) => a + b, 0), countCovered(fresh));
});

test('an occluded vertex is reported invisible; visible ones visible', () => {
  // Back quad at depth 10 with a vertex at (30, 30) (and some extra far vertices); front quad at depth 2
  // covering (20..40)^2.
  const v = new Float32Array([
    // back triangle fan around the vertex at (30, 30)
    30, 30, 10, 5, 5, 10, 60, 5, 10, 60, 60, 10, 5, 60, 10,
    // front quad
    20, 20, 2, 40, 20, 2, 40, 40, 2, 20, 40, 2,
  ]);
  const tris = new Uint32Array([0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 1, 5, 6, 7, 5, 7, 8]);
  const r = rasterize(v, tris, 64, 64);
  const vis = vertexVisibility(v, tris, r);
  assert.equal(vis[0], 0, 'centre of the back fan is hidden behind the front quad');
  for (const i of [1, 2, 3, 4, 5, 6, 7, 8]) assert.equal(vis[i], 1, `vertex ${i}`);
  // Outside the image: invisible.
  const v2 = v.slice();
  v2[3] = -5;
  const vis2 = vertexVisibility(v2, tris, rasterize(v2, tris, 64, 64));
  assert.equal(vis2[1], 0);
  // Every triangle here has a positive signed area in pixel coordinates ('ccw' in the rasterizer's terms),
  // so with the default front face ('cw') all are back-facing and requireFrontFacing hides every vertex.
  const area = (t: number): number => {
    const [a, b, c] = [tris[3 * t], tris[3 * t + 1], tris[3 * t + 2]];
    return (v[3 * b] - v[3 * a]) * (v[3 * c + 1] - v[3 * a + 1]) - (v[3 * b + 1] - v[3 * a + 1]) * (v[3 * c] - v[3 * a]);
  };
  for (let t = 0; t < tris.length / 3; t++) assert.ok(area(t) > 0);
  assert.deepEqual(Array.from(vertexVisibility(v, tris, r, { requireFrontFacing: true })), new Array(9).fill(0));
  assert.deepEqual(vertexVisibility(v, tris, r, { requireFrontFacing: true, frontFace: 'ccw' }), vis);
});

test('interpolateAttributes fills the background and handles any channel count', () => {
  const v = new Float32Array([2, 2, 1, 14, 2, 1, 2, 14, 1]);
  const tris = new Uint32Array([0, 1, 2]);
  const r = rasterize(v, tris, 16, 16);
  const attrs = new Float32Array([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
  const out = interpolateAttributes(r, tris, attrs, 5, { background: [9, 8, 7, 6, 5] });
  assert.equal(out.length, 16 * 16 * 5);
  const inside = 4 * 16 + 4;
  assert.deepEqual(Array.from(out.subarray(inside * 5, inside * 5 + 5)).map((x) => Math.round(x * 1e5) / 1e5), [1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(out.subarray(15 * 16 * 5 + 15 * 5, 16 * 16 * 5)), [9, 8, 7, 6, 5]);
});
