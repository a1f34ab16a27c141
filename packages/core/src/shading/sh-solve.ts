import { choleskyFactor, choleskySubstitute } from '../math/cholesky.js';
import { FacekitError } from '../util/errors.js';
import { shFactors, type SHConvention } from './sh-basis.js';

/** Options of {@link solveSHLighting}. */
export interface SolveSHOptions {
  /** `Float32Array` N: non-negative weight per sample (0 drops it), e.g. a confidence or skin mask. */
  weights?: Float32Array;
  /** Convention of the returned coefficients (default `'deca'`, see `sh-basis`). */
  convention?: SHConvention;
  /**
   * Ridge term lambda added to the diagonal of the normal equations (default 0), relative to the mean diagonal
   * entry. A small value (1e-4) keeps ill-posed fits (normals covering only part of the sphere) stable.
   */
  regularization?: number;
}

/**
 * Least-squares SH lighting from observed colours, the inverse of `shadeVertices`: finds L minimising
 * `sum_i w_i sum_c (rho[i, c] * sum_k L[k, c] phi_k(n_i) - C[i, c])^2`, one 9 x 9 normal-equation system per
 * colour channel, solved by Cholesky factorisation in double precision.
 *
 * - `colors`: `Float32Array` N x 3 observed RGB.
 * - `normals`: `Float32Array` N x 3 unit normals.
 * - `albedo`: `Float32Array` N x 3 RGB, or `null` for albedo 1 (then `colors` is the shading).
 *
 * @returns `Float32Array` 27, `L[k * 3 + c]`.
 * @throws FacekitError `ERR_DEGENERATE_LIGHTING` when a channel's system is singular or nearly so (fewer than
 *   9 useful samples, all normals alike, zero albedo or weights); add samples or `regularization`.
 */
export function solveSHLighting(
  colors: Float32Array,
  normals: Float32Array,
  albedo: Float32Array | null,
  options: SolveSHOptions = {},
): Float32Array {
  if (normals.length % 3 !== 0) throw new RangeError(`normals has length ${normals.length}, not a multiple of 3`);
  if (colors.length !== normals.length) throw new RangeError(`colors has length ${colors.length} but normals has ${normals.length}`);
  if (albedo && albedo.length !== normals.length) {
    throw new RangeError(`albedo has length ${albedo.length} but normals has ${normals.length}`);
  }
  const n = normals.length / 3;
  const weights = options.weights;
  if (weights && weights.length !== n) throw new RangeError(`weights has length ${weights.length}, expected ${n}`);
  const f = shFactors(options.convention ?? 'deca');
  const lambda = options.regularization ?? 0;
  if (!(lambda >= 0)) throw new RangeError(`regularization must be >= 0, got ${lambda}`);

  // Per channel: A^T W A (9 x 9, full storage) and A^T W b.
  const ata = new Float64Array(3 * 81);
  const atb = new Float64Array(27);
  const phi = new Float64Array(9);
  let used = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    if (!(w > 0) || !Number.isFinite(w)) throw new RangeError(`weights[${i}] = ${w}; weights must be finite and >= 0`);
    const x = normals[3 * i], y = normals[3 * i + 1], z = normals[3 * i + 2];
    phi[0] = f[0];
    phi[1] = f[1] * x;
    phi[2] = f[2] * y;
    phi[3] = f[3] * z;
    phi[4] = f[4] * x * y;
    phi[5] = f[5] * x * z;
    phi[6] = f[6] * y * z;
    phi[7] = f[7] * (x * x - y * y);
    phi[8] = f[8] * (3 * z * z - 1);
    for (let c = 0; c < 3; c++) {
      const rho = albedo ? albedo[3 * i + c] : 1;
      const col = colors[3 * i + c];
      if (!Number.isFinite(rho) || !Number.isFinite(col) || !Number.isFinite(z + x + y)) {
        throw new RangeError(`sample ${i} has a non-finite colour, albedo or normal`);
      }
      const wr2 = w * rho * rho;
      const wrb = w * rho * col;
      const m = ata.subarray(81 * c, 81 * c + 81);
      for (let k = 0; k < 9; k++) {
        const pk = phi[k] * wr2;
        for (let l = 0; l <= k; l++) m[9 * k + l] += pk * phi[l];
        atb[9 * c + k] += wrb * phi[k];
      }
    }
    used++;
  }
  if (used < 9) {
    throw new FacekitError('ERR_DEGENERATE_LIGHTING', `SH lighting needs at least 9 samples with positive weight, got ${used}`);
  }

  const L = new Float32Array(27);
  const chol = new Float64Array(81);
  const sol = new Float64Array(9);
  for (let c = 0; c < 3; c++) {
    const m = ata.subarray(81 * c, 81 * c + 81);
    let meanDiag = 0;
    for (let k = 0; k < 9; k++) meanDiag += m[10 * k] / 9;
    if (!(meanDiag > 0)) {
      throw new FacekitError('ERR_DEGENERATE_LIGHTING', `SH lighting: channel ${c} has zero albedo or weight everywhere`);
    }
    for (let k = 0; k < 9; k++) m[10 * k] += lambda * meanDiag;
    chol.set(m);
    if (!choleskyFactor(chol, 9, { minPivot: 1e-10 * meanDiag })) {
      throw new FacekitError(
        'ERR_DEGENERATE_LIGHTING',
        `SH lighting: the normal equations of channel ${c} are singular — the normals do not span enough directions ` +
          'to determine 9 coefficients (e.g. all alike or all in one plane); add samples or set options.regularization',
      );
    }
    for (let k = 0; k < 9; k++) sol[k] = atb[9 * c + k];
    choleskySubstitute(chol, 9, sol);
    for (let k = 0; k < 9; k++) L[3 * k + c] = sol[k];
  }
  return L;
}
