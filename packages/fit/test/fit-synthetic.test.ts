/**
 * The fit on synthetic renders made here with the core rasterizer (known identity, expression, pose, SH
 * lighting and per-vertex albedo): pose, shape (point-to-surface error after a similarity alignment on the
 * landmarks, vs the mean face), albedo refinement, detail, and the same-person fit.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaceModel } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import { fitFace, fitSamePerson, linearizeModel, type FitResult } from '../src/index.js';
import { gaussians, ICT_DIR, renderSynthetic, shapeErrorMm, SKIP_ICT, type SyntheticFace } from './helpers.js';

let model: FaceModel;
let syn: SyntheticFace;
let result: FitResult;
// A distinct identity (2 std on the main modes) with a smile and a slightly open jaw.
const IDENTITY = gaussians(60, 7).map((v, k) => (k < 10 ? 2 * v : k < 30 ? 0.8 * v : 0.3 * v));
const EXPRESSION = { jawOpen: 0.3, mouthSmile_L: 0.5, mouthSmile_R: 0.5 };

before(async () => {
  if (SKIP_ICT) return;
  model = await loadIctFaceKit(ICT_DIR);
  syn = renderSynthetic(model, { identity: IDENTITY, expression: EXPRESSION });
  // Synthetic landmarks are fixed model vertices, not a silhouette: static contour.
  result = fitFace(syn.image, syn.face, model, { contour: 'static' });
});

test('recovers the pose within a few degrees', { skip: SKIP_ICT }, () => {
  const p = result.reconstruction.pose;
  for (const k of ['yaw', 'pitch', 'roll'] as const) {
    assert.ok(Math.abs(p[k] - syn.pose[k]) < 4, `${k}: fit ${p[k].toFixed(2)} vs truth ${syn.pose[k]}`);
  }
});

test('recovers the shape better than the mean face (< 0.5x its point-to-surface error)', { skip: SKIP_ICT }, () => {
  const lin = linearizeModel(model);
  const fitErr = shapeErrorMm(syn, result.reconstruction.mesh.positions);
  const meanErr = shapeErrorMm(syn, lin.mean);
  console.log(`# shape error: fit ${fitErr.toFixed(2)} mm, mean face ${meanErr.toFixed(2)} mm`);
  assert.ok(fitErr < 0.5 * meanErr, `fit ${fitErr} mm vs mean face ${meanErr} mm`);
});

test('reconstruction fields are complete and consistent', { skip: SKIP_ICT }, () => {
  const r = result.reconstruction;
  const lin = linearizeModel(model);
  assert.equal(r.method, 'fit');
  assert.equal(r.units, 'cm');
  assert.equal(r.mesh.positions.length, lin.vertexCount * 3);
  assert.ok(r.mesh.uvs && r.mesh.uvTriangles, 'mesh has UVs');
  assert.equal(r.model?.params.identity.length, 100);
  assert.equal(r.model?.params.expression.length, 53);
  assert.equal(r.lighting?.length, 27);
  assert.equal(r.albedo?.length, lin.vertexCount * 3);
  assert.equal(r.texture?.channels, 3);
  assert.equal(r.displacement?.channels, 1);
  assert.equal(r.normalMap?.channels, 3);
  for (const k of ['rigid', 'coarse', 'albedo', 'detail']) assert.ok(r.timings[k] >= 0, `timing ${k}`);
  // 68 landmarks: the fit's 2D landmarks are close to the (exact) synthetic ones.
  let err = 0;
  for (let k = 0; k < 68; k++) err += Math.hypot(r.landmarks2d![2 * k] - syn.face.landmarks68![2 * k], r.landmarks2d![2 * k + 1] - syn.face.landmarks68![2 * k + 1]);
  assert.ok(err / 68 < 3, `mean landmark error ${err / 68} px`);
});

test('albedo refinement reproduces the image better than the coarse albedo', { skip: SKIP_ICT }, () => {
  const p = result.diagnostics.photometric;
  console.log(`# photometric MAE: coarse ${p.coarse.toFixed(4)}, refined ${p.refined.toFixed(4)}, detail ${p.detail.toFixed(4)}`);
  assert.ok(p.refined < 0.7 * p.coarse, `refined ${p.refined} vs coarse ${p.coarse}`);
});

test('detail stage reduces the photometric residual', { skip: SKIP_ICT }, () => {
  const d = result.diagnostics.detailEnergy!;
  assert.ok(d.after < d.before, `detail energy ${d.after} vs ${d.before}`);
  assert.ok(result.diagnostics.photometric.detail <= result.diagnostics.photometric.refined);
});

test('same-person fit shares one identity across photos', { skip: SKIP_ICT }, () => {
  const a = renderSynthetic(model, { identity: IDENTITY, expression: { mouthSmile_L: 0.6, mouthSmile_R: 0.6 }, pose: { yaw: -15, pitch: 5, roll: -3 } });
  const b = renderSynthetic(model, { identity: IDENTITY, expression: { jawOpen: 0.4 }, pose: { yaw: 20, pitch: -3, roll: 2 } });
  const recs = fitSamePerson([a.image, b.image], [a.face, b.face], { model, contour: 'static', detail: false });
  assert.equal(recs.length, 2);
  assert.deepEqual(recs[0].model!.params.identity, recs[1].model!.params.identity);
  assert.ok(Math.abs(recs[0].pose.yaw - -15) < 5 && Math.abs(recs[1].pose.yaw - 20) < 5, `yaws ${recs[0].pose.yaw}, ${recs[1].pose.yaw}`);
  // The jaw-open photo has more jawOpen than the smiling one.
  const labels = model.parameters.find((p) => p.name === 'expression')!.labels!;
  const jaw = labels.indexOf('jawOpen');
  assert.ok(recs[1].model!.params.expression[jaw] > recs[0].model!.params.expression[jaw] + 0.1);
  const err = shapeErrorMm(a, recs[0].mesh.positions);
  const meanErr = shapeErrorMm(a, linearizeModel(model).mean);
  assert.ok(err < 0.6 * meanErr, `joint fit ${err} mm vs mean ${meanErr} mm`);
});
