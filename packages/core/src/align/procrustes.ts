/**
 * Least-squares similarity / rigid alignment of corresponding point sets (Procrustes analysis).
 *
 * 3D: Umeyama's (1991) problem `min Σ w_i |s R x_i + t - y_i|^2` over a **proper** rotation R, solved with
 * Horn's (1987) unit-quaternion method: the optimal rotation is the top eigenvector of a symmetric 4x4 matrix
 * built from the cross-covariance. Because a unit quaternion can only encode proper rotations, this gives
 * exactly Umeyama's reflection-corrected solution (`S = diag(1, 1, -1)` when det(Σ) < 0) without an SVD or a
 * sign fix-up, and the top eigenvalue equals `tr(D S)` of Umeyama, from which the optimal scale follows.
 *
 * 2D: closed form (the optimal angle is `atan2(Σ x × y, Σ x · y)` of the centred points).
 * @module
 */
import { jacobiEigenSymmetric } from './linalg.js';
import type { SimilarityTransform, SimilarityTransform2D } from './similarity.js';

/** Options of {@link procrustes} and {@link procrustes2D}. */
export interface ProcrustesOptions {
  /** Non-negative weight per point pair (length N). Default: all 1. */
  weights?: ArrayLike<number>;
  /** Estimate the scale `s` (similarity, default `true`); `false` gives a rigid fit with `s = 1`. */
  withScale?: boolean;
}

/** Result of {@link procrustes}: the transform plus the weighted RMS residual `sqrt(Σ w |s R x + t - y|^2 / Σ w)`. */
export interface ProcrustesResult extends SimilarityTransform {
  rms: number;
}

/** Result of {@link procrustes2D}: the transform plus the weighted RMS residual. */
export interface ProcrustesResult2D extends SimilarityTransform2D {
  rms: number;
}

function checkInputs(source: ArrayLike<number>, target: ArrayLike<number>, dim: number, weights?: ArrayLike<number>): number {
  if (source.length !== target.length) {
    throw new RangeError(`source has ${source.length} values but target has ${target.length}; they must correspond 1:1`);
  }
  if (source.length % dim !== 0) throw new RangeError(`point arrays must hold N x ${dim} values, got ${source.length}`);
  const n = source.length / dim;
  if (n === 0) throw new RangeError('procrustes needs at least one point pair');
  if (weights && weights.length !== n) throw new RangeError(`weights has length ${weights.length}, expected ${n}`);
  return n;
}

/**
 * Similarity (or rigid) transform that best maps `source` onto `target` in the least-squares sense.
 *
 * @param source - N x 3 points `x_i`, xyz interleaved.
 * @param target - N x 3 corresponding points `y_i`.
 * @param options - weights, and `withScale: false` for a rigid fit.
 * @returns `s`, row-major proper rotation `R` (det +1 even when the best orthogonal map is a reflection),
 *   `t`, and the RMS residual, such that `s R x + t ≈ y`.
 * @throws RangeError for mismatched lengths, no points, zero total weight, or when a scale is requested
 *   but the source points all coincide.
 */
