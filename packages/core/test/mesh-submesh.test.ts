import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createGrid,
  createIcosphere,
  extractRegion,
  extractVertexRange,
  extractTriangles,
  extractTriangleRange,
  regionTriangles,
  scatterToFull,
  evaluateEmbedding,
  embeddingFromVertices,
  embeddingNearestVertices,
  validateMesh,
  type Mesh,
} from '../src/mesh/index.js';
import type { LandmarkEmbedding } from '../src/plugin/face-model.js';

/** Sorted list of triangles as vertex-position triples, to compare meshes independently of indices. */
function triangleKeys(m: Mesh): string[] {
  const keys: string[] = [];
  for (let f = 0; f < m.triangles.length; f += 3) {
    const pts = [0, 1, 2].map((k) => Array.from(m.positions.subarray(m.triangles[f + k] * 3, m.triangles[f + k] * 3 + 3)).join(','));
    keys.push(pts.join('|')); // keep corner order: winding must be preserved
  }
  return keys;
}

test('extractRegion keeps exactly the triangles inside the region, with positions, normals and uvs', () => {
  const g = createGrid(4, 4);
  g.colors = new Float32Array(g.positions.length).map((_, i) => i / 100);
  // Left half of the grid: columns 0..2.
  const verts: number[] = [];
  for (let j = 0; j <= 4; j++) for (let i = 0; i <= 2; i++) verts.push(j * 5 + i);
  const sub = extractRegion(g, verts);
  validateMesh(sub.mesh);
  assert.equal(sub.mesh.positions.length / 3, verts.length);
  assert.equal(sub.mesh.triangles.length / 3, 2 * 2 * 4);
  assert.deepEqual(Array.from(sub.vertexMap), verts);
  for (let i = 0; i < verts.length; i++) {
    assert.equal(sub.inverseVertexMap[verts[i]], i);
    for (let c = 0; c < 3; c++) {
      assert.equal(sub.mesh.positions[3 * i + c], g.positions[3 * verts[i] + c]);
      assert.equal(sub.mesh.normals?.[3 * i + c], g.normals?.[3 * i + c]);
      assert.equal(sub.mesh.colors?.[3 * i + c], g.colors[3 * verts[i] + c]);
    }
    assert.equal(sub.mesh.uvs?.[2 * i], g.uvs?.[2 * verts[i]]);
  }
  assert.equal(sub.inverseVertexMap[3], -1);
  // Every kept triangle equals its source triangle.
  const srcKeys = triangleKeys(g);
  const subKeys = triangleKeys(sub.mesh);
  for (let f = 0; f < sub.triangleMap.length; f++) assert.equal(subKeys[f], srcKeys[sub.triangleMap[f]]);
  assert.deepEqual(Array.from(sub.triangleMap), Array.from(regionTriangles(g.triangles, verts, 25)));
  assert.throws(() => extractRegion(g, [1, 1]), RangeError);
  assert.throws(() => extractRegion(g, [99]), RangeError);
});

test('extractRegion keeps seam UVs (uvTriangles) compacted', () => {
  const m: Mesh = {
    positions: Float32Array.of(0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0),
    triangles: Uint32Array.of(0, 1, 2, 0, 2, 3),
    uvs: Float32Array.of(0, 0, 0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4, 0.5, 0.5),
    uvTriangles: Uint32Array.of(0, 1, 2, 3, 4, 5),
  };
  const sub = extractRegion(m, [0, 2, 3]);
  validateMesh(sub.mesh);
  assert.deepEqual(Array.from(sub.mesh.triangles), [0, 1, 2]);
  assert.deepEqual(Array.from(sub.mesh.uvTriangles ?? []), [0, 1, 2]);
  assert.deepEqual(Array.from(sub.mesh.uvs ?? []).map((v) => Math.round(v * 10) / 10), [0.3, 0.3, 0.4, 0.4, 0.5, 0.5]);
});

test('vertex and triangle ranges', () => {
  const s = createIcosphere(2);
  const part = extractVertexRange(s, 0, 42);
  validateMesh(part.mesh);
  assert.equal(part.mesh.positions.length / 3, 42);
  for (let f = 0; f < part.triangleMap.length; f++) {
    for (let k = 0; k < 3; k++) assert.ok(s.triangles[3 * part.triangleMap[f] + k] < 42);
  }
  const tr = extractTriangleRange(s, 10, 30);
  validateMesh(tr.mesh);
  assert.equal(tr.mesh.triangles.length / 3, 20);
  for (let i = 1; i < tr.vertexMap.length; i++) assert.ok(tr.vertexMap[i] > tr.vertexMap[i - 1], 'source order kept');
  const a = triangleKeys(tr.mesh);
  const b = triangleKeys(s).slice(10, 30);
  assert.deepEqual(a, b);
  const picked = extractTriangles(s, [5, 3]);
  assert.deepEqual(Array.from(picked.triangleMap), [5, 3]);
  assert.throws(() => extractTriangleRange(s, 0, 1e6), RangeError);
  // Scatter back.
  const full = s.positions.slice();
  const moved = part.mesh.positions.map((v) => v * 2);
  scatterToFull(moved, part.vertexMap, full);
  assert.equal(full[0], s.positions[0] * 2);
  assert.equal(full[42 * 3], s.positions[42 * 3]);
});

test('evaluateEmbedding matches a manual barycentric combination', () => {
  const s = createIcosphere(1, { radius: 1.5 });
  const emb: LandmarkEmbedding = {
    faces: Uint32Array.of(0, 7, 33),
    barycentrics: Float32Array.of(0.2, 0.3, 0.5, 1, 0, 0, 0.1, 0.1, 0.8),
  };
  const out = evaluateEmbedding(s.positions, s.triangles, emb);
  for (let l = 0; l < 3; l++) {
    const f = emb.faces[l];
    for (let c = 0; c < 3; c++) {
      let e = 0;
      for (let k = 0; k < 3; k++) e += emb.barycentrics[3 * l + k] * s.positions[3 * s.triangles[3 * f + k] + c];
      assert.ok(Math.abs(out[3 * l + c] - e) < 1e-6);
    }
  }
  assert.throws(() => evaluateEmbedding(s.positions, s.triangles, { faces: Uint32Array.of(9999), barycentrics: Float32Array.of(1, 0, 0) }), RangeError);
  assert.throws(() => evaluateEmbedding(s.positions, s.triangles, { faces: Uint32Array.of(0), barycentrics: Float32Array.of(1, 0) }), RangeError);
});

test('embeddingFromVertices reproduces the vertices exactly', () => {
  const s = createIcosphere(2);
  const verts = [0, 5, 17, 100, 161];
  const emb = embeddingFromVertices(s.triangles, verts, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(emb.labels, ['a', 'b', 'c', 'd', 'e']);
  const out = evaluateEmbedding(s.positions, s.triangles, emb);
  for (let i = 0; i < verts.length; i++) {
    for (let c = 0; c < 3; c++) assert.equal(out[3 * i + c], s.positions[3 * verts[i] + c]);
    const w = Array.from(emb.barycentrics.subarray(3 * i, 3 * i + 3));
    assert.deepEqual(w.slice().sort(), [0, 0, 1]);
  }
  assert.deepEqual(Array.from(embeddingNearestVertices(s.triangles, emb)), verts);
  assert.throws(() => embeddingFromVertices(Uint32Array.of(0, 1, 2), [3]), RangeError);
});
