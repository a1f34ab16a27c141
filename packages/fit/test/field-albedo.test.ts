/**
 * The `field` skin prior: its Karhunen-Loeve form (`fieldModes` below 2 x fieldWaves) against the plain
 * sine/cosine form it is derived from, through the covariance both put on the albedo of the skin samples.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaceModel } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import { albedoBasisFor, linearizeModel, skinOrder, type AlbedoBasis } from '../src/index.js';
import { ICT_DIR, SKIP_ICT } from './helpers.js';

let model: FaceModel;
before(async () => {
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

/** Prior covariance of the field at vertices a and b: sum over field modes of psi_a psi_b / (2 prior). */
function fieldCovariance(basis: AlbedoBasis, a: number, b: number): number {
  const f = basis.shared!;
  let s = 0;
  for (let m = 0; m < f.size; m++) s += (f.values[a * f.size + m] * f.values[b * f.size + m]) / (2 * basis.prior[f.start + m]);
  return s;
}

test('the Karhunen-Loeve field keeps the covariance of the sine/cosine field on the skin samples', { skip: SKIP_ICT }, () => {
  const lin = linearizeModel(model, { maxIdentity: 10 });
  const waves = 12;
  const plain = albedoBasisFor(lin, { skin: 'field', fieldWaves: waves });
  const all = albedoBasisFor(lin, { skin: 'field', fieldWaves: waves, fieldModes: 2 * waves - 1 });
  const few = albedoBasisFor(lin, { skin: 'field', fieldWaves: waves, fieldModes: 4 });
  assert.equal(plain.size, 3 + 2 * waves);
  assert.equal(all.size, 3 + 2 * waves - 1);
  assert.equal(few.size, 3 + 4);
  const skin = skinOrder(lin);
  // Vertex pairs spread over the skin; the covariance is what the prior says about the albedo there.
  let maxErr = 0, maxCov = 0, fewErr = 0;
  for (let k = 0; k < 40; k++) {
    const a = skin[(k * 97) % skin.length], b = skin[(k * 389 + 11) % skin.length];
    const want = fieldCovariance(plain, a, b);
    maxCov = Math.max(maxCov, Math.abs(want));
    maxErr = Math.max(maxErr, Math.abs(fieldCovariance(all, a, b) - want));
    fewErr = Math.max(fewErr, Math.abs(fieldCovariance(few, a, b) - want));
  }
  assert.ok(maxCov > 0);
  // Dropping only the last (smallest) component leaves the covariance almost as it was.
  assert.ok(maxErr / maxCov < 0.02, `23 of 24 components: relative covariance error ${maxErr / maxCov}`);
  // Four components are a coarse approximation: the check above is not vacuous.
  assert.ok(fewErr / maxCov > 0.1, `4 of 24 components: relative covariance error ${fewErr / maxCov}`);
  // The components are orthonormal over the samples (unit RMS, uncorrelated).
  const f = all.shared!;
  for (const [p, q] of [[0, 0], [0, 1], [5, 5], [3, 9]]) {
    let s = 0;
    for (const i of skin) s += f.values[i * f.size + p] * f.values[i * f.size + q];
    assert.ok(Math.abs(s / skin.length - (p === q ? 1 : 0)) < 1e-3, `component Gram (${p}, ${q}) = ${s / skin.length}`);
  }
});
