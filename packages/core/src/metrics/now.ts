/**
 * NoW-style evaluation of a reconstructed face against a ground-truth scan (Sanyal et al., RingNet, CVPR 2019:
 * "Not quite in-the-Wild" benchmark): align the predicted mesh to the scan with a similarity transform from
 * corresponding 3D landmarks, refine the alignment rigidly to minimise scan-to-mesh distance, then report
 * statistics of the distance from every (cropped) scan point to the predicted surface.
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';
import { icp, prepareIcpTarget, type IcpOptions } from '../align/icp.js';
import { procrustes } from '../align/procrustes.js';
import { applySimilarity, composeSimilarity, invertSimilarity, type SimilarityTransform } from '../align/similarity.js';
import { TriangleBvh } from './triangle-bvh.js';
import { summarizeDistances, type DistanceSummary } from './stats.js';

/** Inputs of {@link evaluateNow}. All in the same length unit (see `unitToMm`). */
export interface NowInput {
  /** The predicted face mesh (V x 3 positions, F x 3 triangles), in its own frame. */
  predictedMesh: Pick<Mesh, 'positions' | 'triangles'>;
  /** L x 3 landmarks on the predicted mesh (NoW uses L = 7; 68 works too), same frame as the mesh. */
  predictedLandmarks: ArrayLike<number>;
  /** M x 3 ground-truth scan points. */
  scanPoints: ArrayLike<number>;
  /** L x 3 scan landmarks in the same order as `predictedLandmarks`. */
  scanLandmarks: ArrayLike<number>;
}

/** Options of {@link evaluateNow}. */
export interface NowOptions {
  /** Triangles of the predicted mesh the distance is measured against (e.g. the face region). Default: all. */
  faceTriangles?: ArrayLike<number>;
  /**
   * Keep only scan points within `radius` of a centre (scan units), as NoW crops scans around the face. The
   * centre is `center` (xyz, scan frame), or scan landmark `landmarkIndex` (e.g. 4, the nose tip of NoW's
   * 7 points, or 30 of the 68-point order). Default: no crop.
   */
  crop?: { radius: number; center?: ArrayLike<number>; landmarkIndex?: number };
  /**
   * Rigid refinement after the landmark alignment: `false` to skip, `true` / options for ICP from the cropped
   * scan to the predicted surface (default `{ method: 'point-to-plane', maxIterations: 50 }`).
   */
  icp?: boolean | IcpOptions;
  /** Millimetres per input unit (1000 for metres, 1 for mm); scales the `*Mm` statistics. Default 1. */
  unitToMm?: number;
}

/**
 * Result of {@link evaluateNow}.
 * - `distances`: per kept scan point, distance to the aligned predicted surface (scan units).
 * - `scanIndices`: indices (into the scan's points) of the kept points, in the order of `distances`.
 * - `stats`: summary in scan units; `statsMm`: the same in millimetres.
 * - `transform`: the similarity mapping the predicted mesh into the scan frame (landmark fit, then ICP).
 * - `landmarkTransform`: the landmark-only similarity, with `landmarkRms` its residual (scan units).
 * - `alignedPositions`: the predicted mesh's vertices mapped by `transform` (V x 3).
 * - `icpIterations`: ICP updates made (0 when skipped).
 */
export interface NowResult {
  distances: Float32Array;
  scanIndices: Uint32Array;
  stats: DistanceSummary;
  statsMm: DistanceSummary;
  transform: SimilarityTransform;
  landmarkTransform: SimilarityTransform;
  landmarkRms: number;
  alignedPositions: Float32Array;
  icpIterations: number;
}

/**
 * Scan-to-mesh error of a predicted face, NoW protocol: similarity alignment on landmarks (scale included, as
 * NoW does), optional rigid ICP refinement, exact scan-point-to-surface distances, median/mean/std.
 */
