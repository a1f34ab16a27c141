/**
 * Joint appearance for the coarse stage's Gauss-Newton steps: the SH lighting (27) and the albedo coefficients
 * enter each step as unknowns and are eliminated by a Schur complement, so the step over identity, expression
 * and pose is the exact joint Gauss-Newton step of (geometry, lighting, albedo).
 *
 * Why: with the appearance held fixed inside a step (and re-solved between steps), a photometric residual that a
 * smooth albedo change would explain equally well is attributed to the shape, because the step cannot see the
 * albedo move. Starting from the mean face, alternation also lets the albedo absorb shading differences first,
 * after which the shape receives no signal; the two then creep along a long valley of the energy. The joint step
 * lets the priors decide which explains the photo.
 *
 * Layout of the appearance vector: `[L (27, index k * 3 + c, DECA convention) | albedo coefficients]`.
 * @module
 */
import { choleskyFactor, dot, padToTile, SH_DECA_FACTORS, type DenseWorkspace } from '@facekit/core';
import type { AlbedoBasis } from './albedo.js';
import { PhotometricBatch, type PhotometricBlocks } from './photometric-batch.js';
import { acquireWorkspace, releaseWorkspace } from './workspace-pool.js';

/**
 * One photo's appearance rows under construction: the photometric batch they go into (which also takes the
 * geometry rows) and per-sample scratch.
 */
export interface AppearanceAccumulator {
  /** Geometry columns P. */
  P: number;
  /** Appearance unknowns A = 27 + albedo size = W + F. */
  A: number;
  /** Columns with per-channel values: 27 lighting + the albedo's own modes. */
  W: number;
  /** Shared-field columns (0 without a shared field). */
  F: number;
  batch: PhotometricBatch;
  idx: Int32Array;
  val: Float64Array;
  /** SH polynomials of the current normal (scratch). */
  poly: Float64Array;
}

/** The appearance system of one photo with its priors (see {@link withAppearancePriors}). */
export interface AppearanceSystem {
  P: number;
  A: number;
  /** P x A cross block. */
  Hpa: Float64Array;
  /** A x A block, symmetric, priors included. */
  Haa: Float64Array;
  /** A gradient, priors included. */
  ga: Float64Array;
  /** Absolute ridge per colour channel on the lighting coefficients (as `solveSHLighting`'s relative one). */
  lightRidge: Float64Array;
  /** The photometric weight the albedo prior is scaled by. */
  photometric: number;
}

/** One photo's appearance eliminated at one damping: the geometry update and what back-substitution needs. */
export interface AppearanceElimination {
  /** P x P term to subtract from the photo's `H`. */
  dH: Float64Array;
  /** P term to subtract from the photo's `g`. */
  dg: Float64Array;
  /** A x A Cholesky factor (lower triangle) of the damped `Haa`. */
  L: Float64Array;
  /** A x P: `Z = L^-1 Hap` (column i is `L^-1` times column i of `Hap`). */
  Zt: Float64Array;
  /** A: `L^-1 g_a`. */
  zg: Float64Array;
}

/**
 * A fresh accumulator for P geometry columns and an albedo space, with its photometric batch (pass a workspace
 * to choose the kernel, as tests do).
 */
export function createAppearanceAccumulator(P: number, albedo: AlbedoBasis, workspace?: DenseWorkspace): AppearanceAccumulator {
  const A = 27 + albedo.size;
  const shared = albedo.shared;
  if (shared && shared.start + shared.size !== albedo.size) throw new RangeError('an albedo space\'s shared-field modes must be its last ones');
  const F = shared?.size ?? 0;
  const W = A - F;
  return {
    P,
    A,
    W,
    F,
    batch: new PhotometricBatch(P, { W, F }, workspace),
    idx: new Int32Array(A),
    val: new Float64Array(A),
    poly: new Float64Array(9),
  };
}

/**
 * Adds one photometric sample's three residuals (channel c: `r[c] = I_c - rho[c] S[c]`, geometry row
 * `rows[c * P ..]`, weight `w`) at local vertex `vertex` with camera-frame unit normal `nc` to the batch's
 * current slot (the caller writes the geometry rows and commits the slot). Modes of the albedo's shared field
 * (one scalar field times a fixed colour) have the same values in all three channels up to that colour, so they
 * take one combined row per sample instead of three.
 */
