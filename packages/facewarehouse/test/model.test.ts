import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FacekitError } from '@facekit/core';
import { BilinearFaceModel } from '../src/index.js';
import { gaussian, maxAbsDiff, naiveDecode, randomModel, rng } from './helpers.js';

describe('BilinearFaceModel.decode', () => {
  for (const withMean of [false, true]) {
    it(`equals an independent triple-loop contraction${withMean ? ' (with a mean)' : ''}`, () => {
      const model = randomModel(40, 6, 5, 3, withMean);
      const g = gaussian(rng(11));
      for (let trial = 0; trial < 4; trial++) {
        const wid = Float32Array.from({ length: 6 }, g);
        const wexp = Float32Array.from({ length: 5 }, g);
        const got = model.decode({ identity: wid, expression: wexp });
        const want = naiveDecode(model, wid, wexp);
        assert.ok(maxAbsDiff(got, want) < 1e-4, `max diff ${maxAbsDiff(got, want)}`);
      }
    });
  }

  it('matches the reference for wide and sparse identities (every unrolled path of the contraction)', () => {
    const model = randomModel(25, 13, 3, 8);
    const g = gaussian(rng(5));
    for (const zeros of [[], [0, 5], [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]]) {
      const wid = Float32Array.from({ length: 13 }, g);
      for (const z of zeros) wid[z] = 0;
      const wexp = [0.5, -1, 2];
      assert.ok(maxAbsDiff(model.decode({ identity: wid, expression: wexp }), naiveDecode(model, wid, wexp)) < 1e-4);
    }
  });

  it('reuses the contracted expression basis while w_id is unchanged', () => {
    const model = randomModel(30, 4, 3, 5);
    const wid = [0.5, -1, 2, 0.25];
    model.decode({ identity: wid, expression: [1, 0, 0] });
    model.decode({ identity: Float32Array.from(wid), expression: [0, 1, 0] });
    model.decode({ identity: wid, expression: [0, 0, 1] });
    assert.equal(model.identityContractions, 1);
    const fresh = model.decode({ identity: [0.5, -1, 2, 0.5], expression: [0, 0, 1] });
    assert.equal(model.identityContractions, 2);
    assert.ok(maxAbsDiff(fresh, naiveDecode(model, [0.5, -1, 2, 0.5], [0, 0, 1])) < 1e-4);
    // A shorter identity equals its zero-padded version, so it hits the cache.
    model.decode({ identity: [0.5, -1, 2, 0.5], expression: [1] });
    model.decode({ identity: [0.5, -1], expression: [1] });
    model.decode({ identity: [0.5, -1, 0, 0], expression: [1] });
    assert.equal(model.identityContractions, 3);
  });

  it('treats missing blocks as zero, writes into out, and rejects unknown or over-long blocks', () => {
    const model = randomModel(10, 3, 2, 9, true);
    const out = new Float32Array(30).fill(42);
    const r = model.decode({}, out);
    assert.equal(r, out);
    assert.deepEqual(Array.from(out), Array.from(model.mean!));
    assert.throws(() => model.decode({ shape: [1] }), (e: unknown) => e instanceof FacekitError && e.code === 'ERR_PARAMETER_BLOCK');
    assert.throws(() => model.decode({ identity: [1, 2, 3, 4] }), (e: unknown) => e instanceof FacekitError && e.code === 'ERR_PARAMETER_SIZE');
    assert.throws(() => model.decode({ expression: [1] }, new Float32Array(3)), RangeError);
  });

  it('identityBasis is the model with expression fixed, linear in w_id', () => {
    const model = randomModel(12, 4, 3, 21);
    const wexp = [0.3, -0.7, 1.1];
    const wid = [1, -2, 0.5, 0.1];
    const a = model.identityBasis(wexp);
    const n = 36;
    const viaBasis = new Float64Array(n);
    for (let i = 0; i < 4; i++) for (let k = 0; k < n; k++) viaBasis[k] += wid[i] * a[i * n + k];
    assert.ok(maxAbsDiff(viaBasis, naiveDecode(model, wid, wexp)) < 1e-4);
  });

  it('truncated() keeps the leading block of the core', () => {
    const model = randomModel(8, 5, 4, 2);
    const t = model.truncated(3, 2);
    assert.equal(t.parameters[0].size, 3);
    assert.equal(t.parameters[1].size, 2);
    const wid = [0.2, 1, -1];
    const wexp = [2, -0.5];
    assert.ok(maxAbsDiff(t.decode({ identity: wid, expression: wexp }), model.decode({ identity: wid, expression: wexp })) < 1e-5);
    assert.throws(() => model.truncated(6, 1), RangeError);
  });

  it('validates the core size', () => {
    assert.throws(() => new BilinearFaceModel({ vertexCount: 2, identitySize: 2, expressionSize: 2, core: new Float32Array(23) }), RangeError);
    const m = new BilinearFaceModel({ vertexCount: 2, identitySize: 2, expressionSize: 2, core: new Float32Array(24) });
    assert.deepEqual(m.parameters.map((p) => `${p.name}[${p.size}]`), ['identity[2]', 'expression[2]']);
  });
});
