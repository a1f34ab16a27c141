import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries } from '@facekit/core';
import { LOSS_NAMES, combineLosses, landmarkLoss, parameterPriorLoss, photometricLoss, readLossTerms } from '../src/index.js';
import { close, gradCheck, randn, randu, rng, t, value } from './helpers.js';

describe('combineLosses', () => {
  const r = rng(61);
  const pred = randn(68 * 2, r, 5), target = randn(68 * 2, r, 5);
  const img = randu(4 * 4 * 3, r), ren = randu(4 * 4 * 3, r);
  const shape = randn(10, r);
  const lmk = landmarkLoss({ weight: 2 });
  const contour = landmarkLoss({ name: 'landmark-contour', indices: [0, 1, 2, 3], weight: 0.5 });
  const photo = photometricLoss({ weight: 3 });
  const prior = parameterPriorLoss({ weight: 0.1 });
  const frozen = landmarkLoss({ name: 'unused', weight: 0 });
  const inputs = (p: tf.Tensor = t(pred, [1, 68, 2])): Record<string, unknown> => ({
    landmark: { pred: p, target: t(target, [1, 68, 2]) },
    'landmark-contour': { pred: p, target: t(target, [1, 68, 2]) },
    photometric: { rendered: t(ren, [1, 4, 4, 3]), image: t(img, [1, 4, 4, 3]) },
    'parameter-prior': { params: { shape: t(shape, [1, 10]) } },
  });

  it('total is the weighted sum of the separately computed terms', () => {
    const res = combineLosses([lmk, contour, photo, prior, frozen], inputs());
    const parts = {
      landmark: value(lmk.compute(inputs().landmark as never)),
      'landmark-contour': value(contour.compute(inputs()['landmark-contour'] as never)),
      photometric: value(photo.compute(inputs().photometric as never)),
      'parameter-prior': value(prior.compute(inputs()['parameter-prior'] as never)),
    };
    const expected = 2 * parts.landmark + 0.5 * parts['landmark-contour'] + 3 * parts.photometric + 0.1 * parts['parameter-prior'];
    close(res.total.dataSync()[0], expected, 1e-5);
    close(res.values.photometric.dataSync()[0], parts.photometric, 1e-6);
    const logged = readLossTerms(res);
    assert.deepEqual(Object.keys(logged), ['total', 'landmark', 'landmark-contour', 'photometric', 'parameter-prior']);
    close(logged.landmark, 2 * parts.landmark, 1e-6);
    assert.ok(!('unused' in logged), 'zero-weight terms are skipped');
    res.total.dispose();
  });

  it('is zero when every term is at its optimum', () => {
    const p = t(target, [1, 68, 2]);
    const res = combineLosses([lmk, prior], { landmark: { pred: p, target: p }, 'parameter-prior': { params: { shape: tf.zeros([1, 10]) } } });
    assert.equal(value(res.total), 0);
  });

  it('keepTerms survives tf.tidy; gradient of the total matches finite differences', () => {
    let kept: ReturnType<typeof combineLosses> | undefined;
    tf.tidy(() => {
      kept = combineLosses([lmk, contour], inputs(), { keepTerms: true });
    });
    assert.ok(!kept!.terms.landmark.isDisposed);
    readLossTerms(kept!);
    gradCheck((x) => combineLosses([lmk, contour, photo], inputs(x)).total, pred, [1, 68, 2]);
  });

  it('rejects duplicate names and missing inputs', () => {
    assert.throws(() => combineLosses([lmk, landmarkLoss()], inputs()), /two losses are named "landmark"/);
    assert.throws(() => combineLosses([landmarkLoss({ name: 'x' })], inputs()), /no inputs for loss "x"/);
  });
});

describe('registry', () => {
  it('registers every loss by name', async () => {
    assert.equal(LOSS_NAMES.length, 15);
    for (const name of LOSS_NAMES) {
      assert.ok(registries.losses.has(name), name);
      const loss = await registries.losses.get(name);
      assert.equal(loss.name, name);
      assert.equal(loss.weight, 1);
      assert.equal(typeof loss.formula, 'string');
      const custom = await registries.losses.get(name, { weight: 0.25, name: `${name}-2` });
      assert.equal(custom.weight, 0.25);
      assert.equal(custom.name, `${name}-2`);
    }
  });
  it('re-importing the module does not throw', async () => {
    await import('../src/register.js');
  });
});
