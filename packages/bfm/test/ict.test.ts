import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MissingFileError, registries } from '@facekit/core';
import {
  ICT_FACE_HEAD_VERTEX_COUNT,
  ICT_LANDMARK_VERTICES,
  LinearFaceModel,
  checkIctFaceKit,
  loadIctFaceKit,
  loadIctFaceKitWithInfo,
  loadLinearModel,
} from '../src/node/index.js';

const dataDir = fileURLToPath(new URL('../../../../shared/data/ict-facekit/', import.meta.url));
const skip = existsSync(join(dataDir, 'generic_neutral_mesh.obj')) ? false : `ICT-FaceKit data not found at ${dataDir}`;

/** Positions of an OBJ's `v` lines, read the trivial way (independent of the importer's parser). */
function objPositions(path: string): number[] {
  const out: number[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('v ')) {
      const [, x, y, z] = line.trim().split(/\s+/);
      out.push(Number(x), Number(y), Number(z));
    }
  }
  return out;
}

let work = '';
let model: LinearFaceModel;
let firstImportMs = 0;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'facekit-ict-'));
  const t0 = performance.now();
  const info = await loadIctFaceKitWithInfo(dataDir, { cacheDir: join(work, 'cache') });
  firstImportMs = performance.now() - t0;
  assert.equal(info.source, 'obj');
  model = info.model;
  console.log(`ICT-FaceKit first import: ${firstImportMs.toFixed(0)} ms`);
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('ICT import: layout, units, attribution; first import is fast', { skip }, () => {
  assert.equal(model.id, 'ict-facekit');
  assert.equal(model.units, 'cm');
  assert.equal(model.vertexCount, 26719);
  assert.deepEqual(model.parameters.map((p) => `${p.name}[${p.size}]`), ['identity[100]', 'expression[53]']);
  const expr = model.parameters[1];
  assert.deepEqual(expr.range, [0, 1]);
  assert.equal(expr.labels![0], 'browDown_L');
  assert.equal(expr.labels![26], 'jawOpen');
  assert.ok(!expr.labels!.includes('cheekRaiser_L'), 'only the 53 expressions of vertex_indices.json');
  assert.equal(model.parameters[0].prior!.std, 1);
  assert.match(model.attribution!, /Copyright \(c\) 2020 USC Institute for Creative Technologies/);
  assert.match(model.attribution!, /Permission is hereby granted/);
  // 25836 quads + 548 triangles -> 52220 triangles; UVs with their own indices.
  assert.equal(model.topology.triangles.length / 3, 25836 * 2 + 548);
  assert.equal(model.topology.uvs!.length / 2, 28911);
  assert.equal(model.topology.uvTriangles!.length, model.topology.triangles.length);
  const r = model.regions!;
  assert.equal(r.face.vertices.length, 9409);
  assert.equal(r.narrow_face.vertices.length, 6706);
  assert.equal(r.head_neck.vertices[0], 9409);
  assert.equal(r.eye_extras.vertices[r.eye_extras.vertices.length - 1], 26718);
  assert.ok(r.face.triangles!.length > 18000, 'face polygons 0..9229 are ~18k triangles');
  assert.ok(firstImportMs < 20000, `first import took ${firstImportMs} ms`);
});

test('ICT decode with zero weights is exactly the neutral mesh', { skip }, () => {
  const neutral = objPositions(join(dataDir, 'generic_neutral_mesh.obj'));
  assert.deepEqual(model.decode({}), Float32Array.from(neutral));
  assert.deepEqual(model.decode({ identity: new Float32Array(100), expression: [] }), Float32Array.from(neutral));
});

test('ICT identity and expression modes at weight 1 reproduce their files', { skip }, () => {
  const cases: Array<[string, Record<string, number[]>]> = [];
  for (const i of [0, 37, 99]) {
    const w = new Array<number>(i + 1).fill(0);
    w[i] = 1;
    cases.push([`identity${String(i).padStart(3, '0')}.obj`, { identity: w }]);
  }
  const labels = model.parameters[1].labels!;
  for (const name of ['jawOpen', 'eyeBlink_L', 'mouthSmile_R', 'noseSneer_R']) {
    const w = new Array<number>(labels.length).fill(0);
    w[labels.indexOf(name)] = 1;
    cases.push([`${name}.obj`, { expression: w }]);
  }
  const out = new Float32Array(model.vertexCount * 3);
  for (const [file, params] of cases) {
    const want = objPositions(join(dataDir, file));
    model.decode(params, out);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(out[i] - want[i]));
    // Two float32 roundings of ~20 cm values: a few 1e-6 cm.
    assert.ok(worst < 2e-5, `${file}: max deviation ${worst} cm`);
  }
});

