/**
 * The MediaPipe topology data: counts, index ranges, manifoldness, consistent winding, UV symmetry; orientation
 * against the reference face (a canonical-frame mesh). Orientation on detected meshes is checked in
 * predictor.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFaceNormals, validateMesh } from '@facekit/core';
import {
  LEFT_EYE_CONTOUR,
  MEDIAPIPE_TRIANGLE_COUNT,
  MEDIAPIPE_VERTEX_COUNT,
  MOUTH_TRIANGLE_START,
  REFERENCE_FACE,
  REFERENCE_INTER_OCULAR_MM,
  RIGHT_EYE_CONTOUR,
  interOcularDistance,
  mediapipeMesh,
  mediapipeTriangles,
  mediapipeUVs,
  mirrorVertexMap,
} from '../src/index.js';

test('898 triangles over 468 vertices, every vertex used, 468 uvs in [0, 1]', () => {
  const tris = mediapipeTriangles();
  assert.equal(MEDIAPIPE_TRIANGLE_COUNT, 898);
  assert.equal(tris.length, 898 * 3);
  assert.equal(MOUTH_TRIANGLE_START, 880);
  const used = new Uint8Array(MEDIAPIPE_VERTEX_COUNT);
  for (const i of tris) {
    assert.ok(i < 468, `index ${i} out of range`);
    used[i] = 1;
  }
  assert.equal(used.reduce((a, b) => a + b, 0), 468, 'every vertex belongs to a triangle');
  const uvs = mediapipeUVs();
  assert.equal(uvs.length, 468 * 2);
  for (const v of uvs) assert.ok(v >= 0 && v <= 1);
  validateMesh(mediapipeMesh(Float32Array.from(REFERENCE_FACE)));
});

test('every edge is shared by at most 2 triangles, with opposite directions (consistent winding)', () => {
  const tris = mediapipeTriangles();
  const directed = new Set<string>();
  const count = new Map<string, number>();
  for (let t = 0; t < tris.length; t += 3) {
    const c = [tris[t], tris[t + 1], tris[t + 2]];
    assert.equal(new Set(c).size, 3, `triangle ${t / 3} is degenerate`);
    for (let k = 0; k < 3; k++) {
      const a = c[k], b = c[(k + 1) % 3];
      const key = `${a},${b}`;
      assert.ok(!directed.has(key), `directed edge ${key} appears twice: winding is inconsistent`);
      directed.add(key);
      const u = a < b ? `${a},${b}` : `${b},${a}`;
      count.set(u, (count.get(u) ?? 0) + 1);
    }
  }
  const boundary = [...count.values()].filter((n) => n === 1).length;
  assert.ok([...count.values()].every((n) => n <= 2));
  // One boundary loop: the face outline (36 edges); eyes and (with the added triangles) the mouth are closed.
  assert.equal(boundary, 36);
});

test('front faces are counter-clockwise: reference-face normals point towards +z', () => {
  const positions = Float32Array.from(REFERENCE_FACE);
  const normals = computeFaceNormals(positions, mediapipeTriangles());
  let front = 0;
  for (let t = 0; t < 898; t++) if (normals[3 * t + 2] > 0) front++;
  assert.ok(front / 898 > 0.85, `only ${front} of 898 triangle normals point towards +z`);
});

test('UV layout is left-right symmetric and the mirror map is an involution', () => {
  const uv = mediapipeUVs();
  const m = mirrorVertexMap();
  let self = 0;
  for (let i = 0; i < 468; i++) {
    assert.equal(m[m[i]], i);
    assert.ok(Math.abs(uv[2 * m[i]] - (1 - uv[2 * i])) < 2e-3 && Math.abs(uv[2 * m[i] + 1] - uv[2 * i + 1]) < 2e-3);
    if (m[i] === i) self++;
  }
  assert.equal(self, 28, 'midline vertices');
  for (let k = 0; k < RIGHT_EYE_CONTOUR.length; k++) assert.equal(m[RIGHT_EYE_CONTOUR[k]], LEFT_EYE_CONTOUR[k]);
  // Subject's right eye (33, outer corner) is on the image-left half of the texture.
  assert.ok(uv[2 * 33] < 0.5 && uv[2 * 263] > 0.5);
});

test('reference face: frontal, symmetric, in mm with the documented eye distance', () => {
  const ref = Float32Array.from(REFERENCE_FACE);
  assert.ok(Math.abs(interOcularDistance(ref) - REFERENCE_INTER_OCULAR_MM) < 0.05);
  const m = mirrorVertexMap();
  for (let i = 0; i < 468; i++) {
    const j = m[i];
    assert.ok(Math.abs(ref[3 * i] + ref[3 * j]) < 0.02 && Math.abs(ref[3 * i + 1] - ref[3 * j + 1]) < 0.02);
  }
  // Nose tip (1) in front, forehead (10) above the chin (152), subject's left eye corner (263) at +x.
  assert.ok(ref[3 * 1 + 2] > 25);
  assert.ok(ref[3 * 10 + 1] > ref[3 * 152 + 1] + 100);
  assert.ok(ref[3 * 263] > 30 && ref[3 * 33] < -30);
});
