import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type FaceModel, type Reconstruction } from '@facekit/core';
import { writeFileAtomic } from '@facekit/core/node';
import {
  evaluateReconstruction,
  loadSyntheticSample,
  readDatasetManifest,
  summarizeScores,
  transferPoints,
  type DatasetManifest,
  type EvaluateOptions,
  type ReconstructionScore,
  type ScoreSummary,
} from '@facekit/synth/node';
import { setUpMethod } from '../reconstruct/setup.js';
import { CliError, errorMessage } from '../util/cli-error.js';
import { ProgressBar } from '../util/progress.js';
import type { Output } from '../util/output.js';
import type { Command } from '../main.js';

const USAGE = `usage: facekit eval --method <name> --data <dir> [options]

Runs a reconstruction method on every sample of a synthetic dataset (facekit synth) and scores it NoW-style:
similarity alignment of the predicted 68 landmarks to the true ones (3D), rigid ICP, then distances from the
true scan points to the predicted surface in mm (regions now-crop and face), and the 2D landmark NME. The
mean-face baseline (true parameters with the identity zeroed) is scored the same way. When a method also
returns its mesh before detail refinement (coarseMesh), that is scored too ("coarse" next to "detailed").

options:
  --method <name>     predictor (see facekit methods)
  --data <dir>        dataset folder with manifest.json
  --model <id|path>   face model passed to model-agnostic methods (fit)
  --detector <name>   detector (default: what the method needs, else auto)
  --out <file>        report path (default <data>/eval-<method>.json)
  --limit N           score only the first N samples
  --preset <name>     method preset passed to the predictor (fit: fast, the default, or accurate)
  --no-icp            landmark alignment only, no ICP refinement`;

/** One sample's line in the report. */
export interface EvalSampleReport {
  id: string;
  pose: { yaw: number; pitch: number; roll: number };
  detected: boolean;
  /** Set when detection, prediction or scoring failed. */
  error?: string;
  /** Score of the method's mesh (the detailed one when it refines). */
  method?: ReconstructionScore;
  /** Score of the method's coarse mesh, when it returns one (Reconstruction.coarseMesh). */
  coarse?: ReconstructionScore;
  baseline: ReconstructionScore;
  /** Milliseconds. */
  timings: { baseline: number; detect: number; predict: number; score: number };
}

/** `report.json` of `facekit eval`. */
export interface EvalReport {
  version: 1;
  method: string;
  detector: string;
  /** The --model spec, or null. */
  model: string | null;
  data: string;
  dataset: { model: string; units: string; unitToMm: number; samples: number };
  options: { icp: boolean; regions: string[]; predictedTriangles: string | null };
  samples: EvalSampleReport[];
  summary: {
    /** Samples with a score / all samples scored. */
    succeeded: number;
    failed: number;
    detectionRate: number;
    /** The method over the samples it succeeded on. */
    method: ScoreSummary | null;
    /** The method's coarse meshes (samples that have one), or null when it returns none. */
    coarse: ScoreSummary | null;
    /** The mean-face baseline over all samples, and over the samples the method succeeded on. */
    baseline: ScoreSummary;
    baselineOnSucceeded: ScoreSummary | null;
    /** Mean prediction time, ms. */
    meanPredictMs: number;
  };
}



/** Triangles of a prediction to measure against: the skin (`face_head`) when the method decoded --model's topology. */
function skinTriangles(rec: Reconstruction, model: FaceModel | undefined): { triangles?: Uint32Array; name: string | null } {
  if (!model || rec.model?.id !== model.id || rec.mesh.positions.length / 3 !== model.topology.vertexCount) return { name: null };
  const skin = model.regions?.face_head;
  if (!skin?.triangles || rec.mesh.triangles.length !== model.topology.triangles.length) return { name: null };
  return { triangles: skin.triangles, name: 'face_head' };
}

const mm = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '   -  ' : v.toFixed(2).padStart(6));
const pct = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '   -  ' : (100 * v).toFixed(2).padStart(6));

