/**
 * The photometric term samples the photo between pixels (mixing neighbouring vertices' colours) but compares
 * with a vertex's own colour, so even the true shape leaves a residual. `renderCorrection` renders the model the
 * same way and removes that sampling bias. Checked on a render made with the fitter's own image formation, at
 * the true state with the true albedo and lighting: the residual left at the truth, and how far one
 * Gauss-Newton step moves the identity away from it (measured: 2.7e-3 -> 4e-5 and 3.9 mm -> 0.04 mm); and, with
 * the lighting solved rather than given, that the solve sees the corrected photo. The bias's fast path (one 4 x 4
 * stencil per sample) is checked against building a pyramid level of the render.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateAttributes, shadeVertices, type FaceModel } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import {
  buildFrameSystem,
  cameraNormals,
  buildPyramid,
  evaluateAlbedo,
  frameGeometry,
  makeLevel,
  sampleLevel,
  prepareModel,
  DEFAULT_COARSE_WEIGHTS,
  type FitContext,
  type FrameState,
} from '../src/index.js';
import { exactAlbedo, gaussians, ICT_DIR, identityStepMm, renderSynthetic, SKIP_ICT } from './helpers.js';

let model: FaceModel;
before(async () => {
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

/**
 * A render of `seed` (identity drawn from seed 200 + seed) with the fitter's own image formation, and the fitter's
 * state at its truth: true albedo (as a 3-mode space), shape, pose, and `light` (default the true lighting).
 */
function atTrueState(seed: number, light?: Float32Array) {
  const syn = renderSynthetic(model, { seed, identity: gaussians(60, 200 + seed) });
  const ctx: FitContext = { ...prepareModel(model), albedo: exactAlbedo(syn.albedo) };
  const id = syn.z.slice(0, ctx.Ki), exp = syn.z.slice(ctx.Ki);
  const fs: FrameState = { R: syn.R, s: syn.s, tx: syn.tx, ty: syn.ty, exp, light: light ?? syn.light, albedo: new Float64Array(3) };
  const pyramid = buildPyramid(syn.image, 1);
  const frame = { pyramid, landmarks: Float64Array.from(syn.face.landmarks68!), faceSize: 140 };
  const geo = frameGeometry(ctx, id, fs, 256, 256, 1);
  return { syn, ctx, id, fs, pyramid, frame, geo };
}

function atTruth(seed: number, renderCorrection: boolean): { residual: number; stepMm: number } {
  const { ctx, id, fs, pyramid, frame, geo } = atTrueState(seed);
  const weights = { ...DEFAULT_COARSE_WEIGHTS, photometric: 30, identityPrior: 1e-8, expressionPrior: 1e-4 };
  const sys = buildFrameSystem(ctx, frame, id, fs, geo, { weights, level: pyramid[0], maxSamples: 2000, lightingRounds: 0, contour: 'static', skinMask: true, renderCorrection });
  const sh = sys.shade!;
  let residual = 0;
  for (let j = 0; j < 3 * sys.ns; j++) residual += Math.abs(sh.obs![j] - (sh.bias?.[j] ?? 0) - sys.target[j]) / (3 * sys.ns);
  // One undamped Gauss-Newton step from the truth, identity part as RMS vertex displacement on the fit region.
  return { residual, stepMm: identityStepMm(ctx, sys, id, fs, weights) };
}

test('render correction: smaller residual at the true shape, and a shorter step away from it', { skip: SKIP_ICT }, () => {
  for (const seed of [100, 101]) {
    const plain = atTruth(seed, false);
    const corrected = atTruth(seed, true);
    assert.ok(plain.residual > 1e-3, `seed ${seed}: the uncorrected residual at the truth is ${plain.residual}`);
    assert.ok(corrected.residual < 0.1 * plain.residual, `seed ${seed}: residual ${corrected.residual} vs ${plain.residual}`);
    assert.ok(corrected.stepMm < 0.2 * plain.stepMm, `seed ${seed}: step ${corrected.stepMm.toFixed(3)} mm vs ${plain.stepMm.toFixed(3)} mm`);
  }
});

/**
 * Lighting solved at the true shape (from an ambient-only start) with and without the correction: the solve
 * must use the corrected photo, or the sampling bias leaks into the lighting. Returns the RMS difference between
 * the solved and the true shading over the samples, relative to the RMS true shading, and the mean absolute
 * residual left at the truth.
 */
