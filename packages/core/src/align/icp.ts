/**
 * Rigid iterative closest point (ICP): moves a source point set onto a target surface or point cloud.
 *
 * Each iteration finds, for every (transformed) source point, the closest target point — exactly on the
 * target's triangles through a {@link TriangleBvh} when the target is a mesh, or the nearest target vertex
 * through a {@link KdTree3} — rejects outliers, then solves for an incremental rigid motion:
 * - point-to-point (Besl & McKay 1992): closed-form rigid Procrustes on the pairs;
 * - point-to-plane (Chen & Medioni 1992): minimises `Σ ((p - q) · n)^2` linearised for a small rotation
 *   (`R ≈ I + [ω]x`), a 6x6 normal-equation solve; the rotation is then re-orthonormalised with Rodrigues.
 * Point-to-plane converges in far fewer iterations on smooth surfaces because points may slide along it.
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';
import { axisAngleToMatrix } from '../math/rotations.js';
import { FacekitError } from '../util/errors.js';
import { TriangleBvh } from '../metrics/triangle-bvh.js';
import { KdTree3 } from './kdtree.js';
import { selectKth, solveSymmetricPositive } from './linalg.js';
import { procrustes } from './procrustes.js';
import type { SimilarityTransform } from './similarity.js';

/** ICP error metric. */
export type IcpMethod = 'point-to-point' | 'point-to-plane';

/**
 * How correspondences are found on a mesh target: `'surface'` = exact closest point on its triangles
 * (default when triangles are given), `'vertex'` = nearest vertex (k-d tree).
 */
export type IcpCorrespondence = 'surface' | 'vertex';

/**
 * An ICP target as given by the caller: N x 3 points (a point cloud), or a mesh-like object with
 * `positions` (V x 3), optional `triangles` (F x 3) and optional unit vertex `normals` (V x 3).
 */
export type IcpTargetInput = Float32Array | Float64Array | Pick<Mesh, 'positions'> & Partial<Pick<Mesh, 'triangles' | 'normals'>>;

/** Options of {@link prepareIcpTarget}. */
export interface PrepareIcpTargetOptions {
  /** See {@link IcpCorrespondence}. Default `'surface'` when the target has triangles, else `'vertex'`. */
  correspondence?: IcpCorrespondence;
  /** Restrict a mesh target to these triangles (e.g. a face-region mask); surface correspondence only. */
  triangleIds?: ArrayLike<number>;
}

/**
 * A target with its search structure built, reusable across {@link icp} calls.
 * - `surface` mode: `bvh` over the triangles, `normals` = unit face normals (F x 3, original triangle order).
 * - `vertex` mode: `kdtree` over `points`, `normals` = unit vertex normals (N x 3) when available.
 */
export interface PreparedIcpTarget {
  readonly mode: IcpCorrespondence;
  readonly points: ArrayLike<number>;
  readonly bvh?: TriangleBvh;
  readonly kdtree?: KdTree3;
  readonly normals?: Float64Array;
}

/** Options of {@link icp}. */
export interface IcpOptions {
  /** Error metric (default `'point-to-point'`). Point-to-plane needs target normals (a mesh provides them). */
  method?: IcpMethod;
  /** Maximum number of transform updates (default 50). */
  maxIterations?: number;
  /**
   * Convergence tolerance (default 1e-6): stop when the RMS changes by less than `tolerance · RMS`, or the last
   * update rotated by less than `tolerance` radians and moved by less than `tolerance ·` (source extent).
   */
  tolerance?: number;
  /** Reject pairs farther apart than this (units of the points). Default: no threshold. */
  maxDistance?: number;
  /** Keep only this fraction of the closest pairs each iteration (trimmed ICP), in (0, 1]. Default 1. */
  trimFraction?: number;
  /** Non-negative weight per source point (length N). */
  weights?: ArrayLike<number>;
  /**
   * Initial transform applied to the source. Its scale (default 1) is kept fixed: ICP refines only R and t.
   * Default: identity.
   */
  initial?: { rotation: ArrayLike<number>; translation: ArrayLike<number>; scale?: number };
  /** Correspondence mode when `target` is not already prepared (see {@link prepareIcpTarget}). */
  correspondence?: IcpCorrespondence;
}