export function evaluateNow(input: NowInput, options: NowOptions = {}): NowResult {
  const { predictedMesh, predictedLandmarks, scanPoints, scanLandmarks } = input;
  if (scanPoints.length % 3 !== 0) throw new RangeError(`scanPoints has length ${scanPoints.length}, not a multiple of 3`);
  const unitToMm = options.unitToMm ?? 1;

  // 1. Landmark similarity: predicted -> scan.
  const lm = procrustes(predictedLandmarks, scanLandmarks, { withScale: true });
  const landmarkTransform: SimilarityTransform = { scale: lm.scale, rotation: lm.rotation, translation: lm.translation };
  const aligned = applySimilarity(predictedMesh.positions, landmarkTransform, new Float32Array(predictedMesh.positions.length)) as Float32Array;

  // 2. Crop the scan.
  const m = scanPoints.length / 3;
  let kept: Uint32Array;
  const crop = options.crop;
  if (crop) {
    let cx: number, cy: number, cz: number;
    if (crop.center) {
      [cx, cy, cz] = [crop.center[0], crop.center[1], crop.center[2]];
    } else if (crop.landmarkIndex !== undefined) {
      const k = crop.landmarkIndex;
      if (!(k >= 0 && 3 * k + 2 < scanLandmarks.length)) throw new RangeError(`crop.landmarkIndex ${k} is out of range`);
      [cx, cy, cz] = [scanLandmarks[3 * k], scanLandmarks[3 * k + 1], scanLandmarks[3 * k + 2]];
    } else {
      throw new RangeError('crop needs a center or a landmarkIndex');
    }
    const r2 = crop.radius * crop.radius;
    const idx = new Uint32Array(m);
    let c = 0;
    for (let i = 0; i < m; i++) {
      const dx = scanPoints[3 * i] - cx, dy = scanPoints[3 * i + 1] - cy, dz = scanPoints[3 * i + 2] - cz;
      if (dx * dx + dy * dy + dz * dz <= r2) idx[c++] = i;
    }
    kept = idx.slice(0, c);
  } else {
    kept = new Uint32Array(m);
    for (let i = 0; i < m; i++) kept[i] = i;
  }
  const scan = new Float64Array(3 * kept.length);
  for (let j = 0; j < kept.length; j++) {
    const i = kept[j];
    scan[3 * j] = scanPoints[3 * i];
    scan[3 * j + 1] = scanPoints[3 * i + 1];
    scan[3 * j + 2] = scanPoints[3 * i + 2];
  }

  // 3. Rigid refinement. ICP moves the scan onto the predicted surface, because the quantity minimised must be
  // the reported one (scan-to-mesh distance); the inverse motion is then applied to the mesh.
  const target = prepareIcpTarget(
    { positions: aligned, triangles: predictedMesh.triangles },
    { correspondence: 'surface', triangleIds: options.faceTriangles },
  );
  const bvh = target.bvh as TriangleBvh;
  let transform = landmarkTransform;
  let queryPoints: Float64Array = scan;
  let icpIterations = 0;
  if (options.icp !== false && kept.length > 0) {
    const icpOptions: IcpOptions = { method: 'point-to-plane', maxIterations: 50, ...(typeof options.icp === 'object' ? options.icp : {}) };
    const res = icp(scan, target, icpOptions);
    icpIterations = res.iterations;
    const scanToMesh: SimilarityTransform = { scale: res.scale, rotation: res.rotation, translation: res.translation };
    queryPoints = applySimilarity(scan, scanToMesh, new Float64Array(scan.length)) as Float64Array;
    transform = composeSimilarity(invertSimilarity(scanToMesh), landmarkTransform);
    applySimilarity(predictedMesh.positions, transform, aligned);
  }

  // 4. Distances (rigid motions preserve them, so measuring the moved scan against the landmark-aligned mesh
  // equals measuring the scan against the finally aligned mesh, without rebuilding the BVH).
  const { distances } = bvh.query(queryPoints);
  return {
    distances,
    scanIndices: kept,
    stats: summarizeDistances(distances),
    statsMm: summarizeDistances(distances, unitToMm),
    transform,
    landmarkTransform,
    landmarkRms: lm.rms,
    alignedPositions: aligned,
    icpIterations,
  };
}