test('ICT 68 landmarks sit on the README vertices and are anatomically plausible', { skip }, () => {
  const neutral = model.decode({});
  const lm = model.landmarks68!;
  assert.equal(lm.faces.length, 68);
  assert.equal(lm.labels![30], 'nose_bridge_3');
  const tris = model.topology.triangles;
  const p: number[][] = [];
  for (let i = 0; i < 68; i++) {
    const q = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const w = lm.barycentrics[i * 3 + c];
      const v = tris[lm.faces[i] * 3 + c];
      for (let k = 0; k < 3; k++) q[k] += w * neutral[v * 3 + k];
    }
    const v = ICT_LANDMARK_VERTICES[i];
    assert.deepEqual(q, [neutral[v * 3], neutral[v * 3 + 1], neutral[v * 3 + 2]], `landmark ${i} = vertex ${v}`);
    p.push(q);
  }
  const [X, Y, Z] = [0, 1, 2];
  // Chin (8) is the lowest jaw point; the nose tip (30) is the most forward nose point.
  for (let i = 0; i <= 16; i++) if (i !== 8) assert.ok(p[8][Y] < p[i][Y], `chin below jaw ${i}`);
  for (let i = 27; i <= 35; i++) if (i !== 30) assert.ok(p[30][Z] > p[i][Z], `nose tip in front of ${i}`);
  // Left-right order as seen from the front: jaw 0 / right eye outer corner 36 on one side, 16 / 45 on the other.
  assert.ok(p[0][X] < p[16][X] && p[36][X] < p[45][X] && p[36][X] < p[39][X] && p[42][X] < p[45][X]);
  assert.ok(p[48][X] < p[54][X], 'mouth corners');
  // Vertical order: brows above eyes above nose tip above mouth above chin.
  assert.ok(p[19][Y] > p[37][Y] && p[37][Y] > p[30][Y] && p[30][Y] > p[51][Y] && p[51][Y] > p[57][Y] && p[57][Y] > p[8][Y]);
  // Symmetric about x = 0 within a few millimetres, and face-sized (~14 cm jaw width).
  assert.ok(Math.abs(p[36][X] + p[45][X]) < 0.3 && Math.abs(p[30][X]) < 0.1);
  const jawWidth = p[16][X] - p[0][X];
  assert.ok(jawWidth > 10 && jawWidth < 18, `jaw width ${jawWidth} cm`);
});

test('ICT face+head sub-model decodes the first 11248 vertices', { skip }, () => {
  const sub = model.subset({ vertexCount: ICT_FACE_HEAD_VERTEX_COUNT });
  assert.equal(sub.vertexCount, 11248);
  const params = {
    identity: Array.from({ length: 100 }, (_, i) => Math.sin(i)),
    expression: Array.from({ length: 53 }, (_, i) => (i % 7) / 7),
  };
  const full = model.decode(params);
  const part = sub.decode(params);
  for (let i = 0; i < part.length; i++) assert.ok(Math.abs(part[i] - full[i]) < 1e-5);
  assert.equal(sub.landmarks68!.faces.length, 68);
  assert.ok(sub.topology.triangles.length / 3 > 20000);
  assert.equal(sub.regions!.teeth, undefined);
});

test('ICT cache: round trip is identical and the second load is fast', { skip }, async () => {
  const cacheDir = join(work, 'cache');
  const t0 = performance.now();
  const info = await loadIctFaceKitWithInfo(dataDir, { cacheDir });
  const ms = performance.now() - t0;
  console.log(`ICT-FaceKit cached load: ${ms.toFixed(0)} ms (${info.cachePath})`);
  assert.equal(info.source, 'cache');
  const m = info.model;
  assert.ok(Buffer.from(m.basis.buffer, m.basis.byteOffset, m.basis.byteLength).equals(Buffer.from(model.basis.buffer, model.basis.byteOffset, model.basis.byteLength)));
  assert.deepEqual(m.mean, model.mean);
  assert.deepEqual(m.topology, model.topology);
  assert.deepEqual(m.parameters, model.parameters);
  assert.deepEqual(m.landmarks68, model.landmarks68);
  assert.deepEqual(m.regions, model.regions);
  assert.equal(m.attribution, model.attribution);
  // Target 300 ms; the bound is loose for noisy shared CI machines.
  assert.ok(ms < 1500, `cached load took ${ms} ms`);
});

