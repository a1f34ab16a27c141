/**
 * The facemesh predictor on real detections (Human loaded once for the file): the committed astronaut portrait
 * always, the shared development photos when present.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { computeFaceNormals, project, registries, type DetectedFace, type Detector, type ImageU8 } from '@facekit/core';
import { readImage } from '@facekit/core/node';
import { MESH_TO_68 } from '@facekit/detect';
import {
  FaceMeshPredictor,
  TexelSource,
  mirrorVertexMap,
  createFaceMeshPredictor,
  interOcularDistance,
  type FaceMeshReconstruction,
} from '../src/node/index.js';
import { ASTRONAUT, flipHorizontal, patchMean, sharedImages } from './helpers.js';

let predictor: FaceMeshPredictor;
let detector: Detector;
let astronaut: ImageU8;
let face: DetectedFace;
let rec: FaceMeshReconstruction;

before(async () => {
  predictor = createFaceMeshPredictor();
  [detector, astronaut] = await Promise.all([predictor.detector(), readImage(ASTRONAUT)]);
  [face] = await detector.detect(astronaut);
  rec = await predictor.predict(astronaut, { face });
});

/** Every check that holds for any detected face. */
function checkReconstruction(r: FaceMeshReconstruction, f: DetectedFace, image: ImageU8, label: string): void {
  assert.equal(r.method, 'facemesh');
  assert.equal(r.units, 'mm');
  assert.equal(r.mesh.positions.length, 468 * 3);
  assert.equal(r.mesh.triangles.length, 898 * 3);
  // The camera reproduces the detector's pixels.
  const uv = project(r.camera, r.mesh.positions);
  let maxErr = 0;
  for (let i = 0; i < 468; i++) maxErr = Math.max(maxErr, Math.hypot(uv[3 * i] - f.dense![3 * i], uv[3 * i + 1] - f.dense![3 * i + 1]));
  assert.ok(maxErr < 0.5, `${label}: reprojection error ${maxErr} px`);
  // Metric scale: eye centres at the assumed 63 mm; face height (forehead 10 to chin 152) plausible in mm.
  assert.ok(Math.abs(interOcularDistance(r.mesh.positions) - 63) < 0.01, label);
  const height = r.mesh.positions[10 * 3 + 1] - r.mesh.positions[152 * 3 + 1];
  assert.ok(height > 130 && height < 230, `${label}: forehead-chin ${height} mm`);
  // Canonical frame: normals of the de-rotated mesh point mostly at the viewer (+z), front faces are CCW.
  const normals = computeFaceNormals(r.mesh.positions, r.mesh.triangles);
  let front = 0;
  for (let t = 0; t < 898; t++) if (normals[3 * t + 2] > 0) front++;
  assert.ok(front / 898 > 0.8, `${label}: ${front} of 898 normals towards +z`);
  // Landmarks: 2D = 3D projected; 3D = mapping evaluated on the mesh; inside the box, eyes above the mouth.
  const l2 = r.landmarks2d!, l3 = r.landmarks3d!;
  assert.equal(l2.length, 136);
  assert.equal(l3.length, 204);
  const lp = project(r.camera, l3);
  for (let k = 0; k < 68; k++) {
    assert.ok(Math.hypot(lp[3 * k] - l2[2 * k], lp[3 * k + 1] - l2[2 * k + 1]) < 0.01, `${label}: landmark ${k}`);
    const ix = MESH_TO_68[k];
    for (let c = 0; c < 3; c++) {
      const mean = ix.reduce((s, i) => s + r.mesh.positions[3 * i + c], 0) / ix.length;
      assert.ok(Math.abs(mean - l3[3 * k + c]) < 1e-4);
    }
  }
  const [bx, by, bw, bh] = r.box!;
  const tol = 0.05 * bw;
  for (let k = 0; k < 68; k++) {
    const x = l2[2 * k], y = l2[2 * k + 1];
    assert.ok(x >= bx - tol && x <= bx + bw + tol && y >= by - tol && y <= by + bh + tol, `${label}: landmark ${k} outside the box`);
  }
  const ys = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => l2[(a + i) * 2 + 1]);
  assert.ok(Math.max(...ys(36, 47)) < Math.min(...ys(48, 67)), `${label}: eyes must be above the mouth`);
  // Texture: covers the face from the photo, no black texel from the fill.
  const tex = r.texture!;
  assert.equal(tex.width, 512);
  assert.equal(tex.channels, 3);
  const src = r.details.textureSource!;
  let photo = 0, layout = 0;
  for (let p = 0; p < src.length; p++) {
    if (src[p] !== TexelSource.Outside) layout++;
    if (src[p] === TexelSource.Photo) photo++;
    if (src[p] !== TexelSource.Photo && src[p] !== TexelSource.Grazing) {
      const d = tex.data;
      assert.ok(d[3 * p] + d[3 * p + 1] + d[3 * p + 2] > 0 || (r.details.faceColour ?? [0]).every((c) => c === 0), `${label}: black fill texel ${p}`);
    }
  }
  assert.ok(photo / layout > 0.5, `${label}: only ${photo} of ${layout} texels from the photo`);
  assert.ok(Number.isFinite(r.timings.predict));
  assert.equal(tex.width * tex.height, src.length);
  assert.ok(image.width > 0);
}

test('astronaut: reconstruction invariants', () => {
  checkReconstruction(rec, face, astronaut, 'astronaut');
  assert.equal(rec.box, face.box);
  assert.equal(rec.confidence, face.confidence);
  assert.equal(rec.details.iris?.length, 30);
});