function solvedLighting(seed: number, renderCorrection: boolean): { shadingError: number; residual: number } {
  const ambient = new Float32Array(27);
  ambient[0] = ambient[1] = ambient[2] = 2.8;
  const { syn, ctx, id, fs, pyramid, frame, geo } = atTrueState(seed, ambient);
  const weights = { ...DEFAULT_COARSE_WEIGHTS, lightingRidge: 1e-5 };
  const sys = buildFrameSystem(ctx, frame, id, fs, geo, { weights, level: pyramid[0], maxSamples: 2000, lightingRounds: 3, contour: 'static', skinMask: true, renderCorrection });
  const nrm = cameraNormals(fs.R, geo.normals, sys.samples);
  const solved = shadeVertices(nrm, null, fs.light), truth = shadeVertices(nrm, null, syn.light);
  let d2 = 0, t2 = 0;
  for (let j = 0; j < solved.length; j++) {
    d2 += (solved[j] - truth[j]) ** 2;
    t2 += truth[j] ** 2;
  }
  const sh = sys.shade!;
  let residual = 0;
  for (let j = 0; j < 3 * sys.ns; j++) residual += Math.abs(sh.obs![j] - (sh.bias?.[j] ?? 0) - sys.target[j]) / (3 * sys.ns);
  return { shadingError: Math.sqrt(d2 / t2), residual };
}

test('render correction: lighting solved against the corrected photo matches the true lighting', { skip: SKIP_ICT }, () => {
  for (const seed of [100, 101]) {
    const plain = solvedLighting(seed, false);
    const corrected = solvedLighting(seed, true);
    // Measured: shading error 4.9e-3 -> 4.3e-4 (seed 100), 5.3e-3 -> 5.6e-4 (seed 101); residual 2.8e-3 -> 1.5e-4.
    assert.ok(plain.shadingError > 2e-3, `seed ${seed}: uncorrected shading error ${plain.shadingError}`);
    assert.ok(corrected.shadingError < 0.2 * plain.shadingError, `seed ${seed}: shading error ${corrected.shadingError} vs ${plain.shadingError}`);
    assert.ok(corrected.residual < 0.1 * plain.residual, `seed ${seed}: residual ${corrected.residual} vs ${plain.residual}`);
  }
});

test('render correction: the per-sample stencil reads what a pyramid level of the render would give', { skip: SKIP_ICT }, () => {
  // The bias is computed without building a level of the rendered model: bilinear weights convolved with the
  // level's [1 2 1]/4 smoothing, as one 4 x 4 stencil on the rendered pixels. Here the slow way: render the model's
  // vertex colours, build a pyramid level of the render (makeLevel), sample it at each sample (sampleLevel).
  const { ctx, id, fs, pyramid, frame, geo } = atTrueState(100);
  const weights = { ...DEFAULT_COARSE_WEIGHTS, photometric: 30 };
  const sys = buildFrameSystem(ctx, frame, id, fs, geo, { weights, level: pyramid[0], maxSamples: 2000, lightingRounds: 0, contour: 'static', skinMask: true, renderCorrection: true });
  const bias = sys.shade!.bias!;
  const lin = ctx.lin, V = lin.vertexCount, raster = geo.raster!;
  const all = Uint32Array.from({ length: V }, (_, i) => i);
  const colors = shadeVertices(cameraNormals(fs.R, geo.normals, all), evaluateAlbedo(ctx.albedo, fs.albedo), fs.light);
  const rendered = interpolateAttributes(raster, lin.triangles, colors, 3);
  const level = makeLevel({ width: raster.width, height: raster.height, channels: 3, data: rendered }, 1);
  const out = new Float64Array(9);
  let compared = 0, worst = 0, largest = 0;
  for (let p = 0; p < sys.ns; p++) {
    const i = sys.samples[p];
    const x = geo.screen[3 * i] - 0.5, y = geo.screen[3 * i + 1] - 0.5;
    const x0 = Math.floor(x), y0 = Math.floor(y);
    // Samples whose 4 x 4 window leaves the rendered face get no correction (the level would mix in background).
    let covered = x0 >= 1 && y0 >= 1 && x0 + 2 < raster.width && y0 + 2 < raster.height;
    for (let yy = y0 - 1; covered && yy <= y0 + 2; yy++) for (let xx = x0 - 1; xx <= x0 + 2; xx++) if (raster.triangleIds[yy * raster.width + xx] < 0) covered = false;
    if (!covered) {
      for (let c = 0; c < 3; c++) assert.equal(bias[3 * p + c], 0, `sample ${p} near the silhouette has no correction`);
      continue;
    }
    sampleLevel(level, geo.screen[3 * i], geo.screen[3 * i + 1], out);
    for (let c = 0; c < 3; c++) {
      const want = out[c] - sys.target[3 * p + c];
      worst = Math.max(worst, Math.abs(bias[3 * p + c] - want));
      largest = Math.max(largest, Math.abs(want));
    }
    compared++;
  }
  assert.ok(compared > 0.8 * sys.ns, `${compared} of ${sys.ns} samples are away from the silhouette`);
  assert.ok(largest > 1e-3, `the bias is not trivially zero (largest ${largest})`);
  // The level stores f32 values: agreement to f32 rounding of colours around 0.5.
  assert.ok(worst < 1e-6, `stencil vs pyramid level: worst difference ${worst}`);
});
