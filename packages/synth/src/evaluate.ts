/**
 * NoW-style scoring of a reconstruction against synthetic ground truth: similarity alignment of the predicted
 * 68 landmarks to the true ones (3D), rigid ICP refinement, then distances from the ground-truth scan points
 * (vertices of a region of the true mesh) to the predicted surface, in millimetres; plus the 2D landmark NME.
 * Also the mean-face baseline: the true parameters with the identity zeroed, scored the same way.
 * @module
 */
import {
  evaluateNow,
  landmarkNme,
  pointToSurface,
  type Camera,
  type DistanceSummary,
  type FaceModel,
  type IcpOptions,
  type Mesh,
  type ParameterValues,
} from '@facekit/core';
import { modelLandmarks, modelUnitToMm, projectLandmarks } from './render.js';

/**
 * Which ground-truth vertices form a scan: inclusive vertex ranges and/or a list, optionally cropped to a
 * sphere around a ground-truth landmark (as NoW crops scans around the nose tip).
 */
export interface ScanRegionSpec {
  /** Inclusive `[first, last]` vertex ranges of the true mesh. */
  ranges?: Array<[number, number]>;
  /** Explicit vertex indices (added to the ranges). */
  vertices?: ArrayLike<number>;
  /** Keep points within `radius` (true-mesh units) of 68-point landmark `landmark` (default 30, the nose tip). */
  crop?: { radius: number; landmark?: number };
  description?: string;
}

/** What a reconstruction is scored against. */
export interface EvaluationTruth {
  /** True mesh (positions in model units and frame; triangles are not needed for scoring). */
  mesh: Pick<Mesh, 'positions'> & Partial<Pick<Mesh, 'triangles'>>;
  /** 68 x 3 true landmarks on `mesh`. */
  landmarks3d: ArrayLike<number>;
  /** 68 x 2 true landmarks in image pixels (for the NME). */
  landmarks2d?: ArrayLike<number>;
  /** Millimetres per unit of `mesh` (10 for ICT-FaceKit's centimetres). */
  unitToMm: number;
  /** Scan regions by name (see {@link defaultScanRegions}). */
  regions: Record<string, ScanRegionSpec>;
}

/** Options of {@link evaluateReconstruction}. */
export interface EvaluateOptions {
  /** Predicted 68 x 2 landmarks (image pixels) for the 2D NME. */
  landmarks2d?: ArrayLike<number>;
  /** Rigid refinement after the landmark alignment (default: point-to-plane ICP, 50 iterations; false skips). */
  icp?: boolean | IcpOptions;
  /** Regions to score (default: all of `truth.regions`). */
  regions?: readonly string[];
  /** Triangles of the predicted mesh to measure against (e.g. its skin only). Default: all. */
  predictedTriangles?: ArrayLike<number>;
  /** Landmarks used for the similarity alignment (default: all 68). */
  landmarkIndices?: readonly number[];
}

/** Scan-to-surface distances of one region, in millimetres. */
export interface RegionScore {
  /** Scan points scored. */
  points: number;
  median: number;
  mean: number;
  std: number;
  max: number;
  /** ICP updates made. */
  icpIterations: number;
}

/** Result of {@link evaluateReconstruction}. */
export interface ReconstructionScore {
  regions: Record<string, RegionScore>;
  /** RMS of the 3D landmark residual after the similarity alignment, mm. */
  landmarkRmsMm: number;
  /** Scale of the similarity mapping the prediction onto the truth (unit conversion included). */
  alignmentScale: number;
  /** 2D landmark NME (fraction; bounding-box normalisation), when predicted landmarks2d were given. */
  nme?: number;
}

