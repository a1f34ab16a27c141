/**
 * Demonstration on real data: a bilinear model built from ICT-FaceKit "subjects x expressions".
 *
 * ICT-FaceKit is a linear model (100 identity modes with N(0, 1) weights, 53 expression blendshapes whose deltas
 * do not depend on identity), so we synthesise subjects with random identity weights (fixed seed) and give each
 * the neutral plus every blendshape at weight 1, over the face region (vertices 0..9408). The OBJ files are read
 * with a minimal `v`-line parser so this package does not depend on the full importer in @facekit/bfm.
 *
 * Figures: training RMS (from the HOSVD core norms, checked against decoding) and held-out RMS (3 unseen
 * subjects x 54 meshes, w_id and one w_exp per mesh fitted by ALS on every 12th face vertex, error over all face
 * vertices), in millimetres (ICT units are centimetres).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BilinearFitContext, tuckerDecompose, type ExpressionTensor } from '../src/index.js';
import { gaussian, rng } from './helpers.js';

const ICT = new URL('../../../../shared/data/ict-facekit/', import.meta.url);
const FACE_VERTICES = 9409;
const N = 3 * FACE_VERTICES;
const TRAIN = 30;
const HELD_OUT = 3;
/** Fit on every 12th face vertex (785 points): the Gram matrix costs (I·E)²/2 per fitted coordinate. */
const FIT_STRIDE = 12;
const present = existsSync(fileURLToPath(new URL('generic_neutral_mesh.obj', ICT)));

/** The first `count` `v` lines of an OBJ file (the face region comes first in ICT-FaceKit's vertex order). */
function readPositions(name: string, count = FACE_VERTICES): Float32Array {
  const text = readFileSync(fileURLToPath(new URL(name, ICT)), 'utf8');
  const out = new Float32Array(3 * count);
  let k = 0;
  let pos = 0;
  while (k < count) {
    const end = text.indexOf('\n', pos);
    const line = text.slice(pos, end < 0 ? undefined : end);
    if (line.startsWith('v ')) {
      const p = line.trim().split(/\s+/);
      out[3 * k] = +p[1];
      out[3 * k + 1] = +p[2];
      out[3 * k + 2] = +p[3];
      k++;
    }
    if (end < 0) break;
    pos = end + 1;
  }
  assert.equal(k, count, `${name} has only ${k} vertices`);
  return out;
}

