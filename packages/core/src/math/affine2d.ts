/**
 * 2D affine transforms of image coordinates, stored as 2x3 row-major matrices `[a, b, tx, c, d, ty]`:
 * `x' = a·x + b·y + tx`, `y' = c·x + d·y + ty`.
 *
 * Coordinates are facekit's continuous pixel coordinates (x right, y down, origin at the top-left corner of the
 * top-left pixel, pixel centres at integer + 0.5; see `camera/camera.ts`). OpenCV's `warpAffine` matrices use
 * pixel centres at integers; convert them with {@link affineFromPixelCenterConvention}.
 * @module
 */

/** A 2x3 row-major affine matrix `[a, b, tx, c, d, ty]`. */
export type Affine2D = Float64Array | number[];

/** The identity transform. */
export function identityAffine(): Float64Array {
  return Float64Array.of(1, 0, 0, 0, 1, 0);
}

/** Applies an affine to one point, returning `[x', y']`. */
export function applyAffine(m: ArrayLike<number>, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/**
 * Applies an affine to N points stored with a stride (2 for N x 2 arrays, 3 for `project()`'s N x 3 `(u, v,
 * depth)` output, whose third value is copied through). `out` may alias `points`.
 */
export function applyAffineToPoints<T extends Float32Array | Float64Array>(
  m: ArrayLike<number>,
  points: T,
  stride = 2,
  out?: T,
): T {
  const res = out ?? (points.slice() as T);
  for (let i = 0; i + 1 < points.length; i += stride) {
    const x = points[i], y = points[i + 1];
    res[i] = m[0] * x + m[1] * y + m[2];
    res[i + 1] = m[3] * x + m[4] * y + m[5];
    for (let k = 2; k < stride; k++) res[i + k] = points[i + k];
  }
  return res;
}

/** Inverse of an affine. @throws RangeError when it is singular. */
export function invertAffine(m: ArrayLike<number>, out: Float64Array = new Float64Array(6)): Float64Array {
  const a = m[0], b = m[1], tx = m[2], c = m[3], d = m[4], ty = m[5];
  const det = a * d - b * c;
  if (!(Math.abs(det) > 1e-300) || !Number.isFinite(det)) throw new RangeError('affine transform is singular');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  out[0] = ia; out[1] = ib; out[2] = -(ia * tx + ib * ty);
  out[3] = ic; out[4] = id; out[5] = -(ic * tx + id * ty);
  return out;
}

/** Composition `a ∘ b` (apply `b` first, then `a`). */
export function composeAffine(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array = new Float64Array(6)): Float64Array {
  const r0 = a[0] * b[0] + a[1] * b[3];
  const r1 = a[0] * b[1] + a[1] * b[4];
  const r2 = a[0] * b[2] + a[1] * b[5] + a[2];
  const r3 = a[3] * b[0] + a[4] * b[3];
  const r4 = a[3] * b[1] + a[4] * b[4];
  const r5 = a[3] * b[2] + a[4] * b[5] + a[5];
  out[0] = r0; out[1] = r1; out[2] = r2; out[3] = r3; out[4] = r4; out[5] = r5;
  return out;
}

/** A similarity `x' = scale · R(angle) · x + t` (no reflection). */
export interface Similarity2D {
  /** Uniform scale (> 0). */
  scale: number;
  /**
   * Rotation angle in radians, measured in image coordinates (y down): positive turns +x towards +y, i.e.
   * clockwise on screen.
   */
  angle: number;
  tx: number;
  ty: number;
}

/** Affine of a similarity. */
export function similarityToAffine(s: Similarity2D): Float64Array {
  const c = s.scale * Math.cos(s.angle), n = s.scale * Math.sin(s.angle);
  return Float64Array.of(c, -n, s.tx, n, c, s.ty);
}

/**
 * Splits an affine into a similarity when it is one (up to `tolerance`, relative to the scale), else returns
 * `undefined` (shear, anisotropic scale or reflection).
 */
export function affineToSimilarity(m: ArrayLike<number>, tolerance = 1e-6): Similarity2D | undefined {
  const a = m[0], b = m[1], c = m[3], d = m[4];
  const scale = Math.sqrt(Math.abs(a * d - b * c));
  if (!(scale > 0)) return undefined;
  if (Math.abs(a - d) > tolerance * scale || Math.abs(b + c) > tolerance * scale || a * d - b * c < 0) return undefined;
  return { scale: Math.hypot(a, c), angle: Math.atan2(c, a), tx: m[2], ty: m[5] };
}

/**
 * Least-squares similarity (rotation, uniform scale, translation; no reflection) mapping `src` points onto
 * `dst` points (closed form of Umeyama's method in 2D). Both arrays are N x 2 with N >= 2. Typical use: the
 * crop transform that maps detected eye/nose/mouth landmarks onto a template.
 *
 * @param weights optional N non-negative weights.
 * @returns the 2x3 affine `dst ≈ A · src`.
 */
export function estimateSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const n = src.length / 2;
  if (src.length !== dst.length || src.length % 2 !== 0) throw new RangeError('src and dst must both be N x 2 with the same N');
  if (n < 2) throw new RangeError(`a similarity needs at least 2 point pairs, got ${n}`);
  let sw = 0, spx = 0, spy = 0, sqx = 0, sqy = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    sw += w; spx += w * src[2 * i]; spy += w * src[2 * i + 1]; sqx += w * dst[2 * i]; sqy += w * dst[2 * i + 1];
  }
  if (!(sw > 0)) throw new RangeError('weights sum to zero');
  const mpx = spx / sw, mpy = spy / sw, mqx = sqx / sw, mqy = sqy / sw;
  let sxx = 0, dotSum = 0, crossSum = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const px = src[2 * i] - mpx, py = src[2 * i + 1] - mpy;
    const qx = dst[2 * i] - mqx, qy = dst[2 * i + 1] - mqy;
    sxx += w * (px * px + py * py);
    dotSum += w * (px * qx + py * qy);
    crossSum += w * (px * qy - py * qx);
  }
  if (!(sxx > 0)) throw new RangeError('source points are all identical; the similarity is undetermined');
  const a = dotSum / sxx, b = crossSum / sxx;
  return Float64Array.of(a, -b, mqx - (a * mpx - b * mpy), b, a, mqy - (b * mpx + a * mpy));
}

