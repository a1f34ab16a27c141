import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacekitError } from '@facekit/core';
import {
  LinearFaceModel,
  ParameterError,
  createRegionModel,
  decodeModelCache,
  encodeModelCache,
  indexRegion,
  rangeRegion,
  vertexLandmarkEmbedding,
} from '../src/index.js';

/** A tiny strip mesh: V vertices in a row, triangles (i, i+1, i+2). */
function tinyModel(V = 10): LinearFaceModel {
  const n = V * 3;
  const mean = Float32Array.from({ length: n }, (_, i) => i * 0.5);
  const Kid = 3, Kex = 2;
  const basis = Float32Array.from({ length: (Kid + Kex) * n }, (_, i) => Math.sin(i * 0.37));
  const tris: number[] = [];
  for (let i = 0; i + 2 < V; i++) tris.push(i, i + 1, i + 2);
  const triangles = Uint32Array.from(tris);
  const uvs = Float32Array.from({ length: V * 2 }, (_, i) => i / (V * 2));
  return new LinearFaceModel({
    id: 'tiny',
    name: 'Tiny',
    units: 'mm',
    mean,
    basis,
    blocks: [
      { name: 'identity', size: Kid, std: Float32Array.of(3, 2, 1) },
      { name: 'expression', size: Kex, std: 1, range: [0, 1], labels: ['smile', 'blink'] },
    ],
    triangles,
    uvs,
    uvTriangles: triangles.slice(),
    albedo: {
      block: 'albedo',
      mean: new Float32Array(n).fill(0.5),
      basis: Float32Array.from({ length: 2 * n }, (_, i) => Math.cos(i) * 0.1),
      size: 2,
      std: 1,
    },
    landmarks68: vertexLandmarkEmbedding([1, 4, 7], triangles, ['a', 'b', 'c']),
    regions: { face: rangeRegion(0, 5, triangles, 'front'), back: indexRegion([9, 7, 8], V, triangles) },
    attribution: 'test',
  });
}

function naiveDecode(m: LinearFaceModel, weights: number[]): Float32Array {
  const n = m.mean.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m.mean[i];
  weights.forEach((w, k) => {
    for (let i = 0; i < n; i++) out[i] += w * m.basis[k * n + i];
  });
  return Float32Array.from(out);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) (worst = d), (at = i);
  }
  assert.ok(worst <= tol, `${what}: max difference ${worst} at ${at} exceeds ${tol}`);
}

test('parameters list the blocks with priors, ranges and labels', () => {
  const m = tinyModel();
  assert.deepEqual(m.parameters.map((p) => `${p.name}[${p.size}]`), ['identity[3]', 'expression[2]', 'albedo[2]']);
  assert.deepEqual(m.parameters[1].range, [0, 1]);
  assert.deepEqual(m.parameters[1].labels, ['smile', 'blink']);
  assert.equal(m.parameters[1].prior?.std, 1);
  assert.deepEqual([...(m.parameters[0].prior!.std as Float32Array)], [3, 2, 1]);
  assert.equal(m.topology.vertexCount, 10);
});

test('decode: missing blocks are zero, short blocks are zero-padded, out is reused', () => {
  const m = tinyModel();
  assert.deepEqual(m.decode({}), m.mean);
  const out = new Float32Array(m.mean.length);
  const r = m.decode({ identity: [0.5, -1], expression: [0, 0.25] }, out);
  assert.equal(r, out);
  assertClose(out, naiveDecode(m, [0.5, -1, 0, 0, 0.25]), 1e-5);
  // The albedo block is a valid name; it does not change geometry.
  assertClose(m.decode({ identity: [0.5, -1], expression: [0, 0.25], albedo: [1, 1] }), out, 0);
});

test('decode: unknown blocks, too-long blocks, non-finite values and small outputs throw', () => {
  const m = tinyModel();
  assert.throws(() => m.decode({ shape: [1] }), (e: unknown) => {
    assert.ok(e instanceof ParameterError && e instanceof FacekitError);
    assert.match(e.message, /unknown parameter block "shape"/);
    assert.match(e.message, /identity\[3\], expression\[2\], albedo\[2\]/);
    return true;
  });
  assert.throws(() => m.decode({ identity: [1, 2, 3, 4] }), /block "identity" has 4 values, the model has 3/);
  assert.throws(() => m.decode({ expression: [Number.NaN] }), /not a finite number/);
  assert.throws(() => m.decode({}, new Float32Array(3)), /output holds 3 values/);
});