describe('ICT-FaceKit bilinear demo', { skip: present ? false : 'ICT-FaceKit data not found at ../shared/data/ict-facekit' }, () => {
  it('builds a bilinear model whose held-out error falls as the identity rank grows', () => {
    const t0 = performance.now();
    const neutral = readPositions('generic_neutral_mesh.obj');
    const names = (JSON.parse(readFileSync(fileURLToPath(new URL('vertex_indices.json', ICT)), 'utf8')) as { expressions: string[] }).expressions;
    const idModes = Array.from({ length: 100 }, (_, j) => {
      const m = readPositions(`identity${String(j).padStart(3, '0')}.obj`);
      for (let k = 0; k < N; k++) m[k] -= neutral[k];
      return m;
    });
    const deltas = [new Float32Array(N), ...names.map((name) => {
      const m = readPositions(`${name}.obj`);
      for (let k = 0; k < N; k++) m[k] -= neutral[k];
      return m;
    })];
    const labels = ['neutral', ...names];
    const X = deltas.length;
    const g = gaussian(rng(2024));
    const subject = (): Float32Array[] => {
      const face = Float64Array.from(neutral);
      for (const mode of idModes) {
        const w = g();
        for (let k = 0; k < N; k++) face[k] += w * mode[k];
      }
      return deltas.map((d) => {
        const mesh = new Float32Array(N);
        for (let k = 0; k < N; k++) mesh[k] = face[k] + d[k];
        return mesh;
      });
    };
    const train: ExpressionTensor = { subjects: TRAIN, expressions: X, vertexCount: FACE_VERTICES, positions: new Float32Array(TRAIN * X * N), expressionLabels: labels };
    for (let s = 0; s < TRAIN; s++) subject().forEach((m, x) => train.positions.set(m, (s * X + x) * N));
    const heldOut = Array.from({ length: HELD_OUT }, subject);
    const t1 = performance.now();

    const dec = tuckerDecompose(train, { centre: 'none' });
    const full = dec.toModel(TRAIN, X, { id: 'ict-bilinear', units: 'cm' });
    const t2 = performance.now();

    // Full rank reproduces the training set: from the core norms, and by decoding every 7th training mesh.
    const fullRms = dec.trainingError(TRAIN, X);
    let worst = 0;
    for (let m = 0; m < TRAIN * X; m += 7) {
      const s = Math.floor(m / X);
      const x = m % X;
      const mesh = full.decodeWeights(dec.identityFactor.subarray(s * TRAIN, (s + 1) * TRAIN), dec.expressionFactor.subarray(x * X, (x + 1) * X));
      let sq = 0;
      for (let k = 0; k < N; k++) sq += (mesh[k] - train.positions[m * N + k]) ** 2;
      worst = Math.max(worst, Math.sqrt(sq / FACE_VERTICES));
    }
    assert.ok(fullRms < 1e-4, `full-rank training RMS ${fullRms} cm`);
    assert.ok(worst < 1e-4, `full-rank decoded training RMS ${worst} cm`);

    const fitVertices = Array.from({ length: Math.ceil(FACE_VERTICES / FIT_STRIDE) }, (_, j) => FIT_STRIDE * j);
    const ctx = new BilinearFitContext(full, fitVertices).withGram();
    const t3 = performance.now();
    const rows: Array<{ I: number; E: number; trainMm: number; heldOutMm: number; fitMm: number }> = [];
    for (const I of [10, 20, 30]) {
      for (const E of [10, 25, X]) {
        const c = I === TRAIN && E === X ? ctx : ctx.truncated(I, E);
        let sq = 0;
        let fitSq = 0;
        for (const meshes of heldOut) {
          const fit = c.fit(meshes, { iterations: 40, tolerance: 1e-6 });
          fitSq += fit.rms ** 2;
          c.model.expressionBasis(fit.identity);
          meshes.forEach((y, k) => {
            const got = c.model.decodeWeights(fit.identity, fit.expressions[k]);
            for (let j = 0; j < N; j++) sq += (got[j] - y[j]) ** 2;
          });
        }
        rows.push({
          I,
          E,
          trainMm: 10 * dec.trainingError(I, E),
          heldOutMm: 10 * Math.sqrt(sq / (HELD_OUT * X * FACE_VERTICES)),
          fitMm: 10 * Math.sqrt(fitSq / HELD_OUT),
        });
      }
    }
    const t4 = performance.now();
    console.log(`ICT bilinear demo: ${TRAIN} training + ${HELD_OUT} held-out subjects x ${X} expressions, ${FACE_VERTICES} face vertices`);
    console.log(`  full rank (${TRAIN} x ${X}) training RMS ${(fullRms * 10).toExponential(2)} mm (decoded: ${(worst * 10).toExponential(2)} mm)`);
    console.log('  I   E   train RMS mm   held-out RMS mm (fit-vertex RMS)');
    for (const r of rows) console.log(`  ${String(r.I).padEnd(3)} ${String(r.E).padEnd(3)} ${r.trainMm.toFixed(4).padStart(12)}   ${r.heldOutMm.toFixed(4).padStart(12)} (${r.fitMm.toFixed(4)})`);
    console.log(`  time: read+synthesise ${((t1 - t0) / 1000).toFixed(1)} s, HOSVD ${((t2 - t1) / 1000).toFixed(1)} s, Gram ${((t3 - t2) / 1000).toFixed(1)} s, ALS fits ${((t4 - t3) / 1000).toFixed(1)} s`);

    // Held-out error falls as the identity rank grows (at every expression rank), and with the expression rank.
    for (const E of [10, 25, X]) {
      const byI = rows.filter((r) => r.E === E).map((r) => r.heldOutMm);
      assert.ok(byI[0] > byI[1] && byI[1] > byI[2], `held-out RMS at E=${E} should fall with I: ${byI.join(', ')}`);
    }
    const at30 = rows.filter((r) => r.I === TRAIN).map((r) => r.heldOutMm);
    assert.ok(at30[0] > at30[2], `held-out RMS at I=30 should fall with E: ${at30.join(', ')}`);
    // Unseen identities are not in the span of 30 training subjects: the held-out error stays well above training.
    assert.ok(rows[rows.length - 1].heldOutMm > 10 * rows[rows.length - 1].trainMm);
  });
});