function printSummaryLine(io: Output, label: string, s: ScoreSummary | null): void {
  if (!s || s.count === 0) {
    io.out(`${label.padEnd(22)} no scored samples`);
    return;
  }
  const now = s.regions['now-crop'];
  const face = s.regions.face;
  io.out(
    `${label.padEnd(22)} now-crop median ${mm(now?.medianOfMedians)} mean ${mm(now?.meanOfMeans)} std ${mm(now?.meanOfStds)} | ` +
      `face median ${mm(face?.medianOfMedians)} mean ${mm(face?.meanOfMeans)} std ${mm(face?.meanOfStds)} | NME% ${pct(s.nme?.mean)} | n=${s.count}`,
  );
}

/** `facekit eval`: score a method on a synthetic dataset. */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'score a method on a synthetic dataset (NoW-style scan-to-mesh mm, landmark NME) against a mean-face baseline',
  usage: USAGE,
  async run(args, io: Output) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        method: { type: 'string' },
        data: { type: 'string' },
        model: { type: 'string' },
        detector: { type: 'string' },
        out: { type: 'string' },
        limit: { type: 'string' },
        preset: { type: 'string' },
        'no-icp': { type: 'boolean', default: false },
      },
    });
    if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
    if (!values.method) throw new CliError(`--method <name> is required\n${USAGE}`);
    if (!values.data) throw new CliError(`--data <dir> is required\n${USAGE}`);
    let limit = Infinity;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive integer, got "${values.limit}"`);
    }
    const dataDir = resolve(values.data);
    let manifest: DatasetManifest;
    try {
      manifest = await readDatasetManifest(dataDir);
    } catch (error) {
      throw new CliError(`--data ${values.data}: ${errorMessage(error)}`);
    }
    const outPath = resolve(values.out ?? join(dataDir, `eval-${values.method}.json`));
    const setup = await setUpMethod(values.method, values.detector, values.model);
    const icp = !values['no-icp'];
    const ids = manifest.samples.slice(0, Math.min(limit, manifest.samples.length)).map((s) => s.id);

    io.out(`${values.method} on ${ids.length} sample(s) of ${dataDir} (${manifest.model.id}, detector ${setup.detectorName}); distances in mm`);
    io.out(
      `${'sample'.padEnd(8)} ${'yaw'.padStart(6)} | ${'now-crop med'.padStart(12)} ${'mean'.padStart(6)} ${'std'.padStart(6)} | ` +
        `${'face med'.padStart(8)} | ${'coarse'.padStart(8)} ${'face'.padStart(6)} | ${'NME%'.padStart(6)} | ` +
        `${'base med'.padStart(8)} ${'face'.padStart(6)} ${'NME%'.padStart(6)} | ${'ms'.padStart(6)}`,
    );
    const samples: EvalSampleReport[] = [];
    const progress = new ProgressBar(ids.length);
    let triangleNote: string | null = null;
    const regions = new Set<string>();
    for (let i = 0; i < ids.length; i++) {
      progress.update(i, ids[i]);
      const sample = await loadSyntheticSample(dataDir, ids[i]);
      Object.keys(sample.truth.regions).forEach((r) => regions.add(r));
      const t0 = performance.now();
      const baseline = evaluateReconstruction(sample.truth, sample.baseline.mesh, sample.baseline.landmarks3d, {
        landmarks2d: sample.baseline.landmarks2d,
        icp,
      });
      const report: EvalSampleReport = {
        id: ids[i],
        pose: sample.truthJson.pose,
        detected: false,
        baseline,
        timings: { baseline: performance.now() - t0, detect: 0, predict: 0, score: 0 },
      };
      try {
        const t1 = performance.now();
        const faces = await setup.detector.detect(sample.image);
        report.timings.detect = performance.now() - t1;
        if (faces.length === 0) throw new Error('no face found');
        report.detected = true;
        const t2 = performance.now();
        const rec = await setup.predictor.predict(sample.image, {
          face: faces[0],
          detector: setup.detector,
          ...(setup.model ? { model: setup.model } : {}),
          ...(values.preset ? { preset: values.preset } : {}),
        });
        report.timings.predict = performance.now() - t2;
        if (!rec.landmarks3d) throw new Error(`method ${values.method} returned no landmarks3d, which the alignment needs`);
        const t3 = performance.now();
        const skin = skinTriangles(rec, setup.model);
        triangleNote ??= skin.name;
        const options: EvaluateOptions = { icp, ...(rec.landmarks2d ? { landmarks2d: rec.landmarks2d } : {}), ...(skin.triangles ? { predictedTriangles: skin.triangles } : {}) };
        report.method = evaluateReconstruction(sample.truth, rec.mesh, rec.landmarks3d, options);
        if (rec.coarseMesh && rec.coarseMesh.positions.length === rec.mesh.positions.length) {
          // Landmarks on the coarse surface: the detailed mesh's landmark points carried over (same topology).
          const coarseLandmarks = transferPoints(rec.mesh, rec.coarseMesh, rec.landmarks3d);
          report.coarse = evaluateReconstruction(sample.truth, rec.coarseMesh, coarseLandmarks, options);
        }
        report.timings.score = performance.now() - t3;
        if (rec.error) report.error = `partial result: ${rec.error}`;
      } catch (error) {
        report.error = errorMessage(error);
      }
      samples.push(report);
      progress.clear();
      const m = report.method;
      const yaw = sample.truthJson.pose.yaw.toFixed(1).padStart(6);
      if (m) {
        const c = report.coarse;
        io.out(
          `${ids[i].padEnd(8)} ${yaw} | ${mm(m.regions['now-crop']?.median).padStart(12)} ${mm(m.regions['now-crop']?.mean)} ${mm(m.regions['now-crop']?.std)} | ` +
            `${mm(m.regions.face?.median).padStart(8)} | ${mm(c?.regions['now-crop']?.median).padStart(8)} ${mm(c?.regions.face?.median)} | ${pct(m.nme)} | ` +
            `${mm(baseline.regions['now-crop']?.median).padStart(8)} ${mm(baseline.regions.face?.median)} ${pct(baseline.nme)} | ` +
            `${report.timings.predict.toFixed(0).padStart(6)}${report.error ? `  (${report.error})` : ''}`,
        );
      } else {
        io.err(`FAIL ${ids[i]}: ${report.error}`);
      }
    }
    progress.clear();

    const scored = samples.filter((s) => s.method);
    const predictTimes = samples.filter((s) => s.detected).map((s) => s.timings.predict);
    const report: EvalReport = {
      version: 1,
      method: values.method,
      detector: setup.detectorName,
      model: values.model ?? null,
      data: dataDir,
      dataset: { model: manifest.model.id, units: manifest.units, unitToMm: manifest.unitToMm, samples: manifest.samples.length },
      options: { icp, regions: [...regions], predictedTriangles: triangleNote },
      samples,
      summary: {
        succeeded: scored.length,
        failed: samples.length - scored.length,
        detectionRate: samples.length ? samples.filter((s) => s.detected).length / samples.length : 0,
        method: scored.length ? summarizeScores(scored.map((s) => s.method!)) : null,
        coarse: scored.some((s) => s.coarse) ? summarizeScores(scored.filter((s) => s.coarse).map((s) => s.coarse!)) : null,
        baseline: summarizeScores(samples.map((s) => s.baseline)),
        baselineOnSucceeded: scored.length ? summarizeScores(scored.map((s) => s.baseline)) : null,
        meanPredictMs: predictTimes.length ? predictTimes.reduce((a, b) => a + b, 0) / predictTimes.length : NaN,
      },
    };
    io.out('');
    if (report.summary.coarse) {
      printSummaryLine(io, `${values.method} (coarse)`, report.summary.coarse);
      printSummaryLine(io, `${values.method} (detailed)`, report.summary.method);
    } else {
      printSummaryLine(io, values.method, report.summary.method);
    }
    printSummaryLine(io, 'mean-face baseline', report.summary.baseline);
    io.out(
      `detected ${samples.filter((s) => s.detected).length}/${samples.length}, scored ${scored.length}/${samples.length}, ` +
        `mean predict ${Number.isFinite(report.summary.meanPredictMs) ? report.summary.meanPredictMs.toFixed(0) : '-'} ms`,
    );
    await writeFileAtomic(outPath, JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
    io.out(`report: ${outPath}`);
    return scored.length === samples.length ? 0 : 1;
  },
};
