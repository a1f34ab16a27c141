import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, MissingFileError } from '@facekit/core';
import {
  parseBfmAlbedo,
  parseDecaEmbedding,
  parseDynamicEmbedding,
  parseFlameModel,
  parseFlameTexture,
  parseLandmarkEmbedding,
  parseStaticEmbedding,
  decodeTexture,
} from '@facekit/flame';
import { loadFlame, loadFlameModelData, loadLandmarkEmbeddings, resolveFlameModelPath, defaultFlamePath } from '@facekit/flame/node';
import { expected, fixture, fixturePath, maxAbsDiff } from './helpers.js';

const MODEL_FILES = ['tiny_model_py2.pkl', 'tiny_model_py3.pkl', 'tiny_model.npz'];

for (const file of MODEL_FILES) {
  test(`model loader reads ${file}`, () => {
    const m = parseFlameModel(fixture(file), { name: file, shapeComponents: expected.shapeCount });
    assert.equal(m.vertexCount, expected.vertexCount);
    assert.equal(m.jointCount, 5);
    assert.equal(m.shapeCount, expected.shapeCount);
    assert.equal(m.expressionCount, expected.expressionCount);
    assert.deepEqual(Array.from(m.parents), expected.parents);
    assert.deepEqual(Array.from(m.faces), expected.faces);
    assert.ok(maxAbsDiff(m.vTemplate, expected.vTemplate) < 1e-7);
    assert.ok(maxAbsDiff(m.weights, expected.weights) < 1e-7);
    const K = expected.shapeCount + expected.expressionCount;
    assert.ok(maxAbsDiff(m.shapedirs.subarray(0, K), expected.shapedirs00) < 1e-7);
    // posedirs is Fortran-ordered in the pickles: the first and last rows prove the transpose.
    assert.ok(maxAbsDiff(m.posedirs.subarray(0, 36), expected.posedirs00) < 1e-7);
    assert.ok(maxAbsDiff(m.posedirs.subarray(m.posedirs.length - 36), expected.posedirsLast) < 1e-7);
    // J_regressor (sparse in the pickles, dense in the npz) regresses the expected template joints.
    const joints = new Float64Array(15);
    for (let j = 0; j < 5; j++) for (let v = 0; v < m.vertexCount; v++) for (let c = 0; c < 3; c++) {
      joints[j * 3 + c] += m.jRegressor[j * m.vertexCount + v] * m.vTemplate[v * 3 + c];
    }
    assert.ok(maxAbsDiff(joints, expected.joints) < 1e-6);
  });
}

test('model loader: default split is min(300, K) shape components', () => {
  const m = parseFlameModel(fixture('tiny_model.npz'));
  assert.equal(m.shapeCount, 10);
  assert.equal(m.expressionCount, 0);
});

test('model loader: wrong keys, wrong shapes and truncation give specific errors', () => {
  assert.throws(
    () => parseFlameModel(fixture('flame_static_embedding.pkl'), { name: 'generic_model.pkl' }),
    (e: unknown) => e instanceof FormatError && e.message === "generic_model.pkl: key 'v_template' missing — is this a FLAME model file?",
  );
  const good = fixture('tiny_model_py2.pkl');
  assert.throws(() => parseFlameModel(good.subarray(0, good.length - 40), { name: 'generic_model.pkl' }), /generic_model\.pkl: truncated pickle/);
  assert.throws(() => parseFlameModel(fixture('npy/f4_le.npy'), { name: 'x.pkl' }), /not a dict — is this a FLAME model file\?/);
  assert.throws(() => parseFlameModel(Uint8Array.from([1, 2, 3]), { name: 'junk.pkl' }), /junk\.pkl: neither a Python pickle nor a NumPy/);
  assert.throws(() => parseFlameModel(fixture('FLAME_texture.npz'), { name: 'tex.npz' }), /tex\.npz: key 'v_template' missing/);
  assert.throws(() => parseFlameModel(fixture('tiny_model.npz'), { shapeComponents: 11 }), /shapeComponents 11/);
});

