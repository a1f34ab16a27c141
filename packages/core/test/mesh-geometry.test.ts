import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeVertexNormals,
  computeFaceNormals,
  computeVertexAdjacency,
  computeEdges,
  computeVertexTriangles,
  computeBoundingBox,
  boundingBoxCenter,
  boundingBoxDiagonal,
  uniformLaplacian,
  cotangentLaplacian,
  multiplySparseDense,
  applyLaplacian,
  sparseRowSums,
  mixedVoronoiAreas,
  barycentricVertexAreas,
  triangleAreas,
  createIcosphere,
  createGrid,
  validateMesh,
} from '../src/mesh/index.js';

test('createIcosphere has the expected counts, unit radius and outward winding', () => {
  for (let n = 0; n <= 3; n++) {
    const m = createIcosphere(n);
    validateMesh(m);
    assert.equal(m.positions.length / 3, 10 * 4 ** n + 2);
    assert.equal(m.triangles.length / 3, 20 * 4 ** n);
    for (let i = 0; i < m.positions.length; i += 3) {
      assert.ok(Math.abs(Math.hypot(m.positions[i], m.positions[i + 1], m.positions[i + 2]) - 1) < 1e-6);
    }
    // Closed manifold: Euler characteristic 2, every edge shared by two triangles.
    const e = computeEdges(m.triangles, m.positions.length / 3).length / 2;
    assert.equal(m.positions.length / 3 - e + m.triangles.length / 3, 2);
    const fn = computeFaceNormals(m.positions, m.triangles);
    for (let f = 0; f < m.triangles.length / 3; f++) {
      const c = m.triangles[3 * f] * 3;
      const dot = fn[3 * f] * m.positions[c] + fn[3 * f + 1] * m.positions[c + 1] + fn[3 * f + 2] * m.positions[c + 2];
      assert.ok(dot > 0.5, 'face normal points outwards');
    }
  }
  assert.throws(() => createIcosphere(-1), RangeError);
  const s = createIcosphere(1, { radius: 2, center: [1, 2, 3] });
  const box = computeBoundingBox(s.positions);
  assert.deepEqual(boundingBoxCenter(box).map((v) => Math.round(v * 1e5) / 1e5), [1, 2, 3]);
});

test('vertex normals of a sphere are radial; face normals are unit', () => {
  const m = createIcosphere(3, { radius: 3 });
  const n = computeVertexNormals(m.positions, m.triangles);
  let worst = 1;
  for (let i = 0; i < n.length; i += 3) {
    const r = Math.hypot(m.positions[i], m.positions[i + 1], m.positions[i + 2]);
    const dot = (n[i] * m.positions[i] + n[i + 1] * m.positions[i + 1] + n[i + 2] * m.positions[i + 2]) / r;
    worst = Math.min(worst, dot);
    assert.ok(Math.abs(Math.hypot(n[i], n[i + 1], n[i + 2]) - 1) < 1e-6);
  }
  assert.ok(worst > 0.999, `worst cosine ${worst}`);
  const out = new Float32Array(n.length);
  assert.equal(computeVertexNormals(m.positions, m.triangles, out), out);
});

test('normals are area weighted and zero-area safe', () => {
  // Vertex 0 touches a large triangle in the z=0 plane and a tiny one in the x=0 plane.
  const positions = Float32Array.of(0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 0.1, 0, 0.1, 0, 5, 5, 5);
  const triangles = Uint32Array.of(0, 1, 2, 0, 4, 3, 5, 5, 5);
  const n = computeVertexNormals(positions, triangles);
  // Sum = (0,0,100) + (0.01,0,0) normalised.
  const len = Math.hypot(0.01, 100);
  assert.ok(Math.abs(n[0] - 0.01 / len) < 1e-6 && Math.abs(n[2] - 100 / len) < 1e-6);
  assert.deepEqual(Array.from(n.subarray(15, 18)), [0, 0, 0]); // vertex 5 only in a degenerate triangle
  const fn = computeFaceNormals(positions, triangles);
  assert.deepEqual(Array.from(fn.subarray(6, 9)), [0, 0, 0]);
  assert.ok(Array.from(n).every(Number.isFinite));
});