test('ICT: upstream full shape files, stale cache rebuild, missing files', { skip }, async () => {
  // A folder of links to the shared data, with identity000.obj replaced by an upstream-style full file
  // (v lines followed by the neutral mesh's vt/f lines) that the test can touch.
  const folder = join(work, 'FaceXModel');
  const cacheDir = join(work, 'cache2');
  await rm(folder, { recursive: true, force: true });
  await (await import('node:fs/promises')).mkdir(folder);
  for (const name of await readdir(dataDir)) {
    if (name !== 'identity000.obj') await symlink(join(dataDir, name), join(folder, name));
  }
  const neutralText = await readFile(join(dataDir, 'generic_neutral_mesh.obj'), 'utf8');
  const vLines = (await readFile(join(dataDir, 'identity000.obj'), 'utf8')).split('\n').filter((l) => l.startsWith('v '));
  const rest = neutralText.split('\n').filter((l) => l.startsWith('vt ') || l.startsWith('f ') || l.startsWith('usemtl'));
  await writeFile(join(folder, 'identity000.obj'), ['# upstream layout', 'mtllib ICTFaceModelMaterial.mtl', ...vLines, ...rest, ''].join('\n'));

  const a = await loadIctFaceKitWithInfo(folder, { cacheDir });
  assert.equal(a.source, 'obj');
  assert.ok(Buffer.from(a.model.basis.buffer, a.model.basis.byteOffset, a.model.basis.byteLength).equals(Buffer.from(model.basis.buffer, model.basis.byteOffset, model.basis.byteLength)), 'full and trimmed files give the same model');
  assert.equal((await loadIctFaceKitWithInfo(folder, { cacheDir })).source, 'cache');
  const later = new Date(Date.now() + 5000);
  await utimes(join(folder, 'identity000.obj'), later, later);
  const c = await loadIctFaceKitWithInfo(folder, { cacheDir });
  assert.equal(c.source, 'obj', 'a touched file makes the cache stale');
  assert.equal((await loadIctFaceKitWithInfo(folder, { cacheDir })).source, 'cache');
  // A damaged cache file is rebuilt, not an error.
  await writeFile(c.cachePath!, 'garbage');
  assert.equal((await loadIctFaceKitWithInfo(folder, { cacheDir })).source, 'obj');
  // loadLinearModel recognises the folder.
  assert.equal((await loadLinearModel(folder, { cacheDir })).id, 'ict-facekit');

  // Missing shape file and missing folder: MissingFileError naming the file and where to get the model.
  await rm(join(folder, 'jawOpen.obj'));
  await assert.rejects(loadIctFaceKit(folder, { cache: false }), (err: unknown) => {
    assert.ok(err instanceof MissingFileError);
    assert.match(err.message, /jawOpen\.obj/);
    assert.match(err.message, /github\.com\/ICT-VGL\/ICT-FaceKit/);
    return true;
  });
  await assert.rejects(loadIctFaceKit(join(work, 'nowhere')), (err: unknown) => {
    assert.ok(err instanceof MissingFileError);
    assert.match(err.message, /ICT-FaceKit model folder not found/);
    assert.match(err.message, /FaceXModel/);
    assert.match(err.message, /FACEKIT_ICT_DIR/);
    return true;
  });
});

test('ICT registration: check() follows FACEKIT_ICT_DIR, create() loads the model', { skip }, async () => {
  assert.ok(registries.models.has('ict-facekit'));
  const saved = { dir: process.env.FACEKIT_ICT_DIR, cache: process.env.FACEKIT_CACHE_DIR };
  try {
    process.env.FACEKIT_ICT_DIR = join(work, 'nowhere');
    const missing = checkIctFaceKit();
    assert.equal(missing.available, false);
    assert.match(missing.reasons[0], /ICT-VGL\/ICT-FaceKit/);
    process.env.FACEKIT_ICT_DIR = dataDir;
    process.env.FACEKIT_CACHE_DIR = join(work, 'cache');
    const [info] = (await registries.models.describe()).filter((d) => d.name === 'ict-facekit');
    assert.equal(info.available, true);
    const created = await registries.models.get('ict-facekit', {});
    assert.equal(created.id, 'ict-facekit');
    assert.equal(created.topology.vertexCount, 26719);
  } finally {
    for (const [k, v] of [['FACEKIT_ICT_DIR', saved.dir], ['FACEKIT_CACHE_DIR', saved.cache]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