test('static, dynamic and DECA embeddings agree with each other and the generator', () => {
  const st = parseStaticEmbedding(fixture('flame_static_embedding.pkl'));
  assert.deepEqual(Array.from(st.faces), expected.static.faces);
  assert.ok(maxAbsDiff(st.barycentrics, expected.static.bary) < 1e-7);
  const dyn = parseDynamicEmbedding(fixture('flame_dynamic_embedding.npy'));
  assert.equal(dyn.bins, 79);
  assert.equal(dyn.points, 17);
  assert.deepEqual(Array.from(dyn.faces.subarray(0, 17)), expected.dynamic.faces0);
  assert.deepEqual(Array.from(dyn.faces.subarray(78 * 17)), expected.dynamic.facesLast);
  assert.ok(maxAbsDiff(dyn.barycentrics.subarray(0, 51), expected.dynamic.bary0) < 1e-7);
  const deca = parseDecaEmbedding(fixture('landmark_embedding.npy'));
  assert.deepEqual(Array.from(deca.static!.faces), expected.static.faces);
  // Torch tensors (int64 and a strided float32 view) decode to the same arrays as the numpy file.
  assert.deepEqual(Array.from(deca.dynamic!.faces), Array.from(dyn.faces));
  assert.ok(maxAbsDiff(deca.dynamic!.barycentrics, dyn.barycentrics) < 1e-6);
  assert.deepEqual(Array.from(deca.full!.faces), expected.full.faces);
  assert.ok(maxAbsDiff(deca.full!.barycentrics, expected.full.bary) < 1e-7);
  // Auto-detection by keys.
  assert.ok(parseLandmarkEmbedding(fixture('flame_static_embedding.pkl')).static);
  assert.ok(parseLandmarkEmbedding(fixture('flame_dynamic_embedding.npy')).dynamic);
  assert.ok(parseLandmarkEmbedding(fixture('landmark_embedding.npy')).full);
  assert.throws(() => parseLandmarkEmbedding(fixture('tiny_model_py3.pkl'), 'm.pkl'), /m\.pkl: not a FLAME landmark embedding/);
  assert.throws(() => parseStaticEmbedding(fixture('tiny_model_py3.pkl'), 'm.pkl'), /m\.pkl: key 'lmk_face_idx' missing/);
});

test('texture spaces: FLAME_texture.npz and FLAME_albedo_from_BFM.npz', () => {
  const tex = parseFlameTexture(fixture('FLAME_texture.npz'));
  assert.equal(tex.width, 4);
  assert.equal(tex.height, 4);
  assert.equal(tex.components, 5);
  assert.equal(tex.channelOrder, 'BGR');
  assert.ok(Math.abs(tex.scale - 1 / 255) < 1e-12);
  assert.ok(maxAbsDiff(tex.mean.subarray(0, 6), expected.texture.mean) < 1e-4);
  // Mode-major: texel 0 of component k sits at k * texels.
  const n = 4 * 4 * 3;
  assert.ok(maxAbsDiff([0, 1, 2, 3, 4].map((k) => tex.basis[k * n]), expected.texture.dir0) < 1e-4);
  const decoded = decodeTexture(tex, [1, 0, 0, 0, 0]);
  assert.ok(Math.abs(decoded[0] - (expected.texture.mean[0] + expected.texture.dir0[0])) < 1e-3);
  const few = parseFlameTexture(fixture('FLAME_texture.npz'), { components: 2 });
  assert.equal(few.basis.length, 2 * n);
  const bfm = parseBfmAlbedo(fixture('FLAME_albedo_from_BFM.npz'));
  assert.equal(bfm.width, 4);
  assert.equal(bfm.components, 4);
  assert.equal(bfm.scale, 1);
  assert.equal(bfm.specular?.components, 4);
  assert.equal(bfm.uvs?.length, 20);
  assert.equal(bfm.uvTriangles?.length, 18);
  assert.throws(() => parseBfmAlbedo(fixture('FLAME_texture.npz'), { name: 'a.npz' }), /a\.npz: key 'MU' missing/);
});

test('node: missing files give MissingFileError naming the FLAME website', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flame-'));
  await assert.rejects(loadFlameModelData(join(dir, 'generic_model.pkl')), (e: unknown) =>
    e instanceof MissingFileError && /flame\.is\.tue\.mpg\.de/.test(e.message) && /licence/.test(e.message));
  await assert.rejects(resolveFlameModelPath(dir), MissingFileError);
  assert.equal(defaultFlamePath({ FACEKIT_FLAME: '/x/y.pkl' }), '/x/y.pkl');
  assert.match(defaultFlamePath({}), /\.facekit[\\/]models[\\/]flame[\\/]generic_model\.pkl$/);
});

test('node: loadFlame finds the model and embeddings in a folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flame-'));
  copyFileSync(fixturePath('tiny_model_py2.pkl'), join(dir, 'generic_model.pkl'));
  copyFileSync(fixturePath('flame_static_embedding.pkl'), join(dir, 'flame_static_embedding.pkl'));
  copyFileSync(fixturePath('flame_dynamic_embedding.npy'), join(dir, 'flame_dynamic_embedding.npy'));
  const model = await loadFlame({ model: dir, fileShapeComponents: 6 });
  assert.equal(model.vertexCount, expected.vertexCount);
  assert.ok(model.embedding.static && model.embedding.dynamic);
  assert.equal(model.landmarks68?.faces.length, 68);
  const emb = await loadLandmarkEmbeddings([fixturePath('landmark_embedding.npy')]);
  assert.ok(emb.full && emb.static && emb.dynamic);
  writeFileSync(join(dir, 'generic_model.pkl'), 'garbage');
  await assert.rejects(loadFlame({ model: dir }), FormatError);
});