/**
 * Result of {@link icp}: the transform mapping source to target (`scale` is the initial one), the RMS of the
 * inlier correspondence distances **at that transform**, the number of updates made, whether the tolerance
 * was met, and the inlier count of the final correspondence pass.
 */
export interface IcpResult extends SimilarityTransform {
  rms: number;
  iterations: number;
  converged: boolean;
  inlierCount: number;
}

function isPrepared(t: IcpTargetInput | PreparedIcpTarget): t is PreparedIcpTarget {
  return !ArrayBuffer.isView(t) && 'mode' in t;
}

/** Area-weighted unit vertex normals (private, so the module does not depend on mesh/normals). */
function vertexNormals(positions: ArrayLike<number>, triangles: ArrayLike<number>): Float64Array {
  const out = new Float64Array(positions.length);
  for (let f = 0; f < triangles.length; f += 3) {
    const a = 3 * triangles[f], b = 3 * triangles[f + 1], c = 3 * triangles[f + 2];
    const e1x = positions[b] - positions[a], e1y = positions[b + 1] - positions[a + 1], e1z = positions[b + 2] - positions[a + 2];
    const e2x = positions[c] - positions[a], e2y = positions[c + 1] - positions[a + 1], e2z = positions[c + 2] - positions[a + 2];
    // The unnormalised cross product has length 2·area, which is exactly the area weighting.
    const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    for (const v of [a, b, c]) {
      out[v] += nx;
      out[v + 1] += ny;
      out[v + 2] += nz;
    }
  }
  normalizeRows(out);
  return out;
}

function normalizeRows(v: Float64Array): void {
  for (let i = 0; i < v.length; i += 3) {
    const l = Math.hypot(v[i], v[i + 1], v[i + 2]);
    if (l > 0) {
      v[i] /= l;
      v[i + 1] /= l;
      v[i + 2] /= l;
    }
  }
}

/**
 * Builds the search structure for an ICP target once (a BVH over triangles or a k-d tree over points) so that
 * several {@link icp} runs against the same target share it.
 */
export function prepareIcpTarget(target: IcpTargetInput, options: PrepareIcpTargetOptions = {}): PreparedIcpTarget {
  const isArray = ArrayBuffer.isView(target);
  const positions = isArray ? (target as Float32Array | Float64Array) : (target as Pick<Mesh, 'positions'>).positions;
  const triangles = isArray ? undefined : (target as Partial<Pick<Mesh, 'triangles'>>).triangles;
  const given = isArray ? undefined : (target as Partial<Pick<Mesh, 'normals'>>).normals;
  if (positions.length % 3 !== 0 || positions.length === 0) {
    throw new RangeError(`ICP target needs N x 3 positions with N > 0, got length ${positions.length}`);
  }
  const mode = options.correspondence ?? (triangles && triangles.length > 0 ? 'surface' : 'vertex');
  if (mode === 'surface') {
    if (!triangles || triangles.length === 0) {
      throw new FacekitError('ERR_ICP_TARGET', "ICP correspondence 'surface' needs a target with triangles; use 'vertex' for a point cloud");
    }
    const bvh = new TriangleBvh(positions, triangles, { triangleIds: options.triangleIds });
    const normals = new Float64Array(triangles.length);
    for (let f = 0; f < triangles.length; f += 3) {
      const a = 3 * triangles[f], b = 3 * triangles[f + 1], c = 3 * triangles[f + 2];
      const e1x = positions[b] - positions[a], e1y = positions[b + 1] - positions[a + 1], e1z = positions[b + 2] - positions[a + 2];
      const e2x = positions[c] - positions[a], e2y = positions[c + 1] - positions[a + 1], e2z = positions[c + 2] - positions[a + 2];
      normals[f] = e1y * e2z - e1z * e2y;
      normals[f + 1] = e1z * e2x - e1x * e2z;
      normals[f + 2] = e1x * e2y - e1y * e2x;
    }
    normalizeRows(normals);
    return { mode, points: positions, bvh, normals };
  }
  let normals: Float64Array | undefined;
  if (given) {
    if (given.length !== positions.length) throw new RangeError(`target normals have length ${given.length}, expected ${positions.length}`);
    normals = Float64Array.from(given);
    normalizeRows(normals);
  } else if (triangles && triangles.length > 0) {
    normals = vertexNormals(positions, triangles);
  }
  return { mode, points: positions, kdtree: new KdTree3(positions), normals };
}

