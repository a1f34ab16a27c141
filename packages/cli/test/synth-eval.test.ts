import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { registries } from '@facekit/core';
import type { EvalReport } from '../src/commands/eval.js';
import { loadPlugins } from '../src/plugins.js';
import { ICT_DIR, runCli, skipWithoutIct } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'facekit-cli-synth-'));
after(() => rmSync(work, { recursive: true, force: true }));
const data = join(work, 'ds');

describe('facekit synth / eval: argument errors', () => {
  it('needs --out, --method and --data, and a dataset folder', async () => {
    let r = await runCli(['synth', '--count', '2']);
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /--out <dir> is required/);
    r = await runCli(['synth', '--out', join(work, 'bad'), '--count', 'many']);
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /--count must be an integer/);
    r = await runCli(['eval', '--data', work]);
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /--method <name> is required/);
    r = await runCli(['eval', '--method', 'facemesh', '--data', join(work, 'missing')]);
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /manifest not found/);
  });
});

describe('facekit synth + eval (ICT-FaceKit)', { skip: skipWithoutIct }, () => {
  it('synth --count 2 writes the sample files and the manifest', async () => {
    const r = await runCli(['synth', '--model', ICT_DIR, '--count', '2', '--seed', '3', '--out', data, '--size', '192']);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out.at(-1)!, /2 sample\(s\) of ict-facekit \(cm, mesh region face_head\)/);
    const manifest = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8'));
    assert.equal(manifest.count, 2);
    assert.equal(manifest.size, 192);
    for (const { id } of manifest.samples) {
      for (const f of ['image.png', 'mesh.obj', 'mean-face.obj', 'params.json', 'truth.json']) assert.ok(existsSync(join(data, id, f)), `${id}/${f}`);
    }
  });

  it('eval --method facemesh scores every sample and the mean-face baseline', async (t) => {
    await loadPlugins();
    if (!registries.predictors.has('facemesh')) {
      t.skip('the facemesh predictor is not registered in this checkout');
      return;
    }
    const reportPath = join(work, 'report.json');
    const r = await runCli(['eval', '--method', 'facemesh', '--data', data, '--out', reportPath]);
    assert.equal(r.code, 0, [...r.out, ...r.err].join('\n'));
    assert.ok(r.out.some((l) => l.startsWith('facemesh ') && l.includes('now-crop median')));
    assert.ok(r.out.some((l) => l.startsWith('mean-face baseline')));
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as EvalReport;
    assert.equal(report.method, 'facemesh');
    assert.equal(report.samples.length, 2);
    assert.equal(report.summary.detectionRate, 1);
    assert.equal(report.summary.succeeded, 2);
    for (const s of report.samples) {
      const now = s.method!.regions['now-crop'];
      assert.ok(now.median > 0.1 && now.median < 10, `facemesh now-crop median ${now.median} mm`);
      assert.ok(s.method!.nme! > 0 && s.method!.nme! < 0.2);
      assert.ok(s.baseline.regions['now-crop'].median > 0);
    }
    const sum = report.summary.method!;
    assert.ok(Number.isFinite(sum.regions['now-crop'].medianOfMedians) && Number.isFinite(sum.regions.face.meanOfMeans));
    assert.ok(Number.isFinite(report.summary.baseline.regions['now-crop'].medianOfMedians));

    // --limit 1 scores one sample.
    const r1 = await runCli(['eval', '--method', 'facemesh', '--data', data, '--limit', '1', '--no-icp', '--out', join(work, 'r1.json')]);
    assert.equal(r1.code, 0, r1.err.join('\n'));
    const one = JSON.parse(readFileSync(join(work, 'r1.json'), 'utf8')) as EvalReport;
    assert.equal(one.samples.length, 1);
    assert.equal(one.options.icp, false);
    assert.equal(one.samples[0].method!.regions.face.icpIterations, 0);
  });

  it('eval --method fit scores the coarse and the detailed mesh next to the baseline', async () => {
    // The fit method finds ICT-FaceKit through FACEKIT_ICT_DIR, as a user's shell would set it.
    process.env.FACEKIT_ICT_DIR = ICT_DIR;
    await loadPlugins();
    const registration = registries.predictors.registration('fit');
    assert.ok(registration, 'the fit predictor is registered');
    const availability = registration.check ? await registration.check() : { available: true, reasons: [] };
    assert.ok(availability.available, availability.reasons.join('; '));
    const reportPath = join(work, 'report-fit.json');
    const r = await runCli(['eval', '--method', 'fit', '--model', ICT_DIR, '--data', data, '--out', reportPath]);
    assert.equal(r.code, 0, [...r.out, ...r.err].join('\n'));
    assert.ok(r.out.some((l) => l.startsWith('fit (coarse) ') && l.includes('now-crop median')));
    assert.ok(r.out.some((l) => l.startsWith('fit (detailed) ') && l.includes('face median')));
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as EvalReport;
    assert.equal(report.summary.succeeded, 2);
    assert.ok(report.summary.coarse && report.summary.coarse.count === 2);
    for (const s of report.samples) {
      for (const score of [s.method!, s.coarse!]) {
        for (const region of ['now-crop', 'face']) {
          const m = score.regions[region].median;
          // Same order as the mean face (identity zeroed, everything else true); see packages/fit/README.md.
          assert.ok(m > 0.05 && m < 2.5 * s.baseline.regions[region].median + 0.5, `fit ${region} median ${m} mm`);
        }
      }
    }
  });
});
