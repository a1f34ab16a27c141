import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BilinearFitContext, fitBilinear } from '../src/index.js';
import { gaussian, maxAbsDiff, randomModel, rng } from './helpers.js';

/** Cosine similarity of two vectors (the bilinear weights are defined up to a scale exchanged between w_id and w_exp). */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

describe('ALS fitting', () => {
  const model = randomModel(60, 5, 4, 31, true);
  const g = gaussian(rng(99));
  const wid = Float64Array.from({ length: 5 }, g);
  const wexps = Array.from({ length: 6 }, () => Float64Array.from({ length: 4 }, g));
  const targets = wexps.map((w) => Float32Array.from(model.decodeWeights(wid, w)));

  for (const strategy of ['direct', 'gram'] as const) {
    it(`recovers known weights (${strategy})`, () => {
      const ctx = new BilinearFitContext(model);
      if (strategy === 'gram') ctx.withGram();
      const fit = ctx.fit(targets, { iterations: 200, tolerance: 1e-14 });
      assert.ok(fit.rms < 1e-4, `rms ${fit.rms}`);
      assert.ok(Math.abs(cosine(fit.identity, wid)) > 1 - 1e-6, `identity cosine ${cosine(fit.identity, wid)}`);
      // The only ambiguity is a scale c: (c w_id, w_exp / c). Fix it from the identity and compare expressions.
      const c = fit.identity.reduce((a, v, i) => a + v * wid[i], 0) / wid.reduce((a, v) => a + v * v, 0);
      fit.expressions.forEach((w, k) => assert.ok(maxAbsDiff(Array.from(w, (v) => v * c), wexps[k]) < 1e-3, `expression ${k}`));
      for (let i = 1; i < fit.history.length; i++) assert.ok(fit.history[i] <= fit.history[i - 1] * (1 + 1e-9) + 1e-9, 'objective increased');
    });
  }

  it('fits on a vertex subset and agrees across strategies', () => {
    const vertices = Array.from({ length: 20 }, (_, i) => 3 * i);
    const a = fitBilinear(model, targets, { vertices, iterations: 200, tolerance: 1e-14 });
    const ctx = new BilinearFitContext(model, vertices).withGram();
    const b = ctx.fit(targets, { iterations: 200, tolerance: 1e-14 });
    assert.ok(a.rms < 1e-4 && b.rms < 1e-4, `${a.rms} ${b.rms}`);
    const full = model.decodeWeights(a.identity, a.expressions[2]);
    assert.ok(maxAbsDiff(full, targets[2]) < 1e-3, 'a subset fit generalises to every vertex for exact data');
  });

  it('truncated contexts slice the Gram matrix consistently', () => {
    const ctx = new BilinearFitContext(model).withGram();
    const small = ctx.truncated(3, 2);
    const direct = new BilinearFitContext(model.truncated(3, 2));
    const a = small.fit(targets, { iterations: 50 });
    const b = direct.fit(targets, { iterations: 50 });
    assert.ok(Math.abs(a.rms - b.rms) < 1e-4 * Math.max(1, b.rms), `${a.rms} vs ${b.rms}`);
  });

  it('pulls weights towards the prior when regularised', () => {
    const free = fitBilinear(model, targets.slice(0, 1), { iterations: 20 });
    const reg = fitBilinear(model, targets.slice(0, 1), { iterations: 20, identityRegularization: 1e3, expressionRegularization: 1e3 });
    const norm = (w: ArrayLike<number>): number => Math.hypot(...Array.from(w));
    assert.ok(norm(reg.expressions[0]) < norm(free.expressions[0]));
    assert.throws(() => fitBilinear(model, []), RangeError);
    assert.throws(() => fitBilinear(model, [new Float32Array(5)]), RangeError);
  });
});