/**
 * Rigid ICP aligning `source` to `target`.
 *
 * @param source - N x 3 points to move (e.g. scan points, or mesh vertices).
 * @param target - a point cloud, a mesh, or a {@link PreparedIcpTarget}.
 * @returns `R`, `t` (and the fixed initial `s`) with `s R x + t` ≈ the target surface, and convergence info.
 * @throws FacekitError `ERR_ICP_TARGET` when point-to-plane is asked for a target without normals.
 */
export function icp(source: ArrayLike<number>, target: IcpTargetInput | PreparedIcpTarget, options: IcpOptions = {}): IcpResult {
  const prepared = isPrepared(target) ? target : prepareIcpTarget(target, { correspondence: options.correspondence });
  const method = options.method ?? 'point-to-point';
  const maxIterations = Math.max(0, Math.floor(options.maxIterations ?? 50));
  const tol = options.tolerance ?? 1e-6;
  const maxDistance = options.maxDistance ?? Infinity;
  const trim = options.trimFraction ?? 1;
  if (!(trim > 0 && trim <= 1)) throw new RangeError(`trimFraction must be in (0, 1], got ${trim}`);
  if (source.length % 3 !== 0) throw new RangeError(`source has length ${source.length}, not a multiple of 3`);
  const n = source.length / 3;
  const userW = options.weights;
  if (userW && userW.length !== n) throw new RangeError(`weights has length ${userW.length}, expected ${n}`);
  const normals = prepared.normals;
  if (method === 'point-to-plane' && !normals) {
    throw new FacekitError(
      'ERR_ICP_TARGET',
      'point-to-plane ICP needs target normals: pass a mesh (with triangles) or a target with per-point normals',
    );
  }

  const scale = options.initial?.scale ?? 1;
  const rotation = new Float64Array(options.initial ? Array.from({ length: 9 }, (_, i) => options.initial!.rotation[i]) : [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const translation = new Float64Array(options.initial ? [options.initial.translation[0], options.initial.translation[1], options.initial.translation[2]] : [0, 0, 0]);

  // Source extent, to make the translation part of the step-size test scale-free.
  let extent = 0;
  {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, z0 = Infinity, z1 = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = source[3 * i], y = source[3 * i + 1], z = source[3 * i + 2];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (z < z0) z0 = z;
      if (z > z1) z1 = z;
    }
    extent = n > 0 ? scale * Math.hypot(x1 - x0, y1 - y0, z1 - z0) : 0;
  }

  const cur = new Float64Array(3 * n); // transformed source
  const corr = new Float64Array(3 * n); // closest target points
  const corrN = new Float64Array(3 * n); // target normal at each correspondence
  const d2 = new Float64Array(n);
  const w = new Float64Array(n);
  const scratchD = new Float64Array(n);
  const outDist = new Float32Array(n);
  const outPts = new Float32Array(3 * n);
  const outTri = new Int32Array(n);
  const outIdx = new Int32Array(n).fill(-1);
  const minPairs = method === 'point-to-plane' ? 6 : 3;

  let prevRms = Infinity;
  let rms = Infinity;
  let inliers = 0;
  let iterations = 0;
  let converged = false;
  let smallStep = false;

  for (;;) {
    // 1. Transform the source with the current estimate.
    const r = rotation, t = translation;
    for (let i = 0; i < n; i++) {
      const x = source[3 * i], y = source[3 * i + 1], z = source[3 * i + 2];
      cur[3 * i] = scale * (r[0] * x + r[1] * y + r[2] * z) + t[0];
      cur[3 * i + 1] = scale * (r[3] * x + r[4] * y + r[5] * z) + t[1];
      cur[3 * i + 2] = scale * (r[6] * x + r[7] * y + r[8] * z) + t[2];
    }
    // 2. Correspondences.
    if (prepared.mode === 'surface') {
      const bvh = prepared.bvh as TriangleBvh;
      bvh.query(cur, { maxDistance, outDistances: outDist, outClosestPoints: outPts, outTriangleIds: outTri });
      for (let i = 0; i < n; i++) {
        const tri = outTri[i];
        if (tri < 0) {
          d2[i] = Infinity;
          continue;
        }
        // Recompute the squared distance in double precision from the float closest point.
        corr[3 * i] = outPts[3 * i];
        corr[3 * i + 1] = outPts[3 * i + 1];
        corr[3 * i + 2] = outPts[3 * i + 2];
        const dx = cur[3 * i] - corr[3 * i], dy = cur[3 * i + 1] - corr[3 * i + 1], dz = cur[3 * i + 2] - corr[3 * i + 2];
        d2[i] = dx * dx + dy * dy + dz * dz;
        if (normals) {
          corrN[3 * i] = normals[3 * tri];
          corrN[3 * i + 1] = normals[3 * tri + 1];
          corrN[3 * i + 2] = normals[3 * tri + 2];
        }
      }
    } else {
      const kd = prepared.kdtree as KdTree3;
      const pts = prepared.points;
      kd.nearestBatch(cur, outIdx, d2, maxDistance, iterations > 0);
      for (let i = 0; i < n; i++) {
        const j = outIdx[i];
        if (j < 0) continue;
        corr[3 * i] = pts[3 * j];
        corr[3 * i + 1] = pts[3 * j + 1];
        corr[3 * i + 2] = pts[3 * j + 2];
        if (normals) {
          corrN[3 * i] = normals[3 * j];
          corrN[3 * i + 1] = normals[3 * j + 1];
          corrN[3 * i + 2] = normals[3 * j + 2];
        }
      }
    }
    // 3. Outlier rejection: distance threshold (already applied by the searches) and trimming.
    let valid = 0;
    for (let i = 0; i < n; i++) {
      if (d2[i] !== Infinity && (!userW || userW[i] > 0)) scratchD[valid++] = d2[i];
    }
    let cut = Infinity;
    if (trim < 1 && valid > 0) {
      const keep = Math.max(1, Math.floor(trim * valid));
      cut = selectKth(scratchD, valid, keep - 1);
    }
    let sw = 0, se = 0;
    inliers = 0;
    for (let i = 0; i < n; i++) {
      const wi = d2[i] <= cut && d2[i] !== Infinity ? (userW ? userW[i] : 1) : 0;
      w[i] = wi;
      if (wi > 0) {
        inliers++;
        sw += wi;
        se += wi * d2[i];
      }
    }
    rms = sw > 0 ? Math.sqrt(se / sw) : Infinity;
    // 4. Convergence, judged on the state just measured so the reported RMS matches the returned transform.
    if (iterations > 0 && (smallStep || Math.abs(prevRms - rms) <= tol * Math.max(prevRms, 1e-300))) {
      converged = true;
      break;
    }
    if (iterations >= maxIterations || inliers < minPairs || rms === 0) {
      converged = rms === 0;
      break;
    }
    // 5. Incremental rigid motion (dR, dt) taking cur towards corr.
    const dR = new Float64Array(9);
    const dt = new Float64Array(3);
    if (method === 'point-to-point') {
      const fit = procrustes(cur, corr, { weights: w, withScale: false });
      dR.set(fit.rotation);
      dt.set(fit.translation);
    } else if (!solvePointToPlane(cur, corr, corrN, w, n, dR, dt)) {
      break;
    }
    // 6. Compose: x -> dR (s R x + t) + dt.
    const nr = new Float64Array(9);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) nr[a * 3 + b] = dR[a * 3] * r[b] + dR[a * 3 + 1] * r[3 + b] + dR[a * 3 + 2] * r[6 + b];
    }
    const nt0 = dR[0] * t[0] + dR[1] * t[1] + dR[2] * t[2] + dt[0];
    const nt1 = dR[3] * t[0] + dR[4] * t[1] + dR[5] * t[2] + dt[1];
    const nt2 = dR[6] * t[0] + dR[7] * t[1] + dR[8] * t[2] + dt[2];
    rotation.set(nr);
    translation[0] = nt0;
    translation[1] = nt1;
    translation[2] = nt2;
    iterations++;
    // Step size: rotation angle from the trace; translation relative to the source extent (scale-free).
    const angle = Math.acos(Math.max(-1, Math.min(1, (dR[0] + dR[4] + dR[8] - 1) / 2)));
    smallStep = angle < tol && Math.hypot(dt[0], dt[1], dt[2]) < tol * Math.max(extent, 1e-300);
    prevRms = rms;
  }
  return { scale, rotation, translation, rms, iterations, converged, inlierCount: inliers };
}

