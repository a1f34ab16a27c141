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
import { choleskyFactor, choleskySubstitute, SH_DECA_FACTORS } from '@facekit/core';
import type { AlbedoBasis } from './albedo.js';

/** Normal-equation blocks of the appearance, accumulated row by row next to the geometry's `H`, `g`. */
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
  /** A x P: `(Haa + damping)^-1 Hap`. */
  X: Float64Array;
  /** A: `(Haa + damping)^-1 g_a`. */
  y: Float64Array;
}

/** A fresh accumulator for P geometry columns and an albedo space. */
export function createAppearanceAccumulator(P: number, albedo: AlbedoBasis): AppearanceAccumulator {
  const A = 27 + albedo.size;
  return {
    P,
    A,
    Hpa: new Float64Array(P * A),
    Haa: new Float64Array(A * A),
    ga: new Float64Array(A),
    idx: new Int32Array(A),
    val: new Float64Array(A),
    poly: new Float64Array(9),
  };
}

/**
 * Adds one photometric residual (sample at local vertex `vertex`, channel `c`) to the appearance blocks.
 * `row` is the residual's geometry row (d r / d theta, P entries), `r` the residual, `w` its weight,
 * `nc` the camera-frame unit normal, `rho` the albedo and `S` the shading of the channel.
 */
export function accumulateAppearance(
  acc: AppearanceAccumulator,
  albedo: AlbedoBasis,
  vertex: number,
  c: number,
  nc: Float64Array,
  rho: number,
  S: number,
  row: Float64Array,
  r: number,
  w: number,
): void {
  const { P, A, Hpa, Haa, ga, idx, val, poly } = acc;
  const x = nc[0], y = nc[1], z = nc[2];
  const f = SH_DECA_FACTORS;
  // r = I - rho * S(L): d r / d L_kc = -rho f_k P_k(n); d r / d c_j = -S basis_j.
  poly[0] = 1;
  poly[1] = x;
  poly[2] = y;
  poly[3] = z;
  poly[4] = x * y;
  poly[5] = x * z;
  poly[6] = y * z;
  poly[7] = x * x - y * y;
  poly[8] = 3 * z * z - 1;
  let m = 0;
  for (let k = 0; k < 9; k++) {
    idx[m] = 3 * k + c;
    val[m++] = -rho * f[k] * poly[k];
  }
  const V3 = albedo.mean.length;
  const o = 3 * vertex + c;
  for (let j = 0; j < albedo.size; j++) {
    const ch = albedo.channel[j];
    if (ch >= 0 && ch !== c) continue;
    const b = albedo.basis[j * V3 + o];
    if (b === 0) continue;
    idx[m] = 27 + j;
    val[m++] = -S * b;
  }
  for (let t = 0; t < m; t++) ga[idx[t]] += w * val[t] * r;
  // Indices are increasing within a row, so (t <= u) fills the upper triangle.
  for (let t = 0; t < m; t++) {
    const a = w * val[t];
    const ot = idx[t] * A;
    for (let u = t; u < m; u++) Haa[ot + idx[u]] += a * val[u];
  }
  for (let i = 0; i < P; i++) {
    const a = w * row[i];
    if (a === 0) continue;
    const oi = i * A;
    for (let t = 0; t < m; t++) Hpa[oi + idx[t]] += a * val[t];
  }
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
 * appearance step overshoots along that product). Returns null when the block is singular.
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
  const X = new Float64Array(A * P);
  const col = new Float64Array(A);
  for (let i = 0; i < P; i++) {
    for (let a = 0; a < A; a++) col[a] = Hpa[i * A + a];
    choleskySubstitute(L, A, col);
    for (let a = 0; a < A; a++) X[a * P + i] = col[a];
  }
  const y = choleskySubstitute(L, A, Float64Array.from(ga));
  const dH = new Float64Array(P * P);
  const dg = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    const oi = i * A;
    let s = 0;
    for (let a = 0; a < A; a++) s += Hpa[oi + a] * y[a];
    dg[i] = s;
    for (let j = i; j < P; j++) {
      let h = 0;
      for (let a = 0; a < A; a++) h += Hpa[oi + a] * X[a * P + j];
      dH[i * P + j] = h;
      dH[j * P + i] = h;
    }
  }
  return { dH, dg, X, y };
}

/**
 * The appearance update that goes with a geometry step `d` (P entries, the photo's columns):
 * `da = -(y + X d)`; returns the new lighting and albedo coefficients.
 */
export function appearanceStep(
  e: AppearanceElimination,
  d: ArrayLike<number>,
  light: Float32Array,
  albedoCoefficients: Float64Array,
): { light: Float32Array; albedo: Float64Array } {
  const P = d.length;
  const A = e.y.length;
  const nl = Float32Array.from(light);
  const na = Float64Array.from(albedoCoefficients);
  for (let a = 0; a < A; a++) {
    let s = e.y[a];
    const oa = a * P;
    for (let i = 0; i < P; i++) s += e.X[oa + i] * d[i];
    if (a < 27) nl[a] -= s;
    else na[a - 27] -= s;
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
