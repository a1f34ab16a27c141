/**
 * The fitter's energy terms against @facekit/losses (tfjs) on the same inputs, computed independently: the
 * losses get positions from core `project` and photo colours from their own bilinear sampler, the fitter uses
 * its gathered bases and pyramid sampler.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { landmarkLoss, parameterPriorLoss, vertexPhotometricLoss } from '@facekit/losses';
import { project, shadeVertices, type FaceModel, type OrthographicCamera } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import {
  buildFrameSystem,
  buildPyramid,
  cameraNormals,
  decodeLinear,
  DEFAULT_COARSE_WEIGHTS,
  evaluateAlbedo,
  frameGeometry,
  frameResiduals,
  prepareModel,
  priorEnergy,
  rigidFromLandmarks,
  type FitContext,
  type FrameState,
} from '../src/index.js';
import { gaussians, ICT_DIR, renderSynthetic, SKIP_ICT } from './helpers.js';

let model: FaceModel;
before(async () => {
  await tf.setBackend('cpu');
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

function state(ctx: FitContext, landmarks: Float64Array): { fs: FrameState; id: Float64Array } {
  const rigid = rigidFromLandmarks(ctx, landmarks);
  const light = new Float32Array(27);
  light[0] = light[1] = light[2] = 1.8;
  light[9] = light[10] = light[11] = 0.6;
  const albedo = new Float64Array(ctx.albedo.size);
  albedo[3] = 0.05;
  return { fs: { ...rigid, exp: new Float64Array(ctx.Ke).fill(0.1), light, albedo }, id: gaussians(ctx.Ki, 5).map((v) => 0.4 * v) };
}

test('E_con, E_lan and E_reg agree with the tfjs losses', { skip: SKIP_ICT }, () => {
  const ctx = prepareModel(model, { identityModes: 30 });
  const syn = renderSynthetic(model, { seed: 9 });
  const pyramid = buildPyramid(syn.image, 1);
  const landmarks = Float64Array.from(syn.face.landmarks68!);
  const faceSize = 150;
  const { fs, id } = state(ctx, landmarks);
  const geo = frameGeometry(ctx, id, fs, 256, 256, 1);
  const w = { ...DEFAULT_COARSE_WEIGHTS };
  const sys = buildFrameSystem(ctx, { pyramid, landmarks, faceSize }, id, fs, geo, {
    weights: w,
    level: pyramid[0],
    maxSamples: 500,
    lightingRounds: 0,
    contour: 'static',
  });
  const r = frameResiduals(ctx, sys, id, fs);
  let eCon = 0, eLan = 0;
  for (let i = 0; i < sys.ns * 3; i++) eCon += r[i] * r[i];
  for (let i = sys.ns * 3; i < r.length; i++) eLan += r[i] * r[i];

  // Independent computation of the inputs.
  const z = new Float64Array(ctx.K);
  z.set(id);
  z.set(fs.exp, ctx.Ki);
  const pos = decodeLinear(ctx.lin, z);
  const cam: OrthographicCamera = { type: 'orthographic', scale: fs.s, cx: fs.tx, cy: fs.ty, rotation: Array.from(fs.R) };
  const screen = project(cam, pos);
  const ns = sys.ns;
  const samples = sys.samples;
  const albedo = evaluateAlbedo(ctx.albedo, fs.albedo, samples);
  const shading = shadeVertices(cameraNormals(fs.R, geo.normals, samples), null, fs.light);
  const colors = new Float32Array(ns * 3);
  for (let i = 0; i < ns * 3; i++) colors[i] = albedo[i] * shading[i];
  const points = new Float32Array(ns * 2);
  const h = new Float32Array(ns);
  let hSum = 0;
  for (let j = 0; j < ns; j++) {
    // losses' sampler puts pixel centres at integers, facekit at integer + 0.5.
    points[2 * j] = screen[3 * samples[j]] - 0.5;
    points[2 * j + 1] = screen[3 * samples[j] + 1] - 0.5;
    h[j] = (sys.wPhot[j] * ns) / w.photometric;
    hSum += h[j];
  }
  const lvl = pyramid[0].image;
  const photo = vertexPhotometricLoss({ norm: 'l2' }).compute({
    colors: tf.tensor3d(colors, [1, ns, 3]),
    image: tf.tensor4d(lvl.data, [1, lvl.height, lvl.width, 3]),
    points: tf.tensor3d(points, [1, ns, 2]),
    visibility: tf.tensor2d(h, [1, ns]),
  });
  // Fitter: w_con/N sum h |r|^2; loss: sum h |r|^2 / sum h.
  const eConTf = w.photometric * (photo.dataSync()[0] * hSum) / ns;
  assert.ok(Math.abs(eCon - eConTf) < 1e-3 * eConTf, `E_con ${eCon} vs tfjs ${eConTf}`);

  const lv = ctx.lin.landmarkVertices!, lw = ctx.lin.landmarkWeights!;
  const pred = new Float32Array(136);
  for (let k = 0; k < 68; k++) {
    for (let j = 0; j < 3; j++) {
      pred[2 * k] += lw[3 * k + j] * screen[3 * lv[3 * k + j]];
      pred[2 * k + 1] += lw[3 * k + j] * screen[3 * lv[3 * k + j] + 1];
    }
  }
  const lmWeights = Array.from({ length: 68 }, (_, k) => (k <= 16 ? w.contour : 1));
  const lan = landmarkLoss({ norm: 'l2', imageSize: faceSize, weights: lmWeights, reduction: 'sum' }).compute({
    pred: tf.tensor3d(pred, [1, 68, 2]),
    target: tf.tensor3d(Float32Array.from(landmarks), [1, 68, 2]),
  });
  const eLanTf = (w.landmark / 68) * lan.dataSync()[0];
  assert.ok(Math.abs(eLan - eLanTf) < 1e-3 * eLanTf, `E_lan ${eLan} vs tfjs ${eLanTf}`);

  const prior = parameterPriorLoss({
    blocks: { identity: { std: 1, weight: w.identityPrior }, expression: { std: 1, weight: w.expressionPrior } },
  }).compute({ params: { identity: tf.tensor1d(Float32Array.from(id)), expression: tf.tensor1d(Float32Array.from(fs.exp)) } });
  const eReg = priorEnergy(ctx, w, id, fs, true);
  assert.ok(Math.abs(eReg - prior.dataSync()[0]) < 1e-4 * eReg, `E_reg ${eReg} vs tfjs ${prior.dataSync()[0]}`);
});