test('astronaut: near-frontal pose', () => {
  assert.ok(Math.abs(rec.pose.yaw) < 20 && Math.abs(rec.pose.pitch) < 20 && Math.abs(rec.pose.roll) < 20, JSON.stringify(rec.pose));
});

test('astronaut: texture colour is the photo skin colour', () => {
  // Cheek centres (vertices 50 and 280) in the photo vs the texture's median colour and its texels there.
  const uv = project(rec.camera, rec.mesh.positions);
  for (const v of [50, 280]) {
    const photo = patchMean(astronaut, uv[3 * v], uv[3 * v + 1]);
    const colour = rec.details.faceColour!;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(photo[c] - colour[c]) < 40, `cheek ${v}: photo ${photo} vs face colour ${colour}`);
    const u = rec.mesh.uvs![2 * v], w = rec.mesh.uvs![2 * v + 1];
    const texel = patchMean(rec.texture as ImageU8, u * 512, (1 - w) * 512, 2);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(photo[c] - texel[c]) < 15, `cheek ${v}: photo ${photo} vs texel ${texel}`);
  }
});

test('astronaut flipped: yaw and roll change sign, pitch stays', async () => {
  const flipped = flipHorizontal(astronaut);
  const [ff] = await detector.detect(flipped);
  const r = await predictor.predict(flipped, { face: ff, textureSize: 0 });
  assert.equal(r.texture, undefined);
  assert.ok(Math.abs(r.pose.yaw + rec.pose.yaw) < 3, `yaw ${rec.pose.yaw} vs flipped ${r.pose.yaw}`);
  assert.ok(Math.abs(r.pose.roll + rec.pose.roll) < 3, `roll ${rec.pose.roll} vs flipped ${r.pose.roll}`);
  assert.ok(Math.abs(r.pose.pitch - rec.pose.pitch) < 3, `pitch ${rec.pose.pitch} vs flipped ${r.pose.pitch}`);
});

test('mirrored dense points (what a flipped photo gives, without detector noise): yaw and roll negate exactly', async () => {
  const dense = Float32Array.from(face.dense!);
  const w = astronaut.width;
  // Mirror x and swap left/right vertices: the detector output for the mirrored photo, up to noise.
  const m = mirrorVertexMap();
  const mirrored = new Float32Array(dense.length);
  for (let i = 0; i < 468; i++) {
    mirrored[3 * i] = w - dense[3 * m[i]];
    mirrored[3 * i + 1] = dense[3 * m[i] + 1];
    mirrored[3 * i + 2] = dense[3 * m[i] + 2];
  }
  const r = await predictor.predict(astronaut, { face: { ...face, dense: mirrored.subarray(0, 468 * 3) }, textureSize: 0 });
  assert.ok(Math.abs(r.pose.yaw + rec.pose.yaw) < 0.01 && Math.abs(r.pose.roll + rec.pose.roll) < 0.01);
});

test('runs the detector when no face is given; registry entry', async () => {
  const r = await predictor.predict(astronaut, { textureSize: 64 });
  assert.ok(r.timings.detect! > 0 && r.timings.predict > 0);
  assert.equal(r.texture?.width, 64);
  const viaRegistry = await registries.predictors.get('facemesh');
  assert.ok(viaRegistry instanceof FaceMeshPredictor);
  const info = (await registries.predictors.describe()).find((p) => p.name === 'facemesh');
  assert.ok(info?.available, info?.reasons.join('; '));
  assert.deepEqual(info?.requires.map((q) => `${q.kind}:${q.name}`), ['detector:human']);
});

test('errors: no dense points, no detector', async () => {
  await assert.rejects(predictor.predict(astronaut, { face: { ...face, dense: undefined } }), { code: 'ERR_NO_DENSE_LANDMARKS' });
  await assert.rejects(new FaceMeshPredictor().predict(astronaut), { code: 'ERR_NO_DETECTOR' });
  const blank: ImageU8 = { width: 64, height: 64, channels: 3, data: new Uint8Array(64 * 64 * 3).fill(90) };
  await assert.rejects(predictor.predict(blank), { code: 'ERR_NO_FACE' });
});

const shared = sharedImages();
test('shared photos: invariants, yaw sign, flip symmetry', { skip: shared.length ? false : 'shared photos absent (../shared/data/images)' }, async () => {
  let turned = 0;
  for (const file of shared) {
    const label = path.basename(file);
    const image = await readImage(file);
    const [f] = await detector.detect(image);
    if (!f) continue;
    const r = await predictor.predict(image, { face: f });
    checkReconstruction(r, f, image, label);
    const l2 = r.landmarks2d!;
    if (Math.abs(r.pose.yaw) > 12) {
      // Positive yaw = nose to image right: the nose tip (30) lies right of the middle of the jaw ends (0, 16).
      const side = l2[30 * 2] - (l2[0] + l2[16 * 2]) / 2;
      assert.equal(Math.sign(side), Math.sign(r.pose.yaw), `${label}: yaw ${r.pose.yaw}, nose offset ${side}`);
      const flipped = flipHorizontal(image);
      const [ff] = await detector.detect(flipped);
      const rf = await predictor.predict(flipped, { face: ff, textureSize: 0 });
      assert.ok(Math.sign(rf.pose.yaw) === -Math.sign(r.pose.yaw) && Math.abs(rf.pose.yaw + r.pose.yaw) < 8, `${label}: yaw ${r.pose.yaw}, flipped ${rf.pose.yaw}`);
      turned++;
    }
  }
  assert.ok(turned >= 2, `only ${turned} clearly turned faces among the shared photos`);
});
