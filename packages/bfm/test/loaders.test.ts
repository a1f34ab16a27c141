import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, MissingFileError } from '@facekit/core';
import {
  detectContainer,
  isMat5,
  parseBfm2009,
  parseBfm2017,
  parseDeep3dBfm,
  parseLinearModel,
  readMat5,
  toRowMajor,
} from '../src/index.js';
import { detectModelPath, loadBfm2009File, loadBfm2017File, loadDeep3dBfmFile, loadLinearModel } from '../src/node/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, name)));
const expected = (name: string): Record<string, number[] | number> => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

function assertClose(actual: ArrayLike<number>, wanted: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, wanted.length, `${what}: length`);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - wanted[i]) / Math.max(1, Math.abs(wanted[i]));
    if (!(d <= worst)) (worst = d), (at = i);
  }
  assert.ok(worst <= tol, `${what}: max relative difference ${worst} at ${at} exceeds ${tol}`);
}

test('MAT v5 reader: header, variables, classes, column-major data', () => {
  const bytes = read('bfm2009_small.mat');
  assert.ok(isMat5(bytes));
  const mat = readMat5(bytes);
  assert.match(mat.header, /^MATLAB 5\.0 MAT-file/);
  assert.ok(mat.littleEndian);
  assert.deepEqual(mat.names, ['shapeMU', 'shapePC', 'shapeEV', 'texMU', 'texPC', 'texEV', 'tl', 'segbin']);
  const pc = mat.variables.get('shapePC')!;
  assert.equal(pc.class, 'single');
  assert.ok(pc.data instanceof Float32Array);
  assert.deepEqual(pc.dims, [144, 5]);
  const tl = mat.variables.get('tl')!;
  assert.equal(tl.class, 'double');
  assert.deepEqual(tl.dims, [70, 3]);
  const seg = mat.variables.get('segbin')!;
  assert.equal(seg.class, 'uint8');
  assert.ok(seg.data instanceof Uint8Array);
  // Row-major conversion of the F x 3 triangle matrix gives the triangles in order.
  const e = expected('bfm2009_small.expected.json');
  const rows = toRowMajor(tl.data as Float64Array, tl.dims);
  assert.deepEqual([...rows.subarray(0, 6)].map((x) => x - 1), (e.triangles as number[]).slice(0, 6));
  // The variables option skips decoding but still lists names.
  const only = readMat5(bytes, { variables: ['tl'] });
  assert.deepEqual([...only.variables.keys()], ['tl']);
  assert.equal(only.names.length, 8);
});

test('BFM 2009 layout: decode matches NumPy (um -> mm, colours / 255)', () => {
  const e = expected('bfm2009_small.expected.json');
  const m = parseBfm2009(read('bfm2009_small.mat'));
  assert.equal(m.id, 'bfm2009');
  assert.equal(m.units, 'mm');
  assert.equal(m.vertexCount, e.vertexCount);
  assert.equal(m.topology.triangles.length / 3, e.triangleCount);
  assert.deepEqual([...m.topology.triangles], e.triangles);
  assert.deepEqual(m.parameters.map((p) => `${p.name}[${p.size}]`), [`identity[${e.identitySize}]`, `albedo[${e.albedoSize}]`]);
  assertClose(m.decode({}), e.mean as number[], 1e-6, 'mean');
  assertClose(m.decode({ identity: e.identity as number[] }), e.vertices as number[], 1e-5, 'vertices');
  assertClose(m.decodeAlbedo(e.albedo as number[]), e.albedoRgb as number[], 1e-5, 'albedo');
  assert.match(m.attribution!, /Basel Face Model 2009/);

  const raw = parseBfm2009(read('bfm2009_small.mat'), { standardized: false, albedo: false });
  assert.equal(raw.albedo, undefined);
  assertClose(raw.parameters[0].prior!.std as Float32Array, e.rawStd as number[], 1e-6, 'raw std');
  assertClose(raw.decode({ identity: e.rawIdentity as number[] }), e.rawVertices as number[], 1e-5, 'raw vertices');
});

test('Deep3DFaceRecon BFM_model_front layout: decode, landmarks, regions', () => {
  const e = expected('deep3d_small.expected.json');
  const m = parseDeep3dBfm(read('deep3d_small.mat'));
  assert.equal(m.id, 'bfm-deep3d');
  assert.equal(m.units, 'mm');
  assert.deepEqual(m.parameters.map((p) => p.size), [e.identitySize, e.expressionSize, e.albedoSize]);
  const v = m.decode({ identity: e.identity as number[], expression: e.expression as number[] });
  assertClose(v, e.vertices as number[], 1e-5, 'vertices');
  assertClose(m.decodeAlbedo(e.albedo as number[]), e.albedoRgb as number[], 1e-5, 'albedo');
  // Landmarks: 1-based keypoints -> vertex-exact embedding.
  const lm = m.landmarks68!;
  assert.equal(lm.faces.length, 68);
  const tris = m.topology.triangles;
  (e.keypoints0 as number[]).forEach((vertex, i) => {
    const c = [0, 1, 2].find((k) => lm.barycentrics[i * 3 + k] === 1)!;
    assert.equal(tris[lm.faces[i] * 3 + c], vertex);
  });
  assert.deepEqual([...m.regions!.skin.vertices], e.skinVertices);
  assert.deepEqual([...m.regions!.front.vertices], e.frontVertices);
  assert.equal(m.regions!.face.vertices.length, e.vertexCount);
  const native = parseDeep3dBfm(read('deep3d_small.mat'), { nativeScale: true, albedo: false });
  assert.equal(native.units, 'arbitrary');
  assertClose(native.decode({}).map((x) => x * 100), m.decode({}), 1e-5, 'native scale = decimetres');
});