test('adjacency, edges and vertex-triangle incidence of a grid', () => {
  const g = createGrid(3, 2);
  validateMesh(g);
  const nv = 12;
  assert.equal(g.positions.length / 3, nv);
  const adj = computeVertexAdjacency(g.triangles, nv);
  // Interior vertex (1,1) = index 5: neighbours left/right/up/down plus two diagonals.
  const row = Array.from(adj.neighbours.subarray(adj.offsets[5], adj.offsets[6]));
  assert.deepEqual(row, [0, 1, 4, 6, 9, 10]);
  for (let i = 0; i < nv; i++) {
    for (let k = adj.offsets[i]; k < adj.offsets[i + 1]; k++) {
      const j = adj.neighbours[k];
      const back = Array.from(adj.neighbours.subarray(adj.offsets[j], adj.offsets[j + 1]));
      assert.ok(back.includes(i), 'symmetric');
    }
  }
  const edges = computeEdges(g.triangles, nv, adj);
  // 3x2 cells: horizontal 3*3, vertical 4*2, diagonals 6.
  assert.equal(edges.length / 2, 9 + 8 + 6);
  for (let e = 0; e < edges.length; e += 2) assert.ok(edges[e] < edges[e + 1]);
  const vt = computeVertexTriangles(g.triangles, nv);
  assert.equal(vt.triangles.length, g.triangles.length);
  for (let v = 0; v < nv; v++) {
    for (let k = vt.offsets[v]; k < vt.offsets[v + 1]; k++) {
      const f = vt.triangles[k];
      assert.ok([0, 1, 2].some((c) => g.triangles[3 * f + c] === v));
    }
  }
  assert.throws(() => computeVertexAdjacency(g.triangles, 5), RangeError);
});

test('bounding box and grid geometry', () => {
  const g = createGrid(4, 2, { width: 2, height: 1, z: 0.5 });
  const box = computeBoundingBox(g.positions);
  assert.deepEqual(box, { min: [-1, -0.5, 0.5], max: [1, 0.5, 0.5] });
  assert.ok(Math.abs(boundingBoxDiagonal(box) - Math.sqrt(5)) < 1e-12);
  // CCW seen from +z
  const fn = computeFaceNormals(g.positions, g.triangles);
  for (let f = 0; f < fn.length; f += 3) assert.equal(fn[f + 2], 1);
  // Vertex (i, j) = (2, 2) has index 2 * 5 + 2 = 12 and uv (0.5, 1); vertex 14 = (4, 2) has uv (1, 1).
  assert.deepEqual([g.uvs?.[2 * 12], g.uvs?.[2 * 12 + 1]], [0.5, 1]);
  assert.deepEqual([g.uvs?.[2 * 14], g.uvs?.[2 * 14 + 1]], [1, 1]);
});

test('uniform Laplacian: rows sum to zero, diagonal is minus the degree, normalised variant', () => {
  const m = createIcosphere(2);
  const nv = m.positions.length / 3;
  const L = uniformLaplacian(m.triangles, nv);
  for (const s of sparseRowSums(L)) assert.equal(s, 0);
  const adj = computeVertexAdjacency(m.triangles, nv);
  for (let i = 0; i < nv; i++) {
    for (let k = L.rowOffsets[i]; k < L.rowOffsets[i + 1]; k++) {
      if (L.columns[k] === i) assert.equal(L.values[k], -(adj.offsets[i + 1] - adj.offsets[i]));
      if (k > L.rowOffsets[i]) assert.ok(L.columns[k] > L.columns[k - 1], 'sorted columns');
    }
  }
  const Ln = uniformLaplacian(m.triangles, nv, { normalize: true });
  for (const s of sparseRowSums(Ln)) assert.ok(Math.abs(s) < 1e-12);
  // Constant function -> zero.
  const ones = new Float64Array(nv).fill(1);
  const r = multiplySparseDense(Ln, ones, 1, new Float64Array(nv));
  assert.ok(r.every((v) => Math.abs(v) < 1e-12));
});

