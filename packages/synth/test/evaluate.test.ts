import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applySimilarity, eulerToMatrix } from '@facekit/core';
import {
  evaluateReconstruction,
  meanFaceBaseline,
  renderSyntheticFace,
  scanRegionVertices,
  summarizeScores,
  toRanges,
  transferPoints,
  truthFromSynthetic,
  type ReconstructionScore,
} from '@facekit/synth';
import { ict, skipWithoutIct } from './helpers.js';

describe('scan regions and summaries', () => {
  it('round-trips vertex lists through ranges', () => {
    const v = [0, 1, 2, 5, 7, 8];
    assert.deepEqual(toRanges(v), [[0, 2], [5, 5], [7, 8]]);
    assert.deepEqual(Array.from(scanRegionVertices({ ranges: toRanges(v) }, 10)), v);
    assert.throws(() => scanRegionVertices({ ranges: [[3, 12]] }, 10), /outside/);
  });

  it('summarises per-sample scores (median of medians, mean of means)', () => {
    const score = (median: number, mean: number, nme: number): ReconstructionScore => ({
      regions: { face: { points: 10, median, mean, std: 1, max: 5, icpIterations: 3 } },
      landmarkRmsMm: 2,
      alignmentScale: 1,
      nme,
    });
    const s = summarizeScores([score(1, 2, 0.01), score(3, 4, 0.03), score(2, 6, 0.02)]);
    assert.equal(s.count, 3);
    assert.equal(s.regions.face.medianOfMedians, 2);
    assert.equal(s.regions.face.meanOfMeans, 4);
    assert.ok(Math.abs(s.nme!.mean - 0.02) < 1e-12);
  });
});

describe('transferPoints', () => {
  it('carries surface points to a mesh of the same topology by barycentrics', () => {
    const triangles = Uint32Array.of(0, 1, 2);
    const from = { positions: Float32Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0), triangles };
    const to = { positions: Float32Array.of(0, 0, 1, 2, 0, 1, 0, 2, 1) };
    const out = transferPoints(from, to, [0.25, 0.25, 0, 0.5, 0, 0.1]);
    assert.deepEqual(Array.from(out, (v) => Math.round(v * 1e6) / 1e6), [0.5, 0.5, 1, 1, 0, 1]);
    assert.throws(() => transferPoints(from, { positions: new Float32Array(3) }, [0, 0, 0]), /vertex count/);
  });
});

describe('evaluateReconstruction (ICT-FaceKit)', { skip: skipWithoutIct }, () => {
  it('gives zero error for the true mesh and for a similarity-transformed copy (other units, other frame)', async () => {
    const m = await ict();
    const f = renderSyntheticFace(m, 5, { size: 64, supersample: 1 });
    const truth = truthFromSynthetic(m, f);
    assert.deepEqual(Object.keys(truth.regions), ['now-crop', 'face']);
    const self = evaluateReconstruction(truth, f.mesh, f.landmarks3d, { landmarks2d: f.landmarks2d });
    for (const r of Object.values(self.regions)) {
      assert.ok(r.points > 1000);
      assert.ok(r.median < 1e-6 && r.max < 1e-6, JSON.stringify(r));
    }
    assert.equal(self.nme, 0);
    // The crop keeps fewer points than the whole face.
    assert.ok(self.regions['now-crop'].points < self.regions.face.points);

    // As if predicted in millimetres, rotated and moved.
    const T = { scale: 10, rotation: eulerToMatrix({ yaw: 25, pitch: -12, roll: 7 }), translation: Float64Array.of(30, -40, 500) };
    const moved = { positions: applySimilarity(f.mesh.positions, T) as Float32Array, triangles: f.mesh.triangles };
    const lm = applySimilarity(f.landmarks3d, T);
    const copy = evaluateReconstruction(truth, moved, lm);
    for (const r of Object.values(copy.regions)) assert.ok(r.median < 1e-3 && r.mean < 1e-3, JSON.stringify(r));
    assert.ok(Math.abs(copy.alignmentScale - 0.1) < 1e-6);
    assert.equal(copy.nme, undefined);
    assert.throws(() => evaluateReconstruction(truth, moved, lm.subarray(0, 30)), /landmarks3d/);
  });

  it('scores the mean-face baseline above zero, growing with the identity norm', async () => {
    const m = await ict();
    const z = renderSyntheticFace(m, 77, { size: 32, supersample: 1 }).params.identity;
    const medians: number[] = [];
    const nmes: number[] = [];
    for (const k of [0, 0.5, 1, 2]) {
      const identity = z.map((v) => v * k);
      const expression = new Float32Array(m.parameters[1].size);
      expression[27] = 0.3; // jawOpen: same expression for truth and baseline
      const f = renderSyntheticFace(m, 77, { size: 64, supersample: 1, params: { identity, expression } });
      const base = meanFaceBaseline(m, f);
      assert.equal(base.params.identity.every((v) => v === 0), true);
      assert.deepEqual(base.params.expression, f.params.expression);
      const s = evaluateReconstruction(truthFromSynthetic(m, f), base.mesh, base.landmarks3d, { landmarks2d: base.landmarks2d });
      medians.push(s.regions['now-crop'].median);
      nmes.push(s.nme!);
    }
    assert.ok(medians[0] < 1e-6, `zero identity: ${medians[0]}`);
    assert.ok(medians[1] > 0.05, `medians ${medians}`);
    assert.ok(medians[1] < medians[2] && medians[2] < medians[3], `medians ${medians.map((v) => v.toFixed(3))}`);
    assert.ok(nmes[1] < nmes[2] && nmes[2] < nmes[3], `nmes ${nmes}`);
  });
});