export function procrustes(source: ArrayLike<number>, target: ArrayLike<number>, options: ProcrustesOptions = {}): ProcrustesResult {
  const w = options.weights;
  const withScale = options.withScale ?? true;
  const n = checkInputs(source, target, 3, w);

  // Weighted centroids.
  let sw = 0, mx0 = 0, mx1 = 0, mx2 = 0, my0 = 0, my1 = 0, my2 = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (!(wi >= 0)) throw new RangeError(`weights[${i}] = ${wi}; weights must be non-negative`);
    sw += wi;
    mx0 += wi * source[3 * i]; mx1 += wi * source[3 * i + 1]; mx2 += wi * source[3 * i + 2];
    my0 += wi * target[3 * i]; my1 += wi * target[3 * i + 1]; my2 += wi * target[3 * i + 2];
  }
  if (!(sw > 0)) throw new RangeError('the weights sum to zero');
  mx0 /= sw; mx1 /= sw; mx2 /= sw; my0 /= sw; my1 /= sw; my2 /= sw;

  // Cross-covariance S_ab = Σ w a_a b_b of the centred points, and the source variance.
  let sxx = 0, sxy = 0, sxz = 0, syx = 0, syy = 0, syz = 0, szx = 0, szy = 0, szz = 0, varX = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const ax = source[3 * i] - mx0, ay = source[3 * i + 1] - mx1, az = source[3 * i + 2] - mx2;
    const bx = target[3 * i] - my0, by = target[3 * i + 1] - my1, bz = target[3 * i + 2] - my2;
    const wax = wi * ax, way = wi * ay, waz = wi * az;
    sxx += wax * bx; sxy += wax * by; sxz += wax * bz;
    syx += way * bx; syy += way * by; syz += way * bz;
    szx += waz * bx; szy += waz * by; szz += waz * bz;
    varX += wax * ax + way * ay + waz * az;
  }

  // Horn's symmetric 4x4 matrix; its top eigenvector is the quaternion (w, x, y, z) of the optimal rotation.
  const nm = new Float64Array([
    sxx + syy + szz, syz - szy, szx - sxz, sxy - syx,
    syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,
    szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy,
    sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz,
  ]);
  const values = new Float64Array(4);
  const vectors = new Float64Array(16);
  jacobiEigenSymmetric(nm, 4, values, vectors);
  let qw = vectors[0], qx = vectors[4], qy = vectors[8], qz = vectors[12];
  const qn = Math.hypot(qw, qx, qy, qz);
  qw /= qn; qx /= qn; qy /= qn; qz /= qn;
  const rotation = new Float64Array([
    1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qw * qz), 2 * (qx * qz + qw * qy),
    2 * (qx * qy + qw * qz), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qw * qx),
    2 * (qx * qz - qw * qy), 2 * (qy * qz + qw * qx), 1 - 2 * (qx * qx + qy * qy),
  ]);

  let scale = 1;
  if (withScale) {
    if (!(varX > 0)) throw new RangeError('cannot estimate a scale: the (weighted) source points all coincide');
    // λ_max = Σ w b·(R a) = tr(R^T Σ) (Umeyama's tr(DS)); optimal s = λ_max / Σ w |a|^2.
    scale = values[0] / varX;
  }
  const r = rotation;
  const translation = new Float64Array([
    my0 - scale * (r[0] * mx0 + r[1] * mx1 + r[2] * mx2),
    my1 - scale * (r[3] * mx0 + r[4] * mx1 + r[5] * mx2),
    my2 - scale * (r[6] * mx0 + r[7] * mx1 + r[8] * mx2),
  ]);

  // Residual computed directly rather than from the eigenvalue to avoid cancellation for near-exact fits.
  let err = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const x = source[3 * i], y = source[3 * i + 1], z = source[3 * i + 2];
    const dx = scale * (r[0] * x + r[1] * y + r[2] * z) + translation[0] - target[3 * i];
    const dy = scale * (r[3] * x + r[4] * y + r[5] * z) + translation[1] - target[3 * i + 1];
    const dz = scale * (r[6] * x + r[7] * y + r[8] * z) + translation[2] - target[3 * i + 2];
    err += wi * (dx * dx + dy * dy + dz * dz);
  }
  return { scale, rotation, translation, rms: Math.sqrt(err / sw) };
}

/** Rigid (rotation + translation, `s = 1`) least-squares fit; shorthand for `procrustes(..., { withScale: false })`. */
export function rigidProcrustes(source: ArrayLike<number>, target: ArrayLike<number>, weights?: ArrayLike<number>): ProcrustesResult {
  return procrustes(source, target, { weights, withScale: false });
}

/**
 * 2D similarity (or rigid) transform best mapping `source` onto `target`, e.g. to align detected 2D landmarks
 * to a template. Rotations only (det +1); a mirrored configuration gets the best rotation, not a reflection.
 *
 * @param source - N x 2 points, xy interleaved.
 * @param target - N x 2 corresponding points.
 * @returns scale, angle (radians), 2x2 row-major rotation, translation and RMS residual with `s R x + t ≈ y`.
 */
export function procrustes2D(source: ArrayLike<number>, target: ArrayLike<number>, options: ProcrustesOptions = {}): ProcrustesResult2D {
  const w = options.weights;
  const withScale = options.withScale ?? true;
  const n = checkInputs(source, target, 2, w);
  let sw = 0, mx0 = 0, mx1 = 0, my0 = 0, my1 = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (!(wi >= 0)) throw new RangeError(`weights[${i}] = ${wi}; weights must be non-negative`);
    sw += wi;
    mx0 += wi * source[2 * i]; mx1 += wi * source[2 * i + 1];
    my0 += wi * target[2 * i]; my1 += wi * target[2 * i + 1];
  }
  if (!(sw > 0)) throw new RangeError('the weights sum to zero');
  mx0 /= sw; mx1 /= sw; my0 /= sw; my1 /= sw;
  let dot = 0, cross = 0, varX = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const ax = source[2 * i] - mx0, ay = source[2 * i + 1] - mx1;
    const bx = target[2 * i] - my0, by = target[2 * i + 1] - my1;
    dot += wi * (ax * bx + ay * by);
    cross += wi * (ax * by - ay * bx);
    varX += wi * (ax * ax + ay * ay);
  }
  const angle = Math.atan2(cross, dot);
  const c = Math.cos(angle), s = Math.sin(angle);
  let scale = 1;
  if (withScale) {
    if (!(varX > 0)) throw new RangeError('cannot estimate a scale: the (weighted) source points all coincide');
    // Projection of the target onto the rotated source: hypot(dot, cross) = Σ w b·(R a) at the optimal angle.
    scale = Math.hypot(dot, cross) / varX;
  }
  const rotation = new Float64Array([c, -s, s, c]);
  const translation = new Float64Array([my0 - scale * (c * mx0 - s * mx1), my1 - scale * (s * mx0 + c * mx1)]);
  let err = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const x = source[2 * i], y = source[2 * i + 1];
    const dx = scale * (c * x - s * y) + translation[0] - target[2 * i];
    const dy = scale * (s * x + c * y) + translation[1] - target[2 * i + 1];
    err += wi * (dx * dx + dy * dy);
  }
  return { scale, angle, rotation, translation, rms: Math.sqrt(err / sw) };
}