test('BFM 2017 HDF5 layout: decode matches NumPy (bytes and file paths)', async () => {
  const e = expected('bfm2017_small.expected.json');
  const check = (m: Awaited<ReturnType<typeof parseBfm2017>>): void => {
    assert.equal(m.id, 'bfm2017');
    assert.equal(m.units, 'mm');
    assert.equal(m.vertexCount, e.vertexCount);
    assert.deepEqual([...m.topology.triangles], e.triangles);
    assert.deepEqual(m.parameters.map((p) => `${p.name}[${p.size}]`), [`identity[${e.identitySize}]`, `expression[${e.expressionSize}]`, `albedo[${e.albedoSize}]`]);
    assertClose(m.decode({ identity: e.identity as number[], expression: e.expression as number[] }), e.vertices as number[], 1e-5, 'vertices');
    assertClose(m.decodeAlbedo(e.albedo as number[]), e.albedoRgb as number[], 1e-5, 'albedo');
  };
  const bytes = read('bfm2017_small.h5');
  assert.equal(detectContainer(bytes), 'hdf5');
  check(await parseBfm2017(bytes));
  check(await loadBfm2017File(join(fixtures, 'bfm2017_small.h5')));
  check((await parseLinearModel(bytes)) as Awaited<ReturnType<typeof parseBfm2017>>);
  const raw = await parseBfm2017(bytes, { standardized: false });
  assertClose(raw.parameters[0].prior!.std as Float32Array, e.identityStd as number[], 1e-6, 'raw std = sqrt(pcaVariance)');
});

test('loadLinearModel detects the format from content', async () => {
  const e9 = expected('bfm2009_small.expected.json');
  const m9 = await loadLinearModel(join(fixtures, 'bfm2009_small.mat'));
  assert.equal(m9.id, 'bfm2009');
  assertClose(m9.decode({ identity: e9.identity as number[] }), e9.vertices as number[], 1e-5, 'bfm2009 via loadLinearModel');
  assert.equal((await loadLinearModel(join(fixtures, 'deep3d_small.mat'))).id, 'bfm-deep3d');
  assert.equal((await loadLinearModel(join(fixtures, 'bfm2017_small.h5'))).id, 'bfm2017');
  assert.equal((await loadBfm2009File(join(fixtures, 'bfm2009_small.mat'))).id, 'bfm2009');
  assert.equal((await loadDeep3dBfmFile(join(fixtures, 'deep3d_small.mat'))).id, 'bfm-deep3d');
  assert.equal(await detectModelPath(join(fixtures, 'bfm2017_small.h5')), 'bfm2017');
  assert.equal(await detectModelPath(join(fixtures, 'deep3d_small.mat')), 'mat5');
});

test('errors: wrong file type, missing variable, truncated file, missing path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facekit-bfm-'));
  try {
    // Wrong type: a text file / an OBJ.
    const text = new TextEncoder().encode('v 0 0 0\n'.repeat(40));
    await assert.rejects(parseLinearModel(text), (err: unknown) => err instanceof FormatError && /not a face model file/.test(err.message));
    assert.throws(() => parseBfm2009(text), FormatError);
    await assert.rejects(parseBfm2017(text), /not an HDF5 file/);
    await writeFile(join(dir, 'model.bin'), text);
    await assert.rejects(loadLinearModel(join(dir, 'model.bin')), FormatError);
    await assert.rejects(loadBfm2017File(join(dir, 'model.bin')), FormatError);
    // A MAT-file of another layout names what it has.
    await assert.rejects(parseLinearModel(read('bfm2009_small.mat').slice(0, 128)), /neither a BFM 2009 model/);
    // Deep3D file read as BFM 2009: names the missing variable.
    assert.throws(() => parseBfm2009(read('deep3d_small.mat')), /variable "shapeMU" is missing/);

    // Missing variable.
    assert.throws(() => parseBfm2009(read('bfm2009_missing_ev.mat')), (err: unknown) => {
      assert.ok(err instanceof FormatError);
      assert.match(err.message, /variable "shapeEV" is missing/);
      assert.match(err.message, /shapeMU, shapePC/);
      return true;
    });
    await assert.rejects(loadLinearModel(join(fixtures, 'bfm2009_missing_ev.mat')), /shapeEV/);

    // Truncated files.
    const good = read('bfm2009_small.mat');
    for (const cut of [100, 200, good.length >> 1, good.length - 3]) {
      assert.throws(() => parseBfm2009(good.subarray(0, cut)), FormatError, `cut at ${cut}`);
    }
    const h5 = read('bfm2017_small.h5');
    await assert.rejects(parseBfm2017(h5.slice(0, h5.length >> 1)), FormatError);
    await writeFile(join(dir, 'cut.h5'), h5.subarray(0, h5.length >> 1));
    await assert.rejects(loadBfm2017File(join(dir, 'cut.h5')), FormatError);

    // Missing paths.
    await assert.rejects(loadLinearModel(join(dir, 'nope.mat')), (err: unknown) => err instanceof MissingFileError && /01_MorphableModel/.test(err.message));
    await assert.rejects(loadBfm2009File(join(dir, 'nope.mat')), (err: unknown) => err instanceof MissingFileError && /faces\.dmi\.unibas\.ch/.test(err.message));
    await assert.rejects(loadLinearModel(dir), /not an ICT-FaceKit model folder/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
