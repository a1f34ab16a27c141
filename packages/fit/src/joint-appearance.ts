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
import { choleskyFactor, SH_DECA_FACTORS } from '@facekit/core';
import type { AlbedoBasis } from './albedo.js';
import { addBatchGram, addBatchOuter, dot, rowGram } from './linalg.js';

/** Normal-equation blocks of the appearance, accumulated sample by sample next to the geometry's `H`, `g`. */
export interface AppearanceAccumulator {
  /** Geometry columns P. */
  P: number;
  /** Appearance unknowns A = 27 + albedo size. */
  A: number;
  /** P x A cross block `J_geo^T W J_app`. */
  Hpa: Float64Array;
  /** A x A block (upper triangle while accumulating). */
  Haa: Float64Array;
  /** A gradient `J_app^T W r`. */
  ga: Float64Array;
  idx: Int32Array;
  val: Float64Array;
  /** SH polynomials of the current normal (scratch). */
  poly: Float64Array;
  /**
   * Shared-field batch (see {@link accumulateAppearance}): per buffered sample its field values (F), its
   * channel-combined geometry row (P), its coefficients on the other appearance columns (W = 27 + own modes),
   * its field curvature and gradient weights. Flushed every 16 samples (`FIELD_BATCH`).
   */
  batch: { count: number; psi: Float64Array; u: Float64Array; cross: Float64Array; d: Float64Array; g: Float64Array };
}

/**
 * Samples buffered before their shared-field blocks are added: the rank-1 updates of one output row then run
 * over a batch that stays in L1 cache, instead of sweeping the whole P x A and A x A blocks per sample.
 */
const FIELD_BATCH = 16;

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
  /** P x A: row i is `L^-1` times column i of `Hap`. */
  Z: Float64Array;
  /** A: `L^-1 g_a`. */
  zg: Float64Array;
}

/** A fresh accumulator for P geometry columns and an albedo space. */
export function createAppearanceAccumulator(P: number, albedo: AlbedoBasis): AppearanceAccumulator {
  const A = 27 + albedo.size;
  const shared = albedo.shared;
  if (shared && shared.start + shared.size !== albedo.size) throw new RangeError('an albedo space\'s shared-field modes must be its last ones');
  return {
    P,
    A,
    Hpa: new Float64Array(P * A),
    Haa: new Float64Array(A * A),
    ga: new Float64Array(A),
    idx: new Int32Array(A),
    val: new Float64Array(A),
    poly: new Float64Array(9),
    batch: {
      count: 0,
      psi: new Float64Array(FIELD_BATCH * (shared?.size ?? 0)),
      u: new Float64Array(FIELD_BATCH * P),
      cross: new Float64Array(FIELD_BATCH * (27 + (shared?.start ?? 0))),
      d: new Float64Array(FIELD_BATCH),
      g: new Float64Array(FIELD_BATCH),
    },
  };
}

/**
 * Adds one photometric sample's three residuals (channel c: `r[c] = I_c - rho[c] S[c]`, geometry row
 * `rows[c * P ..]`, weight `w`) at local vertex `vertex` with camera-frame unit normal `nc` to the appearance
 * blocks. Modes of the albedo's shared field (one scalar field times a fixed colour) have the same values in
 * all three channels up to that colour, so their blocks take one rank-1 update per sample instead of three.
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
  const { P, A, Hpa, Haa, ga, idx, val, poly, batch } = acc;
  const x = nc[0], y = nc[1], z = nc[2];
  const f = SH_DECA_FACTORS;
  poly[0] = 1;
  poly[1] = x;
  poly[2] = y;
  poly[3] = z;
  poly[4] = x * y;
  poly[5] = x * z;
  poly[6] = y * z;
  poly[7] = x * x - y * y;
  poly[8] = 3 * z * z - 1;
  const V3 = albedo.mean.length;
  const shared = albedo.shared;
  const own = shared ? shared.start : albedo.size;
  const W = shared ? 27 + shared.start : A;
  const F = shared ? shared.size : 0;
  // This sample's slot in the batch and its offsets into batch.u and batch.cross.
  const b = batch.count;
  const ou = b * P, ox = b * W;
  if (shared) {
    const o = vertex * F;
    for (let m = 0; m < F; m++) batch.psi[b * F + m] = shared.values[o + m];
    batch.u.fill(0, ou, ou + P);
    batch.cross.fill(0, ox, ox + W);
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
    for (let t = 0; t < m; t++) ga[idx[t]] += w * val[t] * rc;
    // Indices are increasing within a row, so (t <= u) fills the upper triangle.
    for (let t = 0; t < m; t++) {
      const a = w * val[t];
      const ot = idx[t] * A;
      for (let q = t; q < m; q++) Haa[ot + idx[q]] += a * val[q];
    }
    for (let i = 0; i < P; i++) {
      const a = w * rows[orow + i];
      if (a === 0) continue;
      const oi = i * A;
      for (let t = 0; t < m; t++) Hpa[oi + idx[t]] += a * val[t];
    }
    if (!shared) continue;
    // Shared field: d r_c / d f_m = t_c psi_m with t_c = -S_c colour_c.
    const tc = -S[c] * shared.colour[c];
    const wt = w * tc;
    dShared += wt * tc;
    gShared += wt * rc;
    for (let t = 0; t < m; t++) batch.cross[ox + idx[t]] += wt * val[t];
    for (let i = 0; i < P; i++) batch.u[ou + i] += wt * rows[orow + i];
  }
  if (!shared) return;
  batch.d[b] = dShared;
  batch.g[b] = gShared;
  batch.count = b + 1;
  if (batch.count === FIELD_BATCH) flushFieldBatch(acc, F);
}

/**
 * Adds the buffered samples' shared-field blocks and empties the batch (see `addBatchOuter`: each output row
 * takes the batch's rank-1 updates eight at a time); unused slots of the last group are zero.
 */
