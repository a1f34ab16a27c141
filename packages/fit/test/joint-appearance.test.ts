/**
 * Joint appearance (`jointAppearance`): the appearance blocks of the normal equations against finite
 * differences of the residual vector (exact: the residual is linear in lighting and albedo), and the Schur
 * elimination against a direct solve of the full (geometry + appearance) system.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DenseWorkspace, gemmSimdAvailable, resizeImage, solveCholesky, type FaceModel } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import {
  ACCURATE_PRESET,
  applyFrameStep,
  appearanceStep,
  buildFrameSystem,
  buildPyramid,
  DEFAULT_COARSE_WEIGHTS,
  eliminateAppearance,
  evaluateAlbedo,
  expandSharedField,
  frameEnergy,
  frameGeometry,
  frameNormalEquations,
  frameParamCount,
  frameResiduals,
  prepareModel,
  resolveFitOptions,
  rigidFromLandmarks,
  SAMPLE_BATCH,
  solveAlbedo,
  type FrameState,
} from '../src/index.js';
import { ICT_DIR, renderSynthetic, SKIP_ICT } from './helpers.js';

let model: FaceModel;
before(async () => {
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

function setup() {
  const ctx = prepareModel(model, { identityModes: 20, skinPrior: 'field' });
  const syn = renderSynthetic(model, { seed: 5 });
  const pyramid = buildPyramid(resizeImage(resizeImage(syn.image, 48, 48, { filter: 'area' }), 256, 256, { filter: 'bilinear' }), 2);
  const landmarks = Float64Array.from(syn.face.landmarks68!);
  const rigid = rigidFromLandmarks(ctx, landmarks);
  const light = new Float32Array(27);
  light[0] = light[1] = light[2] = 2.8;
  light[9] = light[10] = light[11] = 0.8;
  const albedo = new Float64Array(ctx.albedo.size);
  for (let k = 3; k < albedo.length; k++) albedo[k] = 0.01 * Math.sin(7 * k);
  const fs: FrameState = { ...rigid, exp: new Float64Array(ctx.Ke).fill(0.05), light, albedo };
  const id = new Float64Array(ctx.Ki).fill(0.1);
  const level = pyramid[1];
  const geo = frameGeometry(ctx, id, fs, 256, 256, level.scale);
  const weights = { ...DEFAULT_COARSE_WEIGHTS, lightingRidge: 1e-3 };
  const sys = buildFrameSystem(ctx, { pyramid, landmarks, faceSize: 140 }, id, fs, geo, {
    weights,
    level,
    maxSamples: 300,
    lightingRounds: 0,
    jointAppearance: true,
  });
  return { ctx, fs, id, sys, weights };
}

test('appearance blocks of the joint normal equations match finite differences', { skip: SKIP_ICT }, () => {
  const { ctx, fs, id, sys, weights } = setup();
  assert.ok(sys.joint && sys.ns > 100, `joint system with ${sys.ns} samples`);
  const ne = frameNormalEquations(ctx, sys, id, fs);
  const app = ne.appearance!;
  assert.ok(app, 'the joint system returns its appearance block');
  const P = frameParamCount(ctx);
  const A = 27 + ctx.albedo.size;
  assert.equal(app.A, A);
  const r0 = frameResiduals(ctx, sys, id, fs);
  // Appearance columns: the residual is linear in them, so one-sided differences are exact up to rounding.
  const Ja: Float64Array[] = [];
  for (let a = 0; a < A; a++) {
    const h = 1e-3;
    const light = Float32Array.from(fs.light), albedo = fs.albedo.slice();
    if (a < 27) light[a] += h;
    else albedo[a - 27] += h;
    const r = frameResiduals(ctx, sys, id, { ...fs, light, albedo });
    // Float32 lighting: use the step actually taken.
    const hs = a < 27 ? light[a] - fs.light[a] : h;
    Ja.push(r.map((v, i) => (v - r0[i]) / hs));
  }
  let worstH = 0, worstG = 0;
  for (let a = 0; a < A; a++) {
    // Priors as documented: lighting ridge x mean diagonal per channel, photometric x prior on albedo.
    const prior = a < 27 ? app.lightRidge[a % 3] : weights.photometric * ctx.albedo.prior[a - 27];
    const value = a < 27 ? fs.light[a] : fs.albedo[a - 27];
    let ga = prior * value;
    for (let i = 0; i < r0.length; i++) ga += Ja[a][i] * r0[i];
    for (let b = a; b < A; b++) {
      let hab = a === b ? prior : 0;
      for (let i = 0; i < r0.length; i++) hab += Ja[a][i] * Ja[b][i];
      const scale = Math.sqrt(app.Haa[a * (A + 1)] * app.Haa[b * (A + 1)]);
      worstH = Math.max(worstH, Math.abs(hab - app.Haa[a * A + b]) / scale);
    }
    worstG = Math.max(worstG, Math.abs(ga - app.ga[a]) / Math.sqrt(app.Haa[a * (A + 1)] * (r0.reduce((s, v) => s + v * v, 0) + 1e-30)));
  }
  assert.ok(worstH < 1e-3, `Haa worst scaled error ${worstH}`);
  assert.ok(worstG < 1e-3, `g_a worst scaled error ${worstG}`);
  // The lighting ridge is relative to the data's own lighting diagonal, as solveSHLighting's.
  for (let c = 0; c < 3; c++) {
    let d = 0;
    for (let k = 0; k < 9; k++) for (let i = 0; i < r0.length; i++) d += Ja[3 * k + c][i] ** 2 / 9;
    assert.ok(Math.abs(app.lightRidge[c] - 1e-3 * d) <= 1e-6 * d, `lighting ridge of channel ${c}`);
  }
  // Cross block against central differences over the geometry (image-gradient kinks: a few percent).
  let num = 0, den = 0;
  for (let j = 0; j < P; j++) {
    const h = 1e-5;
    const ev = (sgn: number): Float64Array => {
      const idp = id.slice();
      const step = new Float64Array(P);
      step[j] = sgn * h;
      if (j < ctx.Ki) idp[j] += sgn * h;
      // The expression starts inside its range, so applyFrameStep does not clamp the difference.
      return frameResiduals(ctx, sys, idp, applyFrameStep(ctx, fs, step, ctx.Ki));
    };
    const rp = ev(1), rm = ev(-1);
    for (let a = 0; a < A; a++) {
      let hja = 0;
      for (let i = 0; i < r0.length; i++) hja += ((rp[i] - rm[i]) / (2 * h)) * Ja[a][i];
      const w = 1 / Math.sqrt(Math.max(ne.H[j * (P + 1)] * app.Haa[a * (A + 1)], 1e-30));
      num += ((hja - app.Hpa[j * A + a]) * w) ** 2;
      den += (hja * w) ** 2;
    }
  }
  assert.ok(Math.sqrt(num / den) < 0.1, `Hpa relative error ${Math.sqrt(num / den)}`);
});

test('the Schur elimination gives the step of the full geometry + appearance system', { skip: SKIP_ICT }, () => {
  const { ctx, fs, id, sys } = setup();
  const ne = frameNormalEquations(ctx, sys, id, fs);
  const app = ne.appearance!;
  const P = app.P, A = app.A, N = P + A;
  for (const lambda of [0, 0.1]) {
    // Geometry block with a small ridge (the priors lmIteration adds), damped like the appearance.
    const Hg = ne.H.slice();
    for (let i = 0; i < P; i++) Hg[i * (P + 1)] = Hg[i * (P + 1)] * (1 + lambda) + 1e-4;
    const full = new Float64Array(N * N);
    const rhs = new Float64Array(N);
    for (let i = 0; i < P; i++) {
      rhs[i] = -ne.g[i];
      for (let j = 0; j < P; j++) full[i * N + j] = Hg[i * P + j];
      for (let a = 0; a < A; a++) full[i * N + P + a] = full[(P + a) * N + i] = app.Hpa[i * A + a];
    }
    for (let a = 0; a < A; a++) {
      rhs[P + a] = -app.ga[a];
      for (let b = 0; b < A; b++) full[(P + a) * N + P + b] = app.Haa[a * A + b] * (a === b ? 1 + lambda : 1);
    }
    const direct = solveCholesky(full, rhs, N)!;
    assert.ok(direct, 'full system is positive definite');

    const el = eliminateAppearance(app, lambda)!;
    const reduced = Hg.slice();
    const rr = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      rr[i] = -(ne.g[i] - el.dg[i]);
      for (let j = 0; j < P; j++) reduced[i * P + j] -= el.dH[i * P + j];
    }
    const dTheta = solveCholesky(reduced, rr, P)!;
    const next = appearanceStep(el, dTheta, new Float32Array(27), new Float64Array(ctx.albedo.size));
    let err = 0, ref = 0;
    for (let i = 0; i < P; i++) {
      err += (dTheta[i] - direct[i]) ** 2;
      ref += direct[i] ** 2;
    }
    // appearanceStep returns value - (y + X d); from zeros that is the appearance step itself.
    for (let a = 0; a < A; a++) {
      const da = a < 27 ? next.light[a] : next.albedo[a - 27];
      const tol = a < 27 ? 1e-6 * Math.max(1, Math.abs(direct[P + a])) : 0;
      err += Math.max(0, Math.abs(da - direct[P + a]) - tol) ** 2;
      ref += direct[P + a] ** 2;
    }
    assert.ok(Math.sqrt(err / ref) < 1e-6, `lambda ${lambda}: relative difference ${Math.sqrt(err / ref)}`);
  }
});

test('the accurate preset fills defaults and explicit options win', () => {
  const o = resolveFitOptions({ preset: 'accurate', weights: { landmark: 1 }, schedule: { landmarkIterations: 3 }, imageShift: false });
  assert.equal(o.jointAppearance, true);
  assert.equal(o.skinPrior, 'field');
  assert.equal(o.imageShift, false);
  assert.equal(o.weights!.landmark, 1);
  assert.equal(o.weights!.photometric, ACCURATE_PRESET.weights!.photometric);
  assert.deepEqual(o.schedule, { iterations: [0, 0, 12], samples: [400, 700, 1500], landmarkIterations: 3 });
  assert.deepEqual(o.skinMask, { lips: 0.08, brows: 0.1, eyes: 0.12, nostrils: 0.04 });
  assert.equal(resolveFitOptions({ preset: 'accurate', skinMask: false }).skinMask, false);
  assert.equal(resolveFitOptions({ preset: 'accurate', skinMask: true }).skinMask, true);
  assert.deepEqual(resolveFitOptions({ preset: 'accurate', skinMask: { eyes: 0.2 } }).skinMask, { lips: 0.08, brows: 0.1, eyes: 0.2, nostrils: 0.04 });
  assert.deepEqual(o.detail, { mu1: 0.5 });
  assert.deepEqual(resolveFitOptions({ preset: 'accurate', detail: { gnSteps: 3 } }).detail, { mu1: 0.5, gnSteps: 3 });
  assert.deepEqual(resolveFitOptions({ preset: 'accurate', detail: true }).detail, { mu1: 0.5 });
  assert.equal(resolveFitOptions({ preset: 'accurate', detail: false }).detail, false);
  assert.deepEqual(resolveFitOptions({ cropSize: 128 }), { cropSize: 128 });
  assert.throws(() => resolveFitOptions({ preset: 'best' as 'fast' }), /unknown fit preset 'best'/);
});

test('the shared-field fast path equals the per-channel path through the full basis', { skip: SKIP_ICT }, () => {
  const { ctx, fs, id, sys } = setup();
  assert.ok(ctx.albedo.shared, 'the field prior declares its shared field');
  // The same albedo space with the field written out as a plain basis: every solver reads it per channel.
  const plain = { ...ctx, albedo: expandSharedField(ctx.albedo) };
  assert.equal(plain.albedo.shared, undefined);
  assert.equal(plain.albedo.basis.length, ctx.albedo.size * ctx.albedo.mean.length);
  const a = frameNormalEquations(ctx, sys, id, fs).appearance!;
  const b = frameNormalEquations(plain, sys, id, fs).appearance!;
  const relErr = (x: Float64Array, y: Float64Array): number => {
    let d = 0, n = 0;
    for (let i = 0; i < x.length; i++) {
      d = Math.max(d, Math.abs(x[i] - y[i]));
      n = Math.max(n, Math.abs(y[i]));
    }
    return d / n;
  };
  assert.ok(relErr(a.Haa, b.Haa) < 1e-6, `Haa ${relErr(a.Haa, b.Haa)}`);
  assert.ok(relErr(a.Hpa, b.Hpa) < 1e-6, `Hpa ${relErr(a.Hpa, b.Hpa)}`);
  assert.ok(relErr(a.ga, b.ga) < 1e-6, `ga ${relErr(a.ga, b.ga)}`);
  const ea = evaluateAlbedo(ctx.albedo, fs.albedo, sys.samples);
  const eb = evaluateAlbedo(plain.albedo, fs.albedo, sys.samples);
  assert.ok(relErr(Float64Array.from(ea), Float64Array.from(eb)) < 1e-5);
  // Closed-form albedo from a made-up observation: both paths give the same coefficients.
  const shading = new Float64Array(3 * sys.ns).map((_, j) => 0.8 + 0.1 * Math.sin(j));
  const colors = Float64Array.from(ea, (v, j) => v * shading[j] + 0.01 * Math.cos(3 * j));
  const weights = new Float64Array(sys.ns).fill(1 / sys.ns);
  const sa = solveAlbedo(ctx.albedo, sys.samples, colors, shading, weights);
  const sb = solveAlbedo(plain.albedo, sys.samples, colors, shading, weights);
  // float32 storage of the expanded basis vs colour x field in double: rounding, amplified by the solve.
  assert.ok(relErr(sa, sb) < 1e-4, `solveAlbedo ${relErr(sa, sb)}`);
  assert.ok(Math.max(...sa.map(Math.abs)) > 1e-3, 'the solve moved the coefficients');
});

test('normal equations through the SIMD and the JS matrix kernels agree', { skip: SKIP_ICT }, (t) => {
  if (!gemmSimdAvailable()) {
    t.skip('WebAssembly SIMD is not available in this runtime');
    return;
  }
  const { ctx, fs, id, sys } = setup();
  // 300 samples: four full batches of 64 and a partial one, so the partial flush is covered too.
  assert.ok(sys.ns > 4 * SAMPLE_BATCH && sys.ns % SAMPLE_BATCH !== 0, `${sys.ns} samples`);
  const simd = DenseWorkspace.create();
  const js = DenseWorkspace.create({ simd: false });
  assert.equal(simd.backend, 'simd');
  const a = frameNormalEquations(ctx, sys, id, fs, simd);
  const b = frameNormalEquations(ctx, sys, id, fs, js);
  const close = (x: Float64Array, y: Float64Array, what: string): void => {
    let scale = 0;
    for (const v of y) scale = Math.max(scale, Math.abs(v));
    assert.ok(scale > 0, `${what} is all zero`);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= 1e-12 * scale, `${what}[${i}]: ${x[i]} vs ${y[i]}`);
  };
  close(a.H, b.H, 'H');
  close(a.g, b.g, 'g');
  close(a.appearance!.Hpa, b.appearance!.Hpa, 'Hpa');
  close(a.appearance!.Haa, b.appearance!.Haa, 'Haa');
  close(a.appearance!.ga, b.appearance!.ga, 'ga');
  // The energy that comes with the normal equations is frameEnergy's, from the same residuals.
  const e = frameEnergy(ctx, sys, id, fs);
  assert.ok(e > 0 && Math.abs(a.energy - e) <= 1e-12 * e, `energy ${a.energy} vs frameEnergy ${e}`);
  // H is symmetric and positive on its diagonal (both triangles filled from the kernel's upper one).
  const P = frameParamCount(ctx);
  for (let i = 0; i < P; i++) {
    assert.ok(a.H[i * (P + 1)] >= 0);
    for (let j = 0; j < i; j++) assert.equal(a.H[i * P + j], a.H[j * P + i]);
  }
});
