/**
 * Expression bounds in the LM step: coefficients resting on a bound with the gradient pointing out of the
 * range are frozen, and the other unknowns take the Gauss-Newton step of the reduced problem. The reference
 * here assembles and solves that reduced system itself from `frameNormalEquations`.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { solveCholesky, type FaceModel } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import {
  buildFrameSystem,
  frameNormalEquations,
  frameParamCount,
  lmIteration,
  prepareModel,
  rigidFromLandmarks,
  DEFAULT_COARSE_WEIGHTS,
  type CoarseState,
} from '../src/index.js';
import { ICT_DIR, renderSynthetic, SKIP_ICT } from './helpers.js';

let model: FaceModel;
before(async () => {
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

test('an LM step freezes expression coefficients held at a bound and solves for the rest', { skip: SKIP_ICT }, () => {
  const ctx = prepareModel(model, { identityModes: 20 });
  const { Ki, Ke } = ctx;
  const syn = renderSynthetic(model, { seed: 5, expression: { jawOpen: 0.3, mouthSmile_L: 0.4, eyeBlink_R: 0.5 } });
  const landmarks = Float64Array.from(syn.face.landmarks68!);
  const frame = { pyramid: [], landmarks, faceSize: 140 };
  // Every expression coefficient starts on its lower bound (ICT's weights are one-sided, 0..1).
  const rigid = rigidFromLandmarks(ctx, landmarks);
  const exp = Float64Array.from(ctx.expLo);
  assert.ok(exp.every((v) => Number.isFinite(v)), 'ICT expression coefficients are bounded below');
  const state: CoarseState = { id: new Float64Array(Ki), frames: [{ ...rigid, exp, light: new Float32Array(27), albedo: new Float64Array(ctx.albedo.size) }] };
  const weights = DEFAULT_COARSE_WEIGHTS;
  const geo = { positions: new Float32Array(0), normals: new Float32Array(0), screen: new Float32Array(0), visible: new Uint8Array(0) };
  // Landmarks only; the contour search reads positions, so take them from the linear model at the state.
  const sysOpts = { weights, level: null, maxSamples: 0, lightingRounds: 0, contour: 'static' as const };
  const sys = buildFrameSystem(ctx, frame, state.id, state.frames[0], geo, sysOpts);

  // Reference: the system lmIteration assembles (data + priors; one photo, so the column order is the photo's).
  const P = frameParamCount(ctx);
  const { H, g } = frameNormalEquations(ctx, sys, state.id, state.frames[0]);
  for (let k = 0; k < Ki; k++) H[k * (P + 1)] += weights.identityPrior;
  for (let k = 0; k < Ke; k++) {
    const c = Ki + 6 + k;
    H[c * (P + 1)] += weights.expressionPrior;
    g[c] += weights.expressionPrior * exp[k];
  }
  const held: number[] = [];
  for (let k = 0; k < Ke; k++) if (g[Ki + 6 + k] > 0) held.push(Ki + 6 + k);
  assert.ok(held.length > 5 && held.length < Ke - 3, `${held.length} of ${Ke} coefficients pushed below their bound`);
  const free: number[] = [];
  for (let c = 0; c < P; c++) if (!held.includes(c)) free.push(c);
  const n = free.length;
  const Hr = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  free.forEach((ci, i) => {
    rhs[i] = -g[ci];
    free.forEach((cj, j) => (Hr[i * n + j] = H[ci * P + cj]));
  });
  const reduced = solveCholesky(Hr, rhs, n)!;
  assert.ok(reduced, 'reduced system is positive definite');

  // Undamped step (lambda 0), so the LM step is the Gauss-Newton step.
  const res = lmIteration(ctx, [sys], state, { lambda: 0 }, { weights, identity: true, poseOnly: false });
  assert.ok(res.accepted, 'the step lowers the energy');
  const next = res.state;
  for (const c of held) assert.equal(next.frames[0].exp[c - Ki - 6], ctx.expLo[c - Ki - 6], `coefficient ${c - Ki - 6} stays on its bound`);
  let err = 0, ref = 0, moved = 0;
  free.forEach((c, i) => {
    let d: number, want: number;
    if (c < Ki) {
      d = next.id[c] - state.id[c];
      want = reduced[i];
    } else if (c >= Ki + 6) {
      // A free coefficient may still be stepped past a bound by its coupling to the others: clamped afterwards.
      const k = c - Ki - 6;
      d = next.frames[0].exp[k] - exp[k];
      want = Math.min(ctx.expHi[k], Math.max(ctx.expLo[k], exp[k] + reduced[i])) - exp[k];
      if (d > 1e-3) moved++;
    } else return; // pose columns live on the rotation manifold; identity and expression suffice
    err += (d - want) ** 2;
    ref += want ** 2;
  });
  assert.ok(moved >= 3, `${moved} expression coefficients moved off the bound`);
  assert.ok(Math.sqrt(err / ref) < 1e-8, `relative difference to the reduced Gauss-Newton step ${Math.sqrt(err / ref)}`);

  // The projection the active set replaces (solve with every coefficient free, clamp afterwards) is a
  // different step, so the comparison above can fail.
  const full = solveCholesky(H.slice(), g.map((v) => -v), P)!;
  let diff = 0;
  free.forEach((c, i) => {
    if (c < Ki) diff += (full[c] - reduced[i]) ** 2;
    else if (c >= Ki + 6) {
      const k = c - Ki - 6;
      const clamped = Math.min(ctx.expHi[k], Math.max(ctx.expLo[k], exp[k] + full[c])) - exp[k];
      diff += (clamped - reduced[i]) ** 2;
    }
  });
  assert.ok(Math.sqrt(diff / ref) > 0.05, `clamped full step differs from the reduced one by ${Math.sqrt(diff / ref)}`);
});
