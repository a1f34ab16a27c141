import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { project } from '@facekit/core';
import {
  deriveSeed,
  evaluateReconstruction,
  loadSyntheticSample,
  readDatasetManifest,
  renderSyntheticFace,
  writeSyntheticDataset,
  type TruthJson,
} from '@facekit/synth/node';
import { ict, skipWithoutIct } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'facekit-synth-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('writeSyntheticDataset (ICT-FaceKit)', { skip: skipWithoutIct }, () => {
  it('writes image, meshes, params, truth and manifest that read back consistently', async () => {
    const m = await ict();
    const out = join(work, 'ds');
    const manifest = await writeSyntheticDataset(m, { count: 2, seed: 11, out, size: 96 });
    assert.equal(manifest.count, 2);
    assert.equal(manifest.model.id, 'ict-facekit');
    assert.equal(manifest.unitToMm, 10);
    assert.equal(manifest.meshRegion, 'face_head');
    assert.ok(manifest.attribution?.includes('MIT'));
    assert.deepEqual(await readDatasetManifest(out), manifest);
    for (const [i, { id }] of manifest.samples.entries()) {
      for (const f of ['image.png', 'mesh.obj', 'mesh.mtl', 'mean-face.obj', 'params.json', 'truth.json']) assert.ok(existsSync(join(out, id, f)), `${id}/${f}`);
      const sample = await loadSyntheticSample(out, id);
      const again = renderSyntheticFace(m, deriveSeed(11, i), { size: 96 });
      assert.deepEqual(sample.image.data, again.image.data);
      // mesh.obj = the face_head prefix (0..11247) of the decoded params.json.
      const params = JSON.parse(readFileSync(join(out, id, 'params.json'), 'utf8')) as Record<string, number[]>;
      assert.deepEqual(Object.keys(params), ['identity', 'expression']);
      const decoded = m.decode(params);
      const P = sample.truth.mesh.positions;
      assert.equal(P.length / 3, 11248);
      for (let k = 0; k < P.length; k++) assert.ok(Math.abs(P[k] - decoded[k]) < 1e-5, `coordinate ${k}`);
      // truth.json: landmarks2d = camera(landmarks3d); regions in mesh.obj indices.
      const truth = JSON.parse(readFileSync(join(out, id, 'truth.json'), 'utf8')) as TruthJson;
      assert.deepEqual(truth.mesh.modelVertexRanges, [[0, 11247]]);
      assert.deepEqual(truth.regions.face.ranges, [[0, 9408]]);
      assert.deepEqual(truth.regions['now-crop'].ranges, [[0, 6705]]);
      const uv = project(truth.camera, Float32Array.from(truth.landmarks3d.flat()));
      truth.landmarks2d.forEach(([x, y], l) => assert.ok(Math.abs(uv[3 * l] - x) < 1e-3 && Math.abs(uv[3 * l + 1] - y) < 1e-3));
      // The written truth scores itself at zero, and the baseline above zero.
      const self = evaluateReconstruction(sample.truth, sample.truth.mesh, sample.truth.landmarks3d, { landmarks2d: sample.truth.landmarks2d! });
      assert.ok(self.regions['now-crop'].median < 1e-3 && self.regions.face.median < 1e-3);
      const base = evaluateReconstruction(sample.truth, sample.baseline.mesh, sample.baseline.landmarks3d, { landmarks2d: sample.baseline.landmarks2d });
      assert.ok(base.regions['now-crop'].median > 0.05 && base.nme! > 0);
    }
  });

  it('rejects bad counts and unknown regions', async () => {
    const m = await ict();
    await assert.rejects(writeSyntheticDataset(m, { count: 0, seed: 1, out: join(work, 'x') }), /count/);
    await assert.rejects(writeSyntheticDataset(m, { count: 1, seed: 1, out: join(work, 'y'), meshRegion: 'hair' }), /no region "hair"/);
    await assert.rejects(readDatasetManifest(join(work, 'nothing')), /manifest not found/);
  });
});
