import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registries, type ParameterValues } from '@facekit/core';
import { FlameModel, parseDecaEmbedding, parseDynamicEmbedding, parseFlameModel, parseStaticEmbedding } from '@facekit/flame';
import { expected, fixture, maxAbsDiff, type ExpectedCase } from './helpers.js';

const data = () => parseFlameModel(fixture('tiny_model_py2.pkl'), { shapeComponents: expected.shapeCount });
const landmarks = {
  static: parseStaticEmbedding(fixture('flame_static_embedding.pkl')),
  dynamic: parseDynamicEmbedding(fixture('flame_dynamic_embedding.npy')),
};
const paramsOf = (c: ExpectedCase): ParameterValues => ({ shape: c.shape, expression: c.expression, pose: c.pose, translation: c.translation });

for (const simd of [true, false]) {
  test(`decoder matches the NumPy reference LBS (${simd ? 'simd' : 'js'} kernel)`, () => {
    const model = new FlameModel(data(), { landmarks, simd });
    if (!simd) assert.equal(model.backend, 'js');
    const out = new Float32Array(model.vertexCount * 3);
    for (const c of expected.cases) {
      const v = model.decode(paramsOf(c), out);
      assert.equal(v, out);
      const err = maxAbsDiff(v, c.vertices);
      assert.ok(err < 1e-5, `${c.name}: max abs error ${err}`);
    }
  });
}

test('every model file format decodes identically', () => {
  const c = expected.cases[1];
  for (const file of ['tiny_model_py3.pkl', 'tiny_model.npz']) {
    const model = new FlameModel(parseFlameModel(fixture(file), { shapeComponents: 6 }));
    assert.ok(maxAbsDiff(model.decode(paramsOf(c)), c.vertices) < 1e-5, file);
  }
});

test('zero parameters give the template', () => {
  const model = new FlameModel(data());
  assert.ok(maxAbsDiff(model.decode({}), expected.vTemplate) < 1e-7);
  assert.ok(maxAbsDiff(model.decode({ shape: [0, 0], pose: new Float32Array(15) }), expected.vTemplate) < 1e-7);
});

test('closed form: a pure jaw rotation rotates jaw-weighted vertices about the jaw joint, others stay', () => {
  const d = data();
  d.posedirs.fill(0); // pose correctives off
  const model = new FlameModel(d);
  const a = 0.4;
  const v = model.decode({ jaw: [a, 0, 0] });
  const J = 5, V = model.vertexCount;
  const jaw = model.joints({}).subarray(6, 9);
  const c = Math.cos(a), s = Math.sin(a);
  let moved = 0;
  for (let i = 0; i < V; i++) {
    const w = d.weights[i * J + 2];
    const x = d.vTemplate[i * 3], y = d.vTemplate[i * 3 + 1], z = d.vTemplate[i * 3 + 2];
    const got = [v[i * 3], v[i * 3 + 1], v[i * 3 + 2]];
    if (w === 0) {
      assert.ok(maxAbsDiff(got, [x, y, z]) < 1e-7, `vertex ${i} has no jaw weight but moved`);
    } else if (w === 1) {
      const py = y - jaw[1], pz = z - jaw[2];
      const want = [x, jaw[1] + c * py - s * pz, jaw[2] + s * py + c * pz];
      assert.ok(maxAbsDiff(got, want) < 1e-6, `vertex ${i} is not rotated by ${a} about the jaw joint`);
      moved++;
    } else {
      assert.ok(maxAbsDiff(got, [x, y, z]) > 0, `vertex ${i} with jaw weight ${w} did not move`);
    }
  }
  assert.ok(moved >= 3);
  // The `pose` block and the `jaw` alias are the same thing.
  const viaPose = model.decode({ pose: [0, 0, 0, 0, 0, 0, a, 0, 0] });
  assert.ok(maxAbsDiff(viaPose, v) === 0);
});

test('translation moves every vertex', () => {
  const model = new FlameModel(data());
  const v = model.decode({ translation: [0.1, -0.2, 0.3] });
  for (let i = 0; i < model.vertexCount; i++) {
    assert.ok(Math.abs(v[i * 3] - expected.vTemplate[i * 3] - 0.1) < 1e-6);
    assert.ok(Math.abs(v[i * 3 + 2] - expected.vTemplate[i * 3 + 2] - 0.3) < 1e-6);
  }
});