export function accumulateAppearance(
  acc: AppearanceAccumulator,
  albedo: AlbedoBasis,
  vertex: number,
  nc: Float64Array,
  rho: Float64Array,
  S: Float64Array,
  rows: Float64Array,
  r: Float64Array,
  w: number,
): void {
  const { P, W, F, idx, val, poly, batch } = acc;
  const { x, ga, Wp } = batch;
  const nx = nc[0], ny = nc[1], nz = nc[2];
  const f = SH_DECA_FACTORS;
  poly[0] = 1;
  poly[1] = nx;
  poly[2] = ny;
  poly[3] = nz;
  poly[4] = nx * ny;
  poly[5] = nx * nz;
  poly[6] = ny * nz;
  poly[7] = nx * nx - ny * ny;
  poly[8] = 3 * nz * nz - 1;
  const V3 = albedo.mean.length;
  const shared = albedo.shared;
  const own = W - 27;
  const sw = Math.sqrt(w);
  const { uOff, xOff } = batch;
  if (shared) {
    x.fill(0, uOff, uOff + P);
    x.fill(0, xOff, xOff + W);
  }
  let dShared = 0, gShared = 0;
  for (let c = 0; c < 3; c++) {
    const orow = c * P;
    // r = I - rho * S(L): d r / d L_kc = -rho f_k P_k(n); d r / d c_j = -S basis_j.
    let m = 0;
    for (let k = 0; k < 9; k++) {
      idx[m] = 3 * k + c;
      val[m++] = -rho[c] * f[k] * poly[k];
    }
    const o = 3 * vertex + c;
    for (let j = 0; j < own; j++) {
      const ch = albedo.channel[j];
      if (ch >= 0 && ch !== c) continue;
      const bv = albedo.basis[j * V3 + o];
      if (bv === 0) continue;
      idx[m] = 27 + j;
      val[m++] = -S[c] * bv;
    }
    const rc = r[c];
    // This channel's appearance row, dense over the W columns and scaled by sqrt(w) (see PhotometricBatch).
    const ov = batch.vOff + c * Wp;
    x.fill(0, ov, ov + W);
    for (let t = 0; t < m; t++) {
      ga[idx[t]] += w * val[t] * rc;
      x[ov + idx[t]] = sw * val[t];
    }
    if (!shared) continue;
    // Shared field: d r_c / d f_m = t_c psi_m with t_c = -S_c colour_c.
    const tc = -S[c] * shared.colour[c];
    const wt = w * tc;
    dShared += wt * tc;
    gShared += wt * rc;
    for (let t = 0; t < m; t++) x[xOff + idx[t]] += wt * val[t];
    for (let i = 0; i < P; i++) x[uOff + i] += wt * rows[orow + i];
  }
  if (!shared) return;
  const op = vertex * F, { psiOff, dpsiOff } = batch;
  for (let q = 0; q < F; q++) {
    const v = shared.values[op + q];
    x[psiOff + q] = v;
    x[dpsiOff + q] = dShared * v;
    ga[W + q] += gShared * v;
  }
}

/**
 * Completes a photo's appearance blocks (from {@link PhotometricBatch.finish}) into an {@link AppearanceSystem}:
 * mirrors `Haa` and adds the priors, the lighting ridge `lightingRidge x mean diagonal` of each channel's
 * lighting block (the relative ridge `solveSHLighting` applies) and `photometric x prior_j c_j^2` on the albedo
 * coefficients (the ridge of `solveAlbedo`, scaled to the fitter's photometric weight).
 */
export function withAppearancePriors(
  blocks: PhotometricBlocks,
  albedo: AlbedoBasis,
  light: ArrayLike<number>,
  albedoCoefficients: ArrayLike<number>,
  lightingRidge: number,
  photometric: number,
): AppearanceSystem {
  const { Hpa, Haa, ga } = blocks;
  if (!Hpa || !Haa || !ga) throw new Error('withAppearancePriors needs a photometric batch with appearance');
  const A = ga.length;
  const P = Hpa.length / A;
  for (let i = 0; i < A; i++) for (let j = i + 1; j < A; j++) Haa[j * A + i] = Haa[i * A + j];
  const lightRidge = new Float64Array(3);
  for (let c = 0; c < 3; c++) {
    let d = 0;
    for (let k = 0; k < 9; k++) d += Haa[(3 * k + c) * (A + 1)] / 9;
    lightRidge[c] = lightingRidge * d;
    for (let k = 0; k < 9; k++) {
      const j = 3 * k + c;
      Haa[j * (A + 1)] += lightRidge[c];
      ga[j] += lightRidge[c] * light[j];
    }
  }
  for (let j = 0; j < albedo.size; j++) {
    const q = photometric * albedo.prior[j];
    Haa[(27 + j) * (A + 1)] += q;
    ga[27 + j] += q * albedoCoefficients[j];
  }
  return { P, A, Hpa, Haa, ga, lightRidge, photometric };
}

/** Rows of the blocked triangular solve in {@link eliminateAppearance} (a multiple of the kernel's tile, 4). */
const SOLVE_BLOCK = 16;

/**
 * Eliminates the appearance with Marquardt damping `lambda x diag(Haa)` (the same damping as the geometry's, so
 * that the step shrinks in all unknowns together: lighting and albedo scale each other, and an undamped
 * appearance step overshoots along that product). With `Haa + damping = L L^T` and `Z = L^-1 Hap`, the
 * geometry's system loses `Z^T Z` and its gradient `Z^T L^-1 g_a`. Returns null when the block is singular.
 * The triangular solve and `Z^T Z` run as dense products in a {@link DenseWorkspace} (blocked forward
 * substitution: each block of rows of Z first takes the solved rows above it in one product).
 */