/**
 * Least-squares general affine mapping `src` onto `dst` (N x 2 each, N >= 3, not all collinear).
 * @returns the 2x3 affine `dst ≈ A · src`.
 */
export function estimateAffine(src: ArrayLike<number>, dst: ArrayLike<number>): Float64Array {
  const n = src.length / 2;
  if (src.length !== dst.length || src.length % 2 !== 0) throw new RangeError('src and dst must both be N x 2 with the same N');
  if (n < 3) throw new RangeError(`an affine needs at least 3 point pairs, got ${n}`);
  // Normal equations (P^T P) m = P^T q with rows P_i = [x, y, 1], centred first for conditioning.
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += src[2 * i]; my += src[2 * i + 1]; }
  mx /= n; my /= n;
  let sxx = 0, sxy = 0, syy = 0, qx = 0, qy = 0;
  let xu = 0, yu = 0, xv = 0, yv = 0;
  for (let i = 0; i < n; i++) {
    const x = src[2 * i] - mx, y = src[2 * i + 1] - my, u = dst[2 * i], v = dst[2 * i + 1];
    sxx += x * x; sxy += x * y; syy += y * y;
    xu += x * u; yu += y * u; xv += x * v; yv += y * v;
    qx += u; qy += v;
  }
  const det = sxx * syy - sxy * sxy;
  if (!(Math.abs(det) > 1e-12 * (sxx * syy + 1e-300))) throw new RangeError('source points are collinear; the affine is undetermined');
  // With centred x, y the constant column decouples: translation = mean(dst) - A · mean(src).
  const a = (syy * xu - sxy * yu) / det, b = (sxx * yu - sxy * xu) / det;
  const c = (syy * xv - sxy * yv) / det, d = (sxx * yv - sxy * xv) / det;
  const tx = qx / n - (a * mx + b * my), ty = qy / n - (c * mx + d * my);
  return Float64Array.of(a, b, tx, c, d, ty);
}

/**
 * Converts an affine written for pixel centres at integers (OpenCV, scikit-image, DECA's `estimate_transform`
 * used with `warp`) to facekit's convention (pixel centres at integer + 0.5): `T(+0.5) · m · T(-0.5)`.
 */
export function affineFromPixelCenterConvention(m: ArrayLike<number>): Float64Array {
  const shiftIn = Float64Array.of(1, 0, -0.5, 0, 1, -0.5);
  const shiftOut = Float64Array.of(1, 0, 0.5, 0, 1, 0.5);
  return composeAffine(shiftOut, composeAffine(m, shiftIn));
}

/** Inverse of {@link affineFromPixelCenterConvention}: facekit convention to pixel centres at integers. */
export function affineToPixelCenterConvention(m: ArrayLike<number>): Float64Array {
  const shiftIn = Float64Array.of(1, 0, 0.5, 0, 1, 0.5);
  const shiftOut = Float64Array.of(1, 0, -0.5, 0, 1, -0.5);
  return composeAffine(shiftOut, composeAffine(m, shiftIn));
}