test('68 landmarks: contour bin by yaw exactly as DECA, then barycentric interpolation', () => {
  const model = new FlameModel(data(), { landmarks });
  for (const c of expected.cases) {
    assert.equal(model.contourBin(paramsOf(c)), c.bin, `${c.name}: bin`);
    if (!c.landmarks68) continue;
    const lmk = model.landmarks68For(paramsOf(c));
    assert.ok(maxAbsDiff(lmk, c.landmarks68) < 1e-5, `${c.name}: landmarks`);
    // Reusing decoded vertices gives the same answer.
    const verts = model.decode(paramsOf(c));
    assert.ok(maxAbsDiff(model.landmarks68For(paramsOf(c), verts), lmk) === 0);
  }
  const bins = new Set(expected.cases.map((c) => c.bin));
  assert.ok(bins.has(78) && bins.has(39), 'fixture covers both clamps');
  assert.equal(model.landmarks68?.faces.length, 68);
});

test('DECA embedding: dynamic + static, or the fixed full 68', () => {
  const deca = parseDecaEmbedding(fixture('landmark_embedding.npy'));
  const model = new FlameModel(data(), { landmarks: deca });
  const c = expected.cases.find((x) => x.landmarks68)!;
  assert.ok(maxAbsDiff(model.landmarks68For(paramsOf(c)), c.landmarks68!) < 1e-5);
  assert.deepEqual(Array.from(model.landmarks68!.faces), expected.full.faces);
  const fullOnly = new FlameModel(data(), { landmarks: { full: deca.full } });
  assert.equal(fullOnly.landmarks68For({}).length, 204);
  assert.throws(() => new FlameModel(data()).landmarks68For({}), /no 68-point landmark embedding/);
});

test('parameter spec and validation', () => {
  const model = new FlameModel(data());
  assert.deepEqual(model.parameters.map((p) => [p.name, p.size]), [['shape', 6], ['expression', 4], ['pose', 15], ['translation', 3]]);
  assert.equal(model.parameters[0].prior?.std, 1);
  assert.equal(model.units, 'm');
  assert.equal(model.topology.triangles.length, expected.triangleCount * 3);
  assert.throws(() => model.decode({ shape: new Array(7).fill(0) }), /at most 6/);
  assert.throws(() => model.decode({ albedo: [1] }), /unknown FLAME parameter block 'albedo'/);
  assert.throws(() => model.decode({ jaw: [1, 2] }), /takes 3 values/);
  const truncated = new FlameModel(data(), { shapeComponents: 2, expressionComponents: 1 });
  assert.deepEqual(truncated.parameters.map((p) => p.size), [2, 1, 15, 3]);
  const c = expected.cases.find((x) => x.name === 'truncated')!;
  const full = model.decode(paramsOf(c));
  const t = truncated.decode({ shape: c.shape.slice(0, 2), expression: c.expression.slice(0, 1), pose: c.pose });
  const manual = model.decode({ shape: c.shape.slice(0, 2), expression: c.expression.slice(0, 1), pose: c.pose });
  assert.ok(maxAbsDiff(t, manual) < 1e-6);
  assert.ok(maxAbsDiff(full, c.vertices) < 1e-5);
});

test('importing the package registers the flame model', async () => {
  assert.ok(registries.models.has('flame'));
  const info = (await registries.models.describe()).find((p) => p.name === 'flame')!;
  assert.equal(info.requires[0].source, 'https://flame.is.tue.mpg.de');
  if (!process.env.FACEKIT_FLAME) {
    // No model on CI machines: the reason points at the download page.
    const prev = process.env.FACEKIT_FLAME;
    process.env.FACEKIT_FLAME = '/nonexistent/flame/generic_model.pkl';
    const again = (await registries.models.describe()).find((p) => p.name === 'flame')!;
    process.env.FACEKIT_FLAME = prev;
    if (prev === undefined) delete process.env.FACEKIT_FLAME;
    assert.equal(again.available, false);
    assert.match(again.reasons.join(' '), /flame\.is\.tue\.mpg\.de/);
  }
});