test('cotangent Laplacian is zero on linear functions at interior grid vertices', () => {
  const g = createGrid(6, 5, { width: 3, height: 2 });
  // Perturb interior vertices in-plane so the test is not about a regular lattice only.
  const p = g.positions;
  for (let j = 1; j < 5; j++) {
    for (let i = 1; i < 6; i++) {
      const v = j * 7 + i;
      p[3 * v] += 0.05 * Math.sin(v * 1.7);
      p[3 * v + 1] += 0.05 * Math.cos(v * 2.3);
    }
  }
  const L = cotangentLaplacian(p, g.triangles);
  for (const s of sparseRowSums(L)) assert.ok(Math.abs(s) < 1e-12);
  // f = 2x - 3y + 1, three linear functions as columns: x, y, f.
  const nv = p.length / 3;
  const f = new Float64Array(nv * 3);
  for (let v = 0; v < nv; v++) {
    f[3 * v] = p[3 * v];
    f[3 * v + 1] = p[3 * v + 1];
    f[3 * v + 2] = 2 * p[3 * v] - 3 * p[3 * v + 1] + 1;
  }
  const lf = applyLaplacian(L, f, 3, new Float64Array(nv * 3));
  for (let j = 1; j < 5; j++) {
    for (let i = 1; i < 6; i++) {
      const v = j * 7 + i;
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(lf[3 * v + c]) < 1e-6, `vertex ${v}: ${lf[3 * v + c]}`);
    }
  }
  // Symmetric.
  for (let i = 0; i < nv; i++) {
    for (let k = L.rowOffsets[i]; k < L.rowOffsets[i + 1]; k++) {
      const j = L.columns[k];
      let found = NaN;
      for (let q = L.rowOffsets[j]; q < L.rowOffsets[j + 1]; q++) if (L.columns[q] === i) found = L.values[q];
      assert.ok(Math.abs(found - L.values[k]) < 1e-12);
    }
  }
});

test('cotangent Laplacian of a sphere is the mean-curvature normal 2/r times the Voronoi area', () => {
  const r = 2;
  const m = createIcosphere(4, { radius: r });
  const nv = m.positions.length / 3;
  const L = cotangentLaplacian(m.positions, m.triangles);
  const A = mixedVoronoiAreas(m.positions, m.triangles);
  const lx = multiplySparseDense(L, m.positions, 3, new Float64Array(nv * 3));
  let maxRel = 0;
  for (let v = 0; v < nv; v++) {
    const x = m.positions[3 * v], y = m.positions[3 * v + 1], z = m.positions[3 * v + 2];
    const mag = Math.hypot(lx[3 * v], lx[3 * v + 1], lx[3 * v + 2]);
    const expected = (2 / r) * A[v];
    maxRel = Math.max(maxRel, Math.abs(mag - expected) / expected);
    // Points inwards (towards the centre).
    assert.ok(lx[3 * v] * x + lx[3 * v + 1] * y + lx[3 * v + 2] * z < 0);
  }
  assert.ok(maxRel < 0.02, `max relative error ${maxRel}`);
  // Areas tile the surface and approach 4 pi r^2.
  const total = A.reduce((s, a) => s + a, 0);
  const triTotal = triangleAreas(m.positions, m.triangles).reduce((s, a) => s + a, 0);
  assert.ok(Math.abs(total - triTotal) < 1e-9 * triTotal);
  assert.ok(Math.abs(total - 4 * Math.PI * r * r) / (4 * Math.PI * r * r) < 0.01);
  const bary = barycentricVertexAreas(m.positions, m.triangles).reduce((s, a) => s + a, 0);
  assert.ok(Math.abs(bary - triTotal) < 1e-9 * triTotal);
});

test('mixed Voronoi areas of an obtuse triangle', () => {
  const p = Float32Array.of(0, 0, 0, 4, 0, 0, 2, 0.5, 0);
  const A = mixedVoronoiAreas(p, Uint32Array.of(0, 1, 2));
  assert.deepEqual(Array.from(A), [0.25, 0.25, 0.5]); // area 1: obtuse corner 2 gets half, the others a quarter
});

test('multiplySparseDense validates sizes and handles degenerate triangles', () => {
  const p = Float32Array.of(0, 0, 0, 1, 0, 0, 2, 0, 0);
  const L = cotangentLaplacian(p, Uint32Array.of(0, 1, 2));
  assert.ok(Array.from(L.values).every((v) => v === 0));
  assert.throws(() => multiplySparseDense(L, new Float32Array(3), 3), RangeError);
});
