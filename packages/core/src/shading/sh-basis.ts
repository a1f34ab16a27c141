/**
 * Real spherical harmonics of bands 0..2 (9 functions) for diffuse lighting.
 *
 * facekit orders the 9 functions as DECA's renderer (`add_SHlight`) does, by polynomial:
 *
 * | k | polynomial P_k(n) | orthonormal constant a_k (Y_k = a_k P_k) | DECA factor c_k |
 * |---|---|---|---|
 * | 0 | 1            | 1/(2 sqrt(pi))          = 0.282095 | 1/sqrt(4 pi) = 0.282095 (no pi folded in) |
 * | 1 | x            | sqrt(3/(4 pi))          = 0.488603 | (2 pi/3) * 0.488603 = 1.023327 |
 * | 2 | y            | 0.488603                           | 1.023327 |
 * | 3 | z            | 0.488603                           | 1.023327 |
 * | 4 | x y          | sqrt(15/(4 pi))         = 1.092548 | (pi/4) * 1.092548 = 0.858086 |
 * | 5 | x z          | 1.092548                           | 0.858086 |
 * | 6 | y z          | 1.092548                           | 0.858086 |
 * | 7 | x^2 - y^2    | sqrt(15/(16 pi))        = 0.546274 | (pi/4) * 0.546274 = 0.429043 |
 * | 8 | 3 z^2 - 1    | sqrt(5/(16 pi))         = 0.315392 | (pi/4) * 0.315392 = 0.247708 |
 *
 * Note that this is not the usual m = -l..l order (which would be 1, y, z, x, xy, yz, 3z^2-1, xz, x^2-y^2).
 *
 * Two coefficient conventions are supported (`SHConvention`):
 * - `'deca'` (the default everywhere in facekit): `shading(n) = sum_k L_k * c_k * P_k(n)`, with DECA's
 *   `constant_factor` c_k: the orthonormal constants times the Lambertian convolution factors 2 pi/3 (band 1)
 *   and pi/4 (band 2). Band 0 keeps 1/sqrt(4 pi) **without** the factor pi — DECA's choice, kept so that
 *   lighting coefficients predicted by DECA (its 27 `light` outputs) shade identically here.
 * - `'orthonormal'`: `shading(n) = sum_k L_k * Y_k(n)` with the raw orthonormal basis, no convolution folded
 *   in (L then holds the SH coefficients of the irradiance itself).
 *
 * Lighting coefficients are a `Float32Array` of 27 = 9 x 3, band-major with RGB interleaved: `L[k * 3 + c]`
 * (the layout of DECA's `sh_coeff` [9, 3]).
 * @module
 */

/** Coefficient convention of SH lighting; see the module notes. */
export type SHConvention = 'deca' | 'orthonormal';

const PI = Math.PI;
const A0 = 1 / (2 * Math.sqrt(PI));
const A1 = Math.sqrt(3 / (4 * PI));
const A2 = Math.sqrt(15 / (4 * PI));
const A2B = Math.sqrt(15 / (16 * PI));
const A2C = Math.sqrt(5 / (16 * PI));

/**
 * Orthonormal constants a_k of the real SH in facekit order (Y_k = a_k * P_k(n), see module notes):
 * [0.282095, 0.488603 x3, 1.092548 x3, 0.546274, 0.315392].
 */
export const SH_ORTHONORMAL_CONSTANTS: readonly number[] = Object.freeze([A0, A1, A1, A1, A2, A2, A2, A2B, A2C]);

/**
 * DECA's `constant_factor` c_k: [1/sqrt(4 pi), (2 pi/3) sqrt(3/(4 pi)) x3, (pi/4) 3 sqrt(5/(12 pi)) x3,
 * (pi/4) (3/2) sqrt(5/(12 pi)), (pi/4) (1/2) sqrt(5/(4 pi))] — the orthonormal constants with the Lambertian
 * convolution factors of bands 1 and 2 folded in (band 0 without pi).
 */
export const SH_DECA_FACTORS: readonly number[] = Object.freeze([
  1 / Math.sqrt(4 * PI),
  ((2 * PI) / 3) * A1,
  ((2 * PI) / 3) * A1,
  ((2 * PI) / 3) * A1,
  (PI / 4) * 3 * Math.sqrt(5 / (12 * PI)),
  (PI / 4) * 3 * Math.sqrt(5 / (12 * PI)),
  (PI / 4) * 3 * Math.sqrt(5 / (12 * PI)),
  (PI / 4) * (3 / 2) * Math.sqrt(5 / (12 * PI)),
  (PI / 4) * (1 / 2) * Math.sqrt(5 / (4 * PI)),
]);

/** The 9 per-function factors f_k of a convention: `shading(n) = sum_k L_k f_k P_k(n)`. */
export function shFactors(convention: SHConvention = 'deca'): readonly number[] {
  if (convention === 'deca') return SH_DECA_FACTORS;
  if (convention === 'orthonormal') return SH_ORTHONORMAL_CONSTANTS;
  throw new RangeError(`unknown SH convention '${String(convention)}'; use 'deca' or 'orthonormal'`);
}

/**
 * The 9 orthonormal real SH Y_k(n) at a unit direction (x, y, z), in facekit order (module notes). Writes
 * `out[offset .. offset + 8]` and returns `out` (a new `Float64Array(9)` when absent).
 */
export function shBasis<T extends Float32Array | Float64Array = Float64Array>(
  x: number,
  y: number,
  z: number,
  out?: T,
  offset = 0,
): T {
  return shShadingBasis(x, y, z, 'orthonormal', out, offset);
}

/**
 * The 9 shading basis values phi_k(n) = f_k * P_k(n) of a convention (default `'deca'`), such that
 * `shading = sum_k L_k * phi_k(n)`; with `'orthonormal'` this is {@link shBasis}. Writes
 * `out[offset .. offset + 8]` and returns `out` (a new `Float64Array(9)` when absent). The direction is used as
 * given (not normalised).
 */
export function shShadingBasis<T extends Float32Array | Float64Array = Float64Array>(
  x: number,
  y: number,
  z: number,
  convention: SHConvention = 'deca',
  out?: T,
  offset = 0,
): T {
  const f = shFactors(convention);
  const o = (out ?? new Float64Array(9)) as T;
  o[offset] = f[0];
  o[offset + 1] = f[1] * x;
  o[offset + 2] = f[2] * y;
  o[offset + 3] = f[3] * z;
  o[offset + 4] = f[4] * x * y;
  o[offset + 5] = f[5] * x * z;
  o[offset + 6] = f[6] * y * z;
  o[offset + 7] = f[7] * (x * x - y * y);
  o[offset + 8] = f[8] * (3 * z * z - 1);
  return o;
}
