import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries, type ParameterBlock } from '@facekit/core';
import { parameterPriorLoss } from '../src/index.js';
import { close, gradCheck, leakFree, randn, randu, rng, t, value } from './helpers.js';

describe('parameterPriorLoss', () => {
  const r = rng(5);
  const B = 3;
  const stdShape = Float32Array.from(randu(10, r, 0.5, 3));
  const meanShape = Float32Array.from(randn(10, r, 0.1));
  const blocks: ParameterBlock[] = [
    { name: 'shape', size: 10, prior: { mean: meanShape, std: stdShape } },
    { name: 'expression', size: 6, prior: { std: 2 } },
    { name: 'albedo', size: 4 },
    { name: 'pose', size: 6 },
  ];
  const shape = randn(B * 8, r); // a truncated fit: 8 of 10 coefficients
  const expression = randn(B * 6, r);
  const albedo = randn(B * 4, r);

  function ref(): number {
    let e = 0;
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 8; k++) e += (shape[b * 8 + k] - meanShape[k]) ** 2 / stdShape[k] ** 2;
      for (let k = 0; k < 6; k++) e += 0.5 * expression[b * 6 + k] ** 2 / 4;
      for (let k = 0; k < 4; k++) e += albedo[b * 4 + k] ** 2;
    }
    return e / B;
  }

  it('matches a float64 reference (block priors, per-block weights, truncated block)', () => {
    const loss = parameterPriorLoss({ blocks, blockWeights: { expression: 0.5 } });
    const inputs = { params: { shape: t(shape, [B, 8]), expression: t(expression, [B, 6]), albedo: t(albedo, [B, 4]) } };
    close(leakFree(loss, inputs), ref());
    close(leakFree(loss, inputs), ref()); // cached constants survive
  });

  it('explicit priors, [K] input, include filter, sum reduction', () => {
    const loss = parameterPriorLoss({ blocks: { shape: { std: 2, mean: 1 } }, include: ['shape'], reduction: 'sum' });
    const x = [1, 3, -1];
    close(value(loss.compute({ params: { shape: t(x, [3]), pose: tf.ones([1, 6]) } })), (0 + 1 + 1));
  });

  it('is zero at the mean; throws for an unknown block', () => {
    const loss = parameterPriorLoss({ blocks });
    assert.equal(value(loss.compute({ params: { shape: t(meanShape, [1, 10]), expression: tf.zeros([2, 6]) } })), 0);
    assert.throws(() => loss.compute({ params: { shapes: tf.zeros([1, 10]) } }), /no prior for block "shapes"/);
  });

  it('gradient w.r.t. the coefficients matches finite differences', () => {
    const loss = parameterPriorLoss({ blocks });
    const e = t(expression, [B, 6]);
    gradCheck((x) => loss.compute({ params: { shape: x, expression: e } }), shape, [B, 8]);
  });

  it('registry lookup with options', async () => {
    const l = await registries.losses.get('parameter-prior', { blocks, weight: 1e-3 });
    assert.equal(l.name, 'parameter-prior');
    assert.equal(l.weight, 1e-3);
  });
});