export function eliminateAppearance(sys: AppearanceSystem, lambda: number): AppearanceElimination | null {
  const { P, A, Hpa, ga } = sys;
  const L = sys.Haa.slice();
  let maxDiag = 0;
  for (let i = 0; i < A; i++) {
    L[i * (A + 1)] *= 1 + lambda;
    maxDiag = Math.max(maxDiag, L[i * (A + 1)]);
  }
  if (!(maxDiag > 0) || !choleskyFactor(L, A, { minPivot: 1e-12 * maxDiag })) return null;
  const ws = acquireWorkspace();
  const Pp = padToTile(P), Ap = padToTile(A);
  const zt = ws.alloc(Ap * Pp);
  const ut = ws.alloc(A * Ap);
  const dh = ws.alloc(Pp * Pp);
  const x = ws.values;
  // Z^T (A x P, padded) starts as Hap; ut holds -L^T above its diagonal (zero on and below it).
  for (let i = 0; i < P; i++) for (let a = 0; a < A; a++) x[zt + a * Pp + i] = Hpa[i * A + a];
  for (let k = 0; k < A; k++) for (let i = k + 1; i < A; i++) x[ut + k * Ap + i] = -L[i * A + k];
  for (let i0 = 0; i0 < Ap; i0 += SOLVE_BLOCK) {
    const m = Math.min(SOLVE_BLOCK, Ap - i0);
    // Rows i0.. lose sum_{p < i0} L[i][p] Z^T[p] in one product, then the block solves among its own rows.
    if (i0 > 0) ws.gemmTN(zt + i0 * Pp, Pp, ut + i0, Ap, zt, Pp, m, Pp, i0);
    for (let i = i0; i < Math.min(i0 + m, A); i++) {
      const oi = zt + i * Pp;
      for (let k = i0; k < i; k++) {
        const l = L[i * A + k];
        if (l === 0) continue;
        const ok = zt + k * Pp;
        for (let j = 0; j < P; j++) x[oi + j] -= l * x[ok + j];
      }
      const inv = 1 / L[i * A + i];
      for (let j = 0; j < P; j++) x[oi + j] *= inv;
    }
  }
  ws.gemmTN(dh, Pp, zt, Pp, zt, Pp, Pp, Pp, A, true);
  const zg = Float64Array.from(ga);
  forwardSubstitute(L, A, zg, 0);
  const dH = new Float64Array(P * P);
  const dg = new Float64Array(P);
  const Zt = new Float64Array(A * P);
  for (let a = 0; a < A; a++) {
    const o = zt + a * Pp, z = zg[a];
    for (let j = 0; j < P; j++) {
      const v = x[o + j];
      Zt[a * P + j] = v;
      dg[j] += v * z;
    }
  }
  for (let i = 0; i < P; i++) {
    for (let j = i; j < P; j++) dH[i * P + j] = dH[j * P + i] = x[dh + i * Pp + j];
  }
  releaseWorkspace(ws);
  return { dH, dg, L, Zt, zg };
}

/** Solves `L x = b` in place for the A entries of `b` from offset `o` (L lower triangular, row-major). */
function forwardSubstitute(L: Float64Array, A: number, b: Float64Array, o: number): void {
  for (let i = 0; i < A; i++) {
    const oi = i * A;
    b[o + i] = (b[o + i] - dot(L, oi, b, o, i)) / L[oi + i];
  }
}

/**
 * The appearance update that goes with a geometry step `d` (P entries, the photo's columns):
 * `da = -(Haa + damping)^-1 (g_a + Hap d) = -L^-T (zg + Z d)`; returns the new lighting and albedo coefficients.
 */
export function appearanceStep(
  e: AppearanceElimination,
  d: ArrayLike<number>,
  light: Float32Array,
  albedoCoefficients: Float64Array,
): { light: Float32Array; albedo: Float64Array } {
  const P = d.length;
  const A = e.zg.length;
  const v = Float64Array.from(e.zg);
  const dv = Float64Array.from(d);
  for (let a = 0; a < A; a++) v[a] += dot(e.Zt, a * P, dv, 0, P);
  // Back substitution with L^T.
  const L = e.L;
  for (let i = A - 1; i >= 0; i--) {
    let s = v[i];
    for (let k = i + 1; k < A; k++) s -= L[k * A + i] * v[k];
    v[i] = s / L[i * A + i];
  }
  const nl = Float32Array.from(light);
  const na = Float64Array.from(albedoCoefficients);
  for (let a = 0; a < A; a++) {
    if (a < 27) nl[a] -= v[a];
    else na[a - 27] -= v[a];
  }
  return { light: nl, albedo: na };
}

/** Prior energy of the appearance under a system's ridges (see {@link withAppearancePriors}). */
export function appearancePriorEnergy(e: AppearanceSystem, albedo: AlbedoBasis, light: ArrayLike<number>, albedoCoefficients: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < 27; j++) s += e.lightRidge[j % 3] * light[j] * light[j];
  for (let j = 0; j < albedo.size; j++) s += e.photometric * albedo.prior[j] * albedoCoefficients[j] * albedoCoefficients[j];
  return s;
}