/**
 * One Gauss-Newton step of point-to-plane ICP. Residual `r_i = (p_i - q_i) · n_i`; the motion is linearised about
 * the weighted centroid c of the source points (`p' = c + (I + [ω]x)(p - c) + τ`), which decouples rotation and
 * translation and keeps the 6x6 system well conditioned when the points lie far from the origin.
 * Writes the rotation (Rodrigues of ω, exactly orthonormal) and the translation to `dR`, `dt`.
 */
function solvePointToPlane(
  cur: Float64Array, corr: Float64Array, nrm: Float64Array, w: Float64Array, n: number,
  dR: Float64Array, dt: Float64Array,
): boolean {
  let sw = 0, cx = 0, cy = 0, cz = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    sw += wi;
    cx += wi * cur[3 * i];
    cy += wi * cur[3 * i + 1];
    cz += wi * cur[3 * i + 2];
  }
  if (!(sw > 0)) return false;
  cx /= sw; cy /= sw; cz /= sw;
  const A = new Float64Array(36);
  const b = new Float64Array(6);
  const J = new Float64Array(6);
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    const px = cur[3 * i] - cx, py = cur[3 * i + 1] - cy, pz = cur[3 * i + 2] - cz;
    const nx = nrm[3 * i], ny = nrm[3 * i + 1], nz = nrm[3 * i + 2];
    const res = (cur[3 * i] - corr[3 * i]) * nx + (cur[3 * i + 1] - corr[3 * i + 1]) * ny + (cur[3 * i + 2] - corr[3 * i + 2]) * nz;
    // d r / d ω = p × n, d r / d τ = n.
    J[0] = py * nz - pz * ny;
    J[1] = pz * nx - px * nz;
    J[2] = px * ny - py * nx;
    J[3] = nx;
    J[4] = ny;
    J[5] = nz;
    for (let a = 0; a < 6; a++) {
      const wa = wi * J[a];
      b[a] -= wa * res;
      for (let c = a; c < 6; c++) A[a * 6 + c] += wa * J[c];
    }
  }
  for (let a = 0; a < 6; a++) for (let c = 0; c < a; c++) A[a * 6 + c] = A[c * 6 + a];
  const x = solveSymmetricPositive(A, b, 6);
  if (!x || !x.every(Number.isFinite)) return false;
  axisAngleToMatrix([x[0], x[1], x[2]], dR);
  // p' = dR (p - c) + c + τ  =>  dt = c + τ - dR c.
  dt[0] = cx + x[3] - (dR[0] * cx + dR[1] * cy + dR[2] * cz);
  dt[1] = cy + x[4] - (dR[3] * cx + dR[4] * cy + dR[5] * cz);
  dt[2] = cz + x[5] - (dR[6] * cx + dR[7] * cy + dR[8] * cz);
  return true;
}
