/**
 * Node entry of `@facekit/synth`: everything of the main entry, plus writing synthetic datasets to disk and
 * reading their samples back for evaluation.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { extractRegion, FacekitError, type FaceModel, type ImageU8, type Mesh } from '@facekit/core';
import { readImage, readMeshFile, writeFileAtomic, writeImage, writeObjFiles } from '@facekit/core/node';
import { defaultScanRegions, meanFaceBaseline, scanRegionVertices, toRanges, type EvaluationTruth, type ScanRegionSpec } from '../evaluate.js';
import { deriveSeed } from '../random.js';
import { modelUnitToMm, renderSyntheticFace, type SynthOptions, type SyntheticFace } from '../render.js';
import { fromRows, toRows, type DatasetManifest, type TruthJson } from '../truth-json.js';

export * from '../index.js';

/** Options of {@link writeSyntheticDataset}. */
export interface DatasetOptions extends SynthOptions {
  /** Number of samples. */
  count: number;
  /** Base seed; sample i uses `deriveSeed(seed, i)`, so sample i does not depend on `count`. */
  seed: number;
  /** Output folder. */
  out: string;
  /**
   * Model region written to `mesh.obj` and `mean-face.obj` (default `face_head`, ICT-FaceKit's skin surface,
   * when the model has it; else the whole mesh; `all` forces the whole mesh).
   */
  meshRegion?: string;
  /** How the model was named (e.g. `ict-facekit` or a folder), recorded in the manifest. */
  modelSpec?: string;
  /** Called after each sample is written. */
  onSample?(index: number, id: string, face: SyntheticFace): void;
}

/** Sample folder name of index i. */
export function sampleId(i: number): string {
  return `s${String(i).padStart(4, '0')}`;
}

function subsetOf(model: FaceModel, region: string | undefined): { name: string; vertices: Uint32Array | null } {
  const name = region ?? (model.regions?.face_head ? 'face_head' : 'all');
  if (name === 'all') return { name, vertices: null };
  const r = model.regions?.[name];
  if (!r) throw new FacekitError('ERR_SYNTH_REGION', `model ${model.id} has no region "${name}"; regions: ${Object.keys(model.regions ?? {}).join(', ') || 'none'}`);
  return { name, vertices: r.vertices };
}

function cutMesh(mesh: Mesh, vertices: Uint32Array | null): { mesh: Mesh; inverse: Int32Array | null } {
  if (!vertices) return { mesh, inverse: null };
  const sub = extractRegion(mesh, vertices);
  return { mesh: sub.mesh, inverse: sub.inverseVertexMap };
}

/** Region specs in mesh.obj indices (model vertices outside the written subset are dropped). */
function remapRegions(regions: Record<string, ScanRegionSpec>, V: number, inverse: Int32Array | null): Record<string, ScanRegionSpec> {
  if (!inverse) return regions;
  const out: Record<string, ScanRegionSpec> = {};
  for (const [name, spec] of Object.entries(regions)) {
    const kept: number[] = [];
    for (const v of scanRegionVertices(spec, V)) if (inverse[v] >= 0) kept.push(inverse[v]);
    kept.sort((a, b) => a - b);
    const { vertices: _drop, ...rest } = spec;
    void _drop;
    out[name] = { ...rest, ranges: toRanges(kept) };
  }
  return out;
}

const json = (value: unknown): string => JSON.stringify(value, null, 1) + '\n';

/**
 * Renders `count` samples of `model` into `out`: per sample `<out>/<id>/` with `image.png`, `mesh.obj` (+ .mtl;
 * the ground truth, region {@link DatasetOptions.meshRegion}), `mean-face.obj` (the mean-face baseline, same
 * region), `params.json` (named blocks) and `truth.json` ({@link TruthJson}); then `<out>/manifest.json`
 * ({@link DatasetManifest}), written last. Every file is written atomically.
 */