function flushFieldBatch(acc: AppearanceAccumulator, F: number): void {
  const { P, A, Hpa, Haa, ga, batch } = acc;
  const count = batch.count;
  if (count === 0 || F === 0) return;
  const W = A - F;
  const { psi, u, cross, d, g } = batch;
  const n = (count + 7) & ~7;
  for (let b = count; b < n; b++) {
    d[b] = 0;
    g[b] = 0;
    psi.fill(0, b * F, (b + 1) * F);
    u.fill(0, b * P, (b + 1) * P);
    cross.fill(0, b * W, (b + 1) * W);
  }
  for (let b = 0; b < count; b++) {
    const gb = g[b], ob = b * F;
    for (let q = 0; q < F; q++) ga[W + q] += gb * psi[ob + q];
  }
  addBatchGram(Haa, W * A + W, A, d, psi, F, n);
  addBatchOuter(Haa, W, A, cross, W, psi, F, n);
  addBatchOuter(Hpa, W, A, u, P, psi, F, n);
  batch.count = 0;
}

/**
 * Completes an accumulator into an {@link AppearanceSystem}: mirrors `Haa` and adds the priors, the lighting
 * ridge `lightingRidge x mean diagonal` of each channel's lighting block (the relative ridge `solveSHLighting`
 * applies) and `photometric x prior_j c_j^2` on the albedo coefficients (the ridge of `solveAlbedo`, scaled to
 * the fitter's photometric weight).
 */
export function withAppearancePriors(
  acc: AppearanceAccumulator,
  albedo: AlbedoBasis,
  light: ArrayLike<number>,
  albedoCoefficients: ArrayLike<number>,
  lightingRidge: number,
  photometric: number,
): AppearanceSystem {
  const { P, A, Hpa, Haa, ga } = acc;
  flushFieldBatch(acc, albedo.shared?.size ?? 0);
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

/**
 * Eliminates the appearance with Marquardt damping `lambda x diag(Haa)` (the same damping as the geometry's, so
 * that the step shrinks in all unknowns together: lighting and albedo scale each other, and an undamped
 * appearance step overshoots along that product). With `Haa + damping = L L^T` and `Z = L^-1 Hap`, the
 * geometry's system loses `Z^T Z` and its gradient `Z^T L^-1 g_a`. Returns null when the block is singular.
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
  const Z = Hpa.slice();
  for (let i = 0; i < P; i++) forwardSubstitute(L, A, Z, i * A);
  const zg = Float64Array.from(ga);
  forwardSubstitute(L, A, zg, 0);
  const dH = new Float64Array(P * P);
  rowGram(Z, P, A, dH);
  const dg = new Float64Array(P);
  for (let i = 0; i < P; i++) dg[i] = dot(Z, i * A, zg, 0, A);
  return { dH, dg, L, Z, zg };
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
 * `da = -(Haa + damping)^-1 (g_a + Hap d) = -L^-T (zg + Z^T d)`; returns the new lighting and albedo coefficients.
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
  for (let i = 0; i < P; i++) {
    const di = d[i];
    if (di === 0) continue;
    const oi = i * A;
    for (let a = 0; a < A; a++) v[a] += e.Z[oi + a] * di;
  }
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
