/**
 * Overexposed photos: where a channel is clipped at the sensor's maximum, the photo only says that the true
 * colour is at least that bright. The pyramid marks such pixels (widened by its smoothing and by the bilinear
 * lookup), and the photometric term drops a sample whose prediction is at least as bright as a clipped
 * observation instead of pulling the shape and the shading down to it. Measured on renders at 1.6x exposure,
 * at the true state: all 777 / 801 samples on clipped pixels dropped (of 1887 / 1799), and one Gauss-Newton step
 * moves the identity 0.006 / 0.16 mm instead of 3.6 / 2.4 mm (seeds 100 / 101). Without the drop the test fails.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type FaceModel, type ImageF32 } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import {
  buildFrameSystem,
  buildPyramid,
  clippedAt,
  frameGeometry,
  prepareModel,
  CLIP_LEVEL,
  DEFAULT_COARSE_WEIGHTS,
  type FitContext,
  type FrameState,
} from '../src/index.js';
import { exactAlbedo, gaussians, ICT_DIR, identityStepMm, renderSynthetic, SKIP_ICT } from './helpers.js';

function flatImage(width: number, height: number, value: number): ImageF32 {
  return { width, height, channels: 3, data: new Float32Array(width * height * 3).fill(value) };
}

test('pyramid: clip bits per channel, widened by the smoothing, carried to coarser levels', () => {
  const img = flatImage(32, 32, 0.5);
  // Red clipped on a 4 x 4 block at x 10..13, y 6..9; blue clipped on the single pixel (25, 20).
  for (let y = 6; y < 10; y++) for (let x = 10; x < 14; x++) img.data[3 * (y * 32 + x)] = 1;
  img.data[3 * (20 * 32 + 25) + 2] = 1;
  const [l0, l1] = buildPyramid(img, 2);
  assert.ok(l0.clipped && l1.clipped);
  // Independent check: a level pixel carries a bit when a clipped base pixel lies within one level pixel of its
  // footprint (the footprint of level pixel x at scale 1/f is base pixels f x .. f x + f - 1).
  const expected = (f: number, x: number, y: number): number => {
    let bits = 0;
    for (let by = 0; by < 32; by++) {
      for (let bx = 0; bx < 32; bx++) {
        const lx = Math.floor(bx / f), ly = Math.floor(by / f);
        if (Math.abs(lx - x) > 1 || Math.abs(ly - y) > 1) continue;
        const o = 3 * (by * 32 + bx);
        bits |= (img.data[o] >= CLIP_LEVEL ? 1 : 0) | (img.data[o + 1] >= CLIP_LEVEL ? 2 : 0) | (img.data[o + 2] >= CLIP_LEVEL ? 4 : 0);
      }
    }
    return bits;
  };
  for (const [level, f] of [[l0, 1], [l1, 2]] as const) {
    for (let y = 0; y < level.height; y++) for (let x = 0; x < level.width; x++) assert.equal(level.clipped![y * level.width + x], expected(f, x, y), `level 1/${f} pixel (${x}, ${y})`);
  }
  // Level 0: red only next to the block, blue only next to its pixel; a lookup reads its four taps.
  assert.equal(clippedAt(l0, 12, 8), 1);
  assert.equal(clippedAt(l0, 9.2, 5.2), 1, 'the tap (8, 4) is next to the block');
  assert.equal(clippedAt(l0, 8.4, 8), 0, 'taps (7, 7) .. (8, 8) are two pixels off the block');
  assert.equal(clippedAt(l0, 25.5, 20.5), 4);
  assert.equal(clippedAt(l0, 3, 28), 0);
  // Bright but unclipped photos carry no mask.
  const bright = buildPyramid(flatImage(16, 16, 0.98), 2);
  assert.equal(bright[0].clipped, undefined);
  assert.equal(clippedAt(bright[0], 8, 8), 0);
});

let model: FaceModel;
before(async () => {
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

/** At the true state of an overexposed render: samples dropped, and how far one Gauss-Newton step moves the identity (mm). */
function stepFromTruth(seed: number, useClipMask: boolean): { censored: number; clippedSamples: number; ns: number; stepMm: number } {
  const syn = renderSynthetic(model, { seed, identity: gaussians(60, 300 + seed), exposure: 1.6 });
  const base = prepareModel(model);
  const ctx: FitContext = { ...base, albedo: exactAlbedo(syn.albedo) };
  const id = syn.z.slice(0, ctx.Ki), exp = syn.z.slice(ctx.Ki);
  const fs: FrameState = { R: syn.R, s: syn.s, tx: syn.tx, ty: syn.ty, exp, light: syn.light, albedo: new Float64Array(3) };
  const pyramid = buildPyramid(syn.image, 1);
  // Without the mask the fit treats clipped pixels like any other (what it did before the mask existed).
  if (!useClipMask) delete pyramid[0].clipped;
  const frame = { pyramid, landmarks: Float64Array.from(syn.face.landmarks68!), faceSize: 140 };
  const geo = frameGeometry(ctx, id, fs, 256, 256, 1);
  const weights = { ...DEFAULT_COARSE_WEIGHTS, photometric: 30, identityPrior: 1e-8, expressionPrior: 1e-4 };
  const sys = buildFrameSystem(ctx, frame, id, fs, geo, { weights, level: pyramid[0], maxSamples: 2000, lightingRounds: 0, contour: 'static', skinMask: true, renderCorrection: true });
  let censored = 0, clippedSamples = 0;
  for (let p = 0; p < sys.ns; p++) {
    const u = geo.screen[3 * sys.samples[p]], v = geo.screen[3 * sys.samples[p] + 1];
    const bits = useClipMask ? clippedAt(pyramid[0], u, v) : 0;
    if (bits) clippedSamples++;
    if (sys.wPhot[p] === 0) {
      censored++;
      assert.ok(bits !== 0, `sample ${p} was dropped but reads no clipped pixel`);
    }
  }
  return { censored, clippedSamples, ns: sys.ns, stepMm: identityStepMm(ctx, sys, id, fs, weights) };
}

test('clipped highlights: samples brighter than a clipped photo drop out, and the truth stays put', { skip: SKIP_ICT }, () => {
  for (const seed of [100, 101]) {
    const masked = stepFromTruth(seed, true);
    const plain = stepFromTruth(seed, false);
    // The render is overexposed enough to matter, and at the truth (prediction = unclipped colour) nearly every
    // sample on clipped pixels is dropped; the rest sit on the widened edge of a clipped area.
    assert.ok(masked.clippedSamples > 0.1 * masked.ns, `seed ${seed}: only ${masked.clippedSamples} of ${masked.ns} samples on clipped pixels`);
    assert.ok(masked.censored > 0.9 * masked.clippedSamples, `seed ${seed}: ${masked.censored} of ${masked.clippedSamples} clipped samples dropped`);
    assert.equal(plain.censored, 0);
    assert.ok(masked.stepMm < 0.25 * plain.stepMm, `seed ${seed}: step ${masked.stepMm.toFixed(3)} mm with the mask vs ${plain.stepMm.toFixed(3)} mm without`);
  }
});