/** Vertex indices of a region spec, sorted and unique. */
export function scanRegionVertices(spec: ScanRegionSpec, vertexCount: number): Uint32Array {
  const mark = new Uint8Array(vertexCount);
  for (const [a, b] of spec.ranges ?? []) {
    if (!(a >= 0 && b >= a && b < vertexCount)) throw new RangeError(`scan region range [${a}, ${b}] is outside 0..${vertexCount - 1}`);
    mark.fill(1, a, b + 1);
  }
  if (spec.vertices) {
    for (const v of Array.from(spec.vertices)) {
      if (!(v >= 0 && v < vertexCount)) throw new RangeError(`scan region vertex ${v} is outside 0..${vertexCount - 1}`);
      mark[v] = 1;
    }
  }
  if (!spec.ranges && !spec.vertices) mark.fill(1);
  let n = 0;
  for (let i = 0; i < vertexCount; i++) n += mark[i];
  const out = new Uint32Array(n);
  for (let i = 0, k = 0; i < vertexCount; i++) if (mark[i]) out[k++] = i;
  return out;
}

/** Sorted vertex indices as inclusive ranges (compact for JSON). */
export function toRanges(vertices: ArrayLike<number>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < vertices.length; i++) {
    const v = vertices[i];
    const last = out[out.length - 1];
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/** NoW crops scans to this radius around the nose tip. */
export const NOW_CROP_RADIUS_MM = 95;

/**
 * The two scan regions of a model:
 * - `now-crop`: the face without ears and neck (ICT-FaceKit's `narrow_face`, else `face`, else everything),
 *   cropped to 95 mm around the nose tip (landmark 30), as NoW crops its scans;
 * - `face`: the model's `face` region (ICT-FaceKit: vertices 0..9408, ears and upper neck included), else
 *   everything.
 */
export function defaultScanRegions(model: FaceModel): Record<string, ScanRegionSpec> {
  const unitToMm = modelUnitToMm(model.units);
  const V = model.topology.vertexCount;
  const all: ScanRegionSpec = { ranges: [[0, V - 1]] };
  const narrow = model.regions?.narrow_face ?? model.regions?.face;
  const face = model.regions?.face;
  return {
    'now-crop': {
      ...(narrow ? { ranges: toRanges(narrow.vertices) } : all),
      crop: { radius: NOW_CROP_RADIUS_MM / unitToMm, landmark: 30 },
      description: `${model.regions?.narrow_face ? 'narrow face' : face ? 'face' : 'whole mesh'} within ${NOW_CROP_RADIUS_MM} mm of the nose tip`,
    },
    face: { ...(face ? { ranges: toRanges(face.vertices) } : all), description: face ? 'face region' : 'whole mesh' },
  };
}

function pick(points: ArrayLike<number>, indices: readonly number[] | undefined, stride: number): ArrayLike<number> {
  if (!indices) return points;
  const out = new Float64Array(indices.length * stride);
  indices.forEach((k, i) => {
    for (let c = 0; c < stride; c++) out[i * stride + c] = points[k * stride + c];
  });
  return out;
}

/**
 * Scores a predicted mesh (any topology, any units, any frame) against the truth: for each scan region, the
 * predicted landmarks are aligned to the true ones by a similarity transform (scale included, so units do not
 * matter), refined by rigid ICP of the scan onto the predicted surface, and the distances from every scan point
 * to the predicted surface are summarised in millimetres.
 *
 * @param predictedLandmarks3d 68 x 3 on the predicted mesh, in its frame (the `landmarks3d` of a Reconstruction).
 */
export function evaluateReconstruction(
  truth: EvaluationTruth,
  predictedMesh: Pick<Mesh, 'positions' | 'triangles'>,
  predictedLandmarks3d: ArrayLike<number>,
  options: EvaluateOptions = {},
): ReconstructionScore {
  const nl = truth.landmarks3d.length / 3;
  if (predictedLandmarks3d.length !== truth.landmarks3d.length) {
    throw new RangeError(`predicted landmarks3d hold ${predictedLandmarks3d.length / 3} points; the truth has ${nl}`);
  }
  for (let i = 0; i < predictedLandmarks3d.length; i++) {
    if (!Number.isFinite(predictedLandmarks3d[i])) throw new RangeError(`predicted landmarks3d[${i}] is ${predictedLandmarks3d[i]}`);
  }
  const V = truth.mesh.positions.length / 3;
  const names = options.regions ?? Object.keys(truth.regions);
  const predLm = pick(predictedLandmarks3d, options.landmarkIndices, 3);
  const trueLm = pick(truth.landmarks3d, options.landmarkIndices, 3);
  const regions: Record<string, RegionScore> = {};
  let landmarkRms = NaN;
  let alignmentScale = NaN;
  for (const name of names) {
    const spec = truth.regions[name];
    if (!spec) throw new RangeError(`unknown scan region "${name}"; the truth has ${Object.keys(truth.regions).join(', ')}`);
    const idx = scanRegionVertices(spec, V);
    const P = truth.mesh.positions;
    const keep: number[] = [];
    const crop = spec.crop;
    const k = crop?.landmark ?? 30;
    const cx = truth.landmarks3d[3 * k], cy = truth.landmarks3d[3 * k + 1], cz = truth.landmarks3d[3 * k + 2];
    const r2 = crop ? crop.radius * crop.radius : Infinity;
    for (const v of idx) {
      const dx = P[3 * v] - cx, dy = P[3 * v + 1] - cy, dz = P[3 * v + 2] - cz;
      if (!crop || dx * dx + dy * dy + dz * dz <= r2) keep.push(v);
    }
    const scan = new Float64Array(keep.length * 3);
    keep.forEach((v, i) => {
      scan[3 * i] = P[3 * v];
      scan[3 * i + 1] = P[3 * v + 1];
      scan[3 * i + 2] = P[3 * v + 2];
    });
    const res = evaluateNow(
      { predictedMesh, predictedLandmarks: predLm, scanPoints: scan, scanLandmarks: trueLm },
      {
        unitToMm: truth.unitToMm,
        icp: options.icp ?? true,
        ...(options.predictedTriangles ? { faceTriangles: options.predictedTriangles } : {}),
      },
    );
    const st: DistanceSummary = res.statsMm;
    regions[name] = { points: st.count, median: st.median, mean: st.mean, std: st.std, max: st.max, icpIterations: res.icpIterations };
    landmarkRms = res.landmarkRms * truth.unitToMm;
    alignmentScale = res.landmarkTransform.scale;
  }
  const score: ReconstructionScore = { regions, landmarkRmsMm: landmarkRms, alignmentScale };
  if (options.landmarks2d && truth.landmarks2d) score.nme = landmarkNme(options.landmarks2d, truth.landmarks2d, { normalization: 'bbox' }).mean;
  return score;
}

/**
 * Carries points on one mesh over to another mesh of the same topology (e.g. the landmarks of a detailed mesh
 * onto its coarse mesh): each point's closest surface point on `from` (triangle + barycentrics) is evaluated
 * on `to`. Used to score a reconstruction's `coarseMesh` with landmarks that sit on it.
 *
 * @param points N x 3 on (or near) `from`'s surface.
 */
export function transferPoints(
  from: Pick<Mesh, 'positions' | 'triangles'>,
  to: Pick<Mesh, 'positions'>,
  points: ArrayLike<number>,
): Float32Array {
  if (to.positions.length !== from.positions.length) {
    throw new RangeError(`meshes differ in vertex count: ${from.positions.length / 3} vs ${to.positions.length / 3}`);
  }
  const n = points.length / 3;
  const hit = pointToSurface(points, from);
  const P = from.positions, Q = to.positions, T = from.triangles;
  const out = new Float32Array(3 * n);
  for (let k = 0; k < n; k++) {
    const t = hit.triangleIds[k];
    if (t < 0) {
      out.set([points[3 * k], points[3 * k + 1], points[3 * k + 2]], 3 * k);
      continue;
    }
    const a = 3 * T[3 * t], b = 3 * T[3 * t + 1], c = 3 * T[3 * t + 2];
    const v0 = [P[b] - P[a], P[b + 1] - P[a + 1], P[b + 2] - P[a + 2]];
    const v1 = [P[c] - P[a], P[c + 1] - P[a + 1], P[c + 2] - P[a + 2]];
    const v2 = [hit.closestPoints[3 * k] - P[a], hit.closestPoints[3 * k + 1] - P[a + 1], hit.closestPoints[3 * k + 2] - P[a + 2]];
    const dot = (x: number[], y: number[]): number => x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
    const d00 = dot(v0, v0), d01 = dot(v0, v1), d11 = dot(v1, v1), d20 = dot(v2, v0), d21 = dot(v2, v1);
    const den = d00 * d11 - d01 * d01;
    const w1 = den !== 0 ? (d11 * d20 - d01 * d21) / den : 0;
    const w2 = den !== 0 ? (d00 * d21 - d01 * d20) / den : 0;
    const w0 = 1 - w1 - w2;
    for (let j = 0; j < 3; j++) out[3 * k + j] = w0 * Q[a + j] + w1 * Q[b + j] + w2 * Q[c + j];
  }
  return out;
}

/** The truth record of a rendered sample, with {@link defaultScanRegions}. */
export function truthFromSynthetic(
  model: FaceModel,
  face: { mesh: Pick<Mesh, 'positions' | 'triangles'>; landmarks3d: Float32Array; landmarks2d: Float32Array },
): EvaluationTruth {
  return {
    mesh: face.mesh,
    landmarks3d: face.landmarks3d,
    landmarks2d: face.landmarks2d,
    unitToMm: modelUnitToMm(model.units),
    regions: defaultScanRegions(model),
  };
}

/** Parameter blocks that carry identity and are zeroed by the mean-face baseline. */
export const IDENTITY_BLOCK_NAMES: readonly string[] = Object.freeze(['identity', 'shape']);

/** The mean-face prediction of a sample: its mesh, 68 landmarks in 3D and projected. */
export interface BaselinePrediction {
  mesh: Mesh;
  landmarks3d: Float32Array;
  landmarks2d: Float32Array;
  params: Record<string, Float32Array>;
}

/**
 * The mean-face baseline: the true parameters with the identity blocks (`identity`, `shape`) zeroed — same
 * expression, pose and camera — decoded and projected. Scoring it shows what knowing everything but the
 * identity is worth.
 */
export function meanFaceBaseline(model: FaceModel, sample: { params: ParameterValues; camera: Camera }): BaselinePrediction {
  const params: Record<string, Float32Array> = {};
  for (const [name, values] of Object.entries(sample.params)) {
    params[name] = IDENTITY_BLOCK_NAMES.includes(name) ? new Float32Array(values.length) : Float32Array.from(values);
  }
  const positions = model.decode(params);
  const landmarks3d = modelLandmarks(model, positions);
  return {
    mesh: { positions, triangles: model.topology.triangles },
    landmarks3d,
    landmarks2d: projectLandmarks(sample.camera, landmarks3d),
    params,
  };
}

/** Aggregate of many {@link ReconstructionScore}s. */
export interface ScoreSummary {
  /** Samples aggregated. */
  count: number;
  /** Per region: median of the per-sample medians, mean of the per-sample means, mean of the per-sample stds (mm). */
  regions: Record<string, { medianOfMedians: number; meanOfMedians: number; meanOfMeans: number; meanOfStds: number }>;
  /** Mean and median of the per-sample NME (fractions), when available. */
  nme?: { mean: number; median: number };
  /** Mean landmark RMS after alignment, mm. */
  landmarkRmsMm: number;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Summarises scores (NoW reports the median, mean and std of the scan-to-mesh distances; here per sample, then aggregated). */
export function summarizeScores(scores: readonly ReconstructionScore[]): ScoreSummary {
  const names = [...new Set(scores.flatMap((s) => Object.keys(s.regions)))];
  const regions: ScoreSummary['regions'] = {};
  for (const name of names) {
    const rs = scores.map((s) => s.regions[name]).filter((r): r is RegionScore => r !== undefined);
    regions[name] = {
      medianOfMedians: median(rs.map((r) => r.median)),
      meanOfMedians: mean(rs.map((r) => r.median)),
      meanOfMeans: mean(rs.map((r) => r.mean)),
      meanOfStds: mean(rs.map((r) => r.std)),
    };
  }
  const nmes = scores.map((s) => s.nme).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const out: ScoreSummary = { count: scores.length, regions, landmarkRmsMm: mean(scores.map((s) => s.landmarkRmsMm)) };
  if (nmes.length) out.nme = { mean: mean(nmes), median: median(nmes) };
  return out;
}