test('decodeAlbedo: mean + basis, via the AlbedoSpace too', () => {
  const m = tinyModel();
  const a = m.decodeAlbedo([1, -2]);
  const n = m.mean.length;
  for (const i of [0, 7, n - 1]) {
    const want = 0.5 + m.albedoData!.basis[i] - 2 * m.albedoData!.basis[n + i];
    assert.ok(Math.abs(a[i] - want) < 1e-6);
  }
  assert.deepEqual(m.albedo!.decode([1, -2]), a);
  assert.throws(() => m.decodeAlbedo([1, 2, 3]), /albedo/);
});

test('vertex landmark embedding puts weight 1 on the landmark vertex', () => {
  const m = tinyModel();
  const lm = m.landmarks68!;
  const tris = m.topology.triangles;
  [1, 4, 7].forEach((v, i) => {
    let sum = 0, picked = -1;
    for (let c = 0; c < 3; c++) {
      sum += lm.barycentrics[i * 3 + c];
      if (lm.barycentrics[i * 3 + c] === 1) picked = tris[lm.faces[i] * 3 + c];
    }
    assert.equal(sum, 1);
    assert.equal(picked, v);
  });
  assert.throws(() => vertexLandmarkEmbedding([99], tris), /on no triangle/);
});

test('subset / createRegionModel slice bases, topology, landmarks and regions', () => {
  const m = tinyModel();
  const w = { identity: [0.3, -0.7, 1.1], expression: [0.2, 0.9] };
  const full = m.decode(w);
  const sub = m.subset({ vertexCount: 6 });
  assert.equal(sub.vertexCount, 6);
  assert.equal(sub.id, 'tiny:6');
  assertClose(sub.decode(w), full.subarray(0, 18), 1e-6, 'first 6 vertices');
  // Triangles fully inside [0, 6): (0,1,2) .. (3,4,5)
  assert.deepEqual([...sub.topology.triangles], [0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5]);
  assert.equal(sub.topology.uvTriangles!.length, sub.topology.triangles.length);
  assert.equal(sub.landmarks68, undefined, 'landmark 7 is outside, so the embedding is dropped');
  assert.deepEqual([...sub.regions!.face.vertices], [0, 1, 2, 3, 4, 5]);
  assert.equal(sub.regions!.back, undefined);
  assertClose(sub.decodeAlbedo([1, 1]), m.decodeAlbedo([1, 1]).subarray(0, 18), 1e-6, 'albedo');

  const mid = createRegionModel(m, { start: 2, count: 7 });
  assertClose(mid.decode(w), full.subarray(6, 27), 1e-6, 'range 2..8');
  assert.equal(mid.landmarks68, undefined, 'landmark vertex 1 is outside [2, 9)');
  const list = m.subset({ vertices: [9, 3, 5] });
  const d = list.decode(w);
  assertClose(d, [...full.subarray(9, 12), ...full.subarray(15, 18), ...full.subarray(27, 30)], 1e-6, 'vertex list');
  const region = m.subset({ region: 'back' });
  assert.equal(region.vertexCount, 3);
  assert.throws(() => m.subset({ region: 'nope' }), /no region "nope"; regions: face, back/);
  assert.throws(() => m.subset({ vertexCount: 11 }), RangeError);
});

test('model cache: encode/decode round trip is exact and zero-copy', () => {
  const m = tinyModel();
  const bytes = encodeModelCache(m, { fingerprint: 'abc', extra: { source: 'tiny' } });
  const { model: r, fingerprint, extra } = decodeModelCache(bytes);
  assert.equal(fingerprint, 'abc');
  assert.deepEqual(extra, { source: 'tiny' });
  assert.equal(r.id, m.id);
  assert.equal(r.units, 'mm');
  assert.deepEqual(r.mean, m.mean);
  assert.deepEqual(r.basis, m.basis);
  assert.equal(r.basis.buffer, bytes.buffer, 'basis is a view over the file bytes');
  assert.deepEqual(r.topology, m.topology);
  assert.deepEqual(r.parameters, m.parameters);
  assert.deepEqual(r.landmarks68, m.landmarks68);
  assert.deepEqual(r.regions, m.regions);
  assert.deepEqual(r.albedoData!.basis, m.albedoData!.basis);
  assert.equal(r.attribution, 'test');
  assert.deepEqual(r.decode({ identity: [1, 2, 3] }), m.decode({ identity: [1, 2, 3] }));
  // Unaligned input still decodes (copies instead of views).
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual(decodeModelCache(shifted.subarray(1)).model.basis, m.basis);
  assert.throws(() => decodeModelCache(bytes.subarray(0, bytes.length - 100)), /truncated/);
  assert.throws(() => decodeModelCache(new Uint8Array(64)), /not a facekit model cache/);
});