export async function writeSyntheticDataset(model: FaceModel, options: DatasetOptions): Promise<DatasetManifest> {
  const { count, seed, meshRegion, modelSpec, onSample, out: outDir, ...synth } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a number, got ${seed}`);
  const out = resolve(outDir);
  const size = synth.size ?? 256;
  const unitToMm = modelUnitToMm(model.units);
  const region = subsetOf(model, meshRegion);
  const V = model.topology.vertexCount;
  const modelRanges = region.vertices ? toRanges(region.vertices) : [[0, V - 1] as [number, number]];
  const samples: DatasetManifest['samples'] = [];
  const expr = model.parameters.find((b) => b.range && b.labels);
  for (let i = 0; i < count; i++) {
    const id = sampleId(i);
    const dir = join(out, id);
    const s = deriveSeed(seed, i);
    const face = renderSyntheticFace(model, s, synth);
    // Normals are derived data: left out of the files to keep them small.
    const { normals: _n, ...gtFull } = face.mesh;
    void _n;
    const gt = cutMesh(gtFull, region.vertices);
    const base = meanFaceBaseline(model, face);
    const baseMesh = cutMesh({ ...base.mesh, ...(face.mesh.uvs ? { uvs: face.mesh.uvs, uvTriangles: face.mesh.uvTriangles } : {}) }, region.vertices);
    await writeImage(join(dir, 'image.png'), face.image);
    const comment = `${model.name} (${model.id}), ${region.name} region, units ${model.units}; facekit synthetic sample ${id}`;
    await writeObjFiles(join(dir, 'mesh.obj'), gt.mesh, { comment: `ground truth: ${comment}` });
    await writeObjFiles(join(dir, 'mean-face.obj'), baseMesh.mesh, { comment: `mean-face baseline: ${comment}` });
    await writeFileAtomic(join(dir, 'params.json'), json(Object.fromEntries(Object.entries(face.params).map(([k, v]) => [k, Array.from(v, (x) => Math.round(x * 1e6) / 1e6)]))));
    const expression: Record<string, number> = {};
    if (expr) {
      const w = face.params[expr.name];
      w?.forEach((x, k) => {
        if (x !== 0) expression[expr.labels![k]] = Math.round(x * 1e6) / 1e6;
      });
    }
    const truth: TruthJson = {
      version: 1,
      id,
      seed: s,
      model: { id: model.id, units: model.units },
      units: model.units,
      unitToMm,
      image: { file: 'image.png', width: face.image.width, height: face.image.height },
      mesh: { file: 'mesh.obj', region: region.name, modelVertexRanges: modelRanges, vertices: gt.mesh.positions.length / 3, triangles: gt.mesh.triangles.length / 3 },
      landmarks2d: toRows(face.landmarks2d, 2),
      landmarks3d: toRows(face.landmarks3d, 3, 6),
      pose: face.pose,
      camera: face.camera,
      lighting: Array.from(face.lighting),
      light: face.light,
      box: face.box,
      regions: remapRegions(defaultScanRegions(model), V, gt.inverse),
      renderedRegions: face.renderedRegions,
      expression,
      appearance: face.appearance,
      baseline: { file: 'mean-face.obj', landmarks3d: toRows(base.landmarks3d, 3, 6), landmarks2d: toRows(base.landmarks2d, 2) },
    };
    await writeFileAtomic(join(dir, 'truth.json'), json(truth));
    samples.push({ id, seed: s, pose: face.pose });
    onSample?.(i, id, face);
  }
  const manifest: DatasetManifest = {
    version: 1,
    generator: '@facekit/synth',
    model: { id: model.id, name: model.name, units: model.units, vertices: V, ...(modelSpec ? { spec: modelSpec } : {}) },
    seed,
    count,
    size,
    units: model.units,
    unitToMm,
    meshRegion: region.name,
    samples,
    ...(model.attribution ? { attribution: model.attribution } : {}),
  };
  await writeFileAtomic(join(out, 'manifest.json'), json(manifest));
  return manifest;
}

async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new FacekitError('ERR_SYNTH_MISSING', `${what} not found: ${path}`);
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new FacekitError('ERR_SYNTH_FORMAT', `${what} ${path} is not valid JSON (${(error as Error).message})`);
  }
}

/** Reads `<dir>/manifest.json`. */
export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  const m = await readJson<DatasetManifest>(join(resolve(dir), 'manifest.json'), 'dataset manifest');
  if (m.version !== 1 || !Array.isArray(m.samples)) {
    throw new FacekitError('ERR_SYNTH_FORMAT', `${join(dir, 'manifest.json')} is not a facekit synthetic dataset manifest (version 1 with samples)`);
  }
  return m;
}

/** One sample read back from disk. */
export interface LoadedSample {
  id: string;
  dir: string;
  image: ImageU8;
  truthJson: TruthJson;
  /** Ready for `evaluateReconstruction`. */
  truth: EvaluationTruth & { mesh: Mesh };
  /** The mean-face baseline prediction. */
  baseline: { mesh: Mesh; landmarks3d: Float32Array; landmarks2d: Float32Array };
}

/** Reads sample `id` of the dataset in `dataDir` (image, truth, ground-truth and baseline meshes). */
export async function loadSyntheticSample(dataDir: string, id: string): Promise<LoadedSample> {
  const dir = join(resolve(dataDir), id);
  const truthJson = await readJson<TruthJson>(join(dir, 'truth.json'), 'sample truth');
  const [image, gt, base] = await Promise.all([
    readImage(join(dir, truthJson.image.file)),
    readMeshFile(join(dir, truthJson.mesh.file)),
    readMeshFile(join(dir, truthJson.baseline.file)),
  ]);
  if (gt.mesh.positions.length / 3 !== truthJson.mesh.vertices) {
    throw new FacekitError('ERR_SYNTH_FORMAT', `${join(dir, truthJson.mesh.file)} has ${gt.mesh.positions.length / 3} vertices; truth.json says ${truthJson.mesh.vertices}`);
  }
  return {
    id,
    dir,
    image,
    truthJson,
    truth: {
      mesh: gt.mesh,
      landmarks3d: fromRows(truthJson.landmarks3d),
      landmarks2d: fromRows(truthJson.landmarks2d),
      unitToMm: truthJson.unitToMm,
      regions: truthJson.regions,
    },
    baseline: { mesh: base.mesh, landmarks3d: fromRows(truthJson.baseline.landmarks3d), landmarks2d: fromRows(truthJson.baseline.landmarks2d) },
  };
}
