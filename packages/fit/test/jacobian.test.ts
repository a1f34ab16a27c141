/**
 * The analytic Gauss-Newton normal equations of the coarse energy against finite differences of the residual
 * vector: g = J^T r and H = J^T J, with J from central differences over every parameter (identity, rotation,
 * log-scale, translation, expression). Shading and albedo are held fixed within a step by design, so the
 * residual function differentiated here holds them fixed too.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resizeImage, type FaceModel } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import {
  applyFrameStep,
  buildFrameSystem,
  buildPyramid,
  frameGeometry,
  frameNormalEquations,
  frameParamCount,
  frameResiduals,
  prepareModel,
  rigidFromLandmarks,
  DEFAULT_COARSE_WEIGHTS,
  type FitContext,
  type FrameInput,
  type FrameState,
} from '../src/index.js';
import { gaussians, ICT_DIR, renderSynthetic, SKIP_ICT } from './helpers.js';

let model: FaceModel;
before(async () => {
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

function setup(ctx: FitContext): { frame: FrameInput; fs: FrameState; id: Float64Array } {
  const syn = renderSynthetic(model, { seed: 3, expression: { jawOpen: 0.2 } });
  // A strongly smoothed photo: on a smooth image the bilinear interpolant's slope equals the central-difference
  // gradient the fitter uses, so any remaining mismatch would be a Jacobian bug, not interpolation.
  const pyramid = buildPyramid(resizeImage(resizeImage(syn.image, 48, 48, { filter: 'area' }), 256, 256, { filter: 'bilinear' }), 2);
  const landmarks = Float64Array.from(syn.face.landmarks68!);
  const frame: FrameInput = { pyramid, landmarks, faceSize: 140 };
  const rigid = rigidFromLandmarks(ctx, landmarks);
  const light = new Float32Array(27);
  light[0] = light[1] = light[2] = 2.8;
  light[9] = light[10] = light[11] = 0.8;
  // A state away from the truth, so residuals are not ~0 and every column matters.
  // Inside the [0, 1] range, so finite differences are not clamped at the bounds.
  const exp = new Float64Array(ctx.Ke).fill(0.05);
  exp[5] = 0.2;
  exp[20] = 0.1;
  const id = gaussians(ctx.Ki, 11).map((v) => 0.5 * v);
  return { frame, fs: { ...rigid, exp, light, albedo: new Float64Array(ctx.albedo.size) }, id };
}

test('coarse normal equations match finite differences of the residuals', { skip: SKIP_ICT }, () => {
  const ctx = prepareModel(model, { identityModes: 20 });
  const { frame, fs, id } = setup(ctx);
  const level = frame.pyramid[1];
  const geo = frameGeometry(ctx, id, fs, 256, 256, level.scale);
  const sys = buildFrameSystem(ctx, frame, id, fs, geo, { weights: DEFAULT_COARSE_WEIGHTS, level, maxSamples: 300, lightingRounds: 1 });
  assert.ok(sys.ns > 100 && sys.nl === 68, `samples ${sys.ns}, landmarks ${sys.nl}`);
  const P = frameParamCount(ctx);
  const { H, g, energy } = frameNormalEquations(ctx, sys, id, fs);
  const r0 = frameResiduals(ctx, sys, id, fs);
  // Its energy is the sum of squared residuals (shaded samples and landmarks here).
  const e0 = r0.reduce((s, r) => s + r * r, 0);
  assert.ok(e0 > 0 && Math.abs(energy - e0) <= 1e-12 * e0, `energy ${energy} vs ${e0}`);
  // Finite-difference Jacobian, column by column.
  const J: Float64Array[] = [];
  for (let j = 0; j < P; j++) {
    const h = j >= ctx.Ki && j < ctx.Ki + 3 ? 1e-5 : j === ctx.Ki + 4 || j === ctx.Ki + 5 ? 1e-4 : 1e-5;
    const eval_ = (sign: number): Float64Array => {
      const step = new Float64Array(P);
      step[j] = sign * h;
      const idp = id.slice();
      if (j < ctx.Ki) idp[j] += sign * h;
      const fsp = applyFrameStep(ctx, fs, step, ctx.Ki);
      // No clamping at the expression bounds for the check: start inside the range.
      return frameResiduals(ctx, sys, idp, fsp);
    };
    const rp = eval_(1), rm = eval_(-1);
    J.push(rp.map((v, i) => (v - rm[i]) / (2 * h)));
  }
  // Gradient: relative error of the whole vector, each entry scaled by sqrt(H_aa) so that parameters of
  // different units count alike (single entries near zero make per-entry ratios meaningless).
  let gNum = 0, gDen = 0;
  for (let a = 0; a < P; a++) {
    let ga = 0;
    for (let i = 0; i < r0.length; i++) ga += J[a][i] * r0[i];
    const w = 1 / Math.sqrt(Math.max(H[a * P + a], 1e-30));
    gNum += ((ga - g[a]) * w) ** 2;
    gDen += (ga * w) ** 2;
  }
  const relG = Math.sqrt(gNum / gDen);
  let num = 0, den = 0;
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      let hab = 0;
      for (let i = 0; i < r0.length; i++) hab += J[a][i] * J[b][i];
      const w = 1 / Math.sqrt(Math.max(H[a * P + a] * H[b * P + b], 1e-30));
      num += ((hab - H[a * P + b]) * w) ** 2;
      den += (hab * w) ** 2;
    }
  }
  const relH = Math.sqrt(num / den);

  // Bilinear image interpolation has kinks at pixel edges, and the analytic image gradient is the interpolated
  // central difference: agreement to a few percent is what a correct Jacobian gives (a wrong sign or a missing
  // factor shows as errors of order 1).
  assert.ok(relH < 0.1, `H relative error ${relH}`);
  assert.ok(relG < 0.1, `g relative error ${relG}`);
});

test('landmark-only normal equations are exact', { skip: SKIP_ICT }, () => {
  const ctx = prepareModel(model, { identityModes: 20 });
  const { frame, fs, id } = setup(ctx);
  const geo = frameGeometry(ctx, id, fs, 256, 256, 1);
  const sys = buildFrameSystem(ctx, frame, id, fs, geo, { weights: DEFAULT_COARSE_WEIGHTS, level: null, maxSamples: 0, lightingRounds: 0 });
  const P = frameParamCount(ctx);
  const { H, g } = frameNormalEquations(ctx, sys, id, fs);
  const r0 = frameResiduals(ctx, sys, id, fs);
  for (let a = 0; a < P; a++) {
    const h = 1e-6;
    const step = new Float64Array(P);
    step[a] = h;
    const idp = id.slice();
    if (a < ctx.Ki) idp[a] += h;
    const rp = frameResiduals(ctx, sys, idp, applyFrameStep(ctx, fs, step, ctx.Ki));
    step[a] = -h;
    if (a < ctx.Ki) idp[a] -= 2 * h;
    const rm = frameResiduals(ctx, sys, idp, applyFrameStep(ctx, fs, step, ctx.Ki));
    let ga = 0, haa = 0;
    for (let i = 0; i < r0.length; i++) {
      const j = (rp[i] - rm[i]) / (2 * h);
      ga += j * r0[i];
      haa += j * j;
    }
    assert.ok(Math.abs(ga - g[a]) <= 1e-4 * Math.max(Math.abs(ga), 1e-8) + 1e-12, `g[${a}]: fd ${ga} vs ${g[a]}`);
    assert.ok(Math.abs(haa - H[a * P + a]) <= 1e-4 * haa + 1e-14, `H[${a},${a}]: fd ${haa} vs ${H[a * P + a]}`);
  }
});
