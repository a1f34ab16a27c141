import { shFactors, type SHConvention } from './sh-basis.js';

/** Options shared by {@link shadeVertices} and {@link shadeImage}. */
export interface ShadeOptions {
  /** Coefficient convention of `L` (default `'deca'`, see `sh-basis`). */
  convention?: SHConvention;
  /** Output to write into, same length as `normals`. */
  out?: Float32Array;
}

/** Options of {@link shadeImage}. */
export interface ShadeImageOptions extends ShadeOptions {
  /** `Uint8Array` W*H: only pixels with a nonzero mask are shaded; others get `background`. */
  mask?: Uint8Array;
  /** Value of the three channels of masked-out pixels (default 0). */
  background?: number;
}

/**
 * Lambertian SH shading per vertex: `C[i, c] = rho[i, c] * sum_k L[k, c] * phi_k(n_i)` (C = L^T phi(n) * rho).
 *
 * - `normals`: `Float32Array` V x 3 unit normals (used as given, not re-normalised).
 * - `albedo`: `Float32Array` V x 3 RGB, or `null` for the shading alone (albedo 1).
 * - `L`: 27 coefficients, `L[k * 3 + c]` (9 x 3, band-major, RGB interleaved), in `options.convention`.
 *
 * @returns `Float32Array` V x 3 RGB colours (not clamped).
 */
export function shadeVertices(
  normals: Float32Array,
  albedo: Float32Array | null,
  L: ArrayLike<number>,
  options: ShadeOptions = {},
): Float32Array {
  return shadeBuffer(normals, albedo, L, options.convention ?? 'deca', options.out, undefined, 0);
}

/**
 * SH shading of G-buffers (normal image and albedo image), the per-pixel version of {@link shadeVertices}.
 *
 * - `normals`: `Float32Array` W*H*3 per-pixel normals (e.g. interpolated with `interpolateAttributes`), used as
 *   given.
 * - `albedo`: `Float32Array` W*H*3 RGB, or `null` for the shading image alone.
 * - `L`: 27 coefficients `L[k * 3 + c]`.
 *
 * @returns `Float32Array` W*H*3 RGB, row-major (the data of an `ImageF32`), not clamped.
 */
export function shadeImage(
  normals: Float32Array,
  albedo: Float32Array | null,
  L: ArrayLike<number>,
  options: ShadeImageOptions = {},
): Float32Array {
  if (options.mask && options.mask.length * 3 !== normals.length) {
    throw new RangeError(`mask has length ${options.mask.length}, expected ${normals.length / 3}`);
  }
  return shadeBuffer(normals, albedo, L, options.convention ?? 'deca', options.out, options.mask, options.background ?? 0);
}

function shadeBuffer(
  normals: Float32Array,
  albedo: Float32Array | null,
  L: ArrayLike<number>,
  convention: SHConvention,
  target: Float32Array | undefined,
  mask: Uint8Array | undefined,
  background: number,
): Float32Array {
  if (normals.length % 3 !== 0) throw new RangeError(`normals has length ${normals.length}, not a multiple of 3`);
  if (albedo && albedo.length !== normals.length) {
    throw new RangeError(`albedo has length ${albedo.length} but normals has ${normals.length}`);
  }
  if (L.length !== 27) throw new RangeError(`L must hold 27 = 9 x 3 coefficients, got ${L.length}`);
  const out = target ?? new Float32Array(normals.length);
  if (out.length !== normals.length) throw new RangeError(`out has length ${out.length}, expected ${normals.length}`);
  const f = shFactors(convention);
  // Fold the convention's factors into the coefficients once, and the "-1" of 3z^2 - 1 into the constant, so
  // the per-pixel work is 5 products and 27 multiply-adds.
  const r0 = L[0] * f[0] - L[24] * f[8], g0 = L[1] * f[0] - L[25] * f[8], b0 = L[2] * f[0] - L[26] * f[8];
  const r1 = L[3] * f[1], g1 = L[4] * f[1], b1 = L[5] * f[1];
  const r2 = L[6] * f[2], g2 = L[7] * f[2], b2 = L[8] * f[2];
  const r3 = L[9] * f[3], g3 = L[10] * f[3], b3 = L[11] * f[3];
  const r4 = L[12] * f[4], g4 = L[13] * f[4], b4 = L[14] * f[4];
  const r5 = L[15] * f[5], g5 = L[16] * f[5], b5 = L[17] * f[5];
  const r6 = L[18] * f[6], g6 = L[19] * f[6], b6 = L[20] * f[6];
  const r7 = L[21] * f[7], g7 = L[22] * f[7], b7 = L[23] * f[7];
  const r8 = 3 * L[24] * f[8], g8 = 3 * L[25] * f[8], b8 = 3 * L[26] * f[8];
  const n = normals.length / 3;
  if (mask === undefined && albedo !== null) {
    // The common full-buffer case gets a loop with no per-pixel tests.
    // Walking the three arrays by their (equal) length lets V8 drop some bounds checks.
    const len = normals.length;
    for (let o = 0; o + 2 < len; o += 3) {
      const z = normals[o + 2], y = normals[o + 1], x = normals[o];
      const xy = x * y, xz = x * z, yz = y * z, d = x * x - y * y, zz = z * z;
      out[o] = (r0 + r1 * x + r2 * y + r3 * z + r4 * xy + r5 * xz + r6 * yz + r7 * d + r8 * zz) * albedo[o];
      out[o + 1] = (g0 + g1 * x + g2 * y + g3 * z + g4 * xy + g5 * xz + g6 * yz + g7 * d + g8 * zz) * albedo[o + 1];
      out[o + 2] = (b0 + b1 * x + b2 * y + b3 * z + b4 * xy + b5 * xz + b6 * yz + b7 * d + b8 * zz) * albedo[o + 2];
    }
    return out;
  }
  for (let p = 0, o = 0; p < n; p++, o += 3) {
    if (mask !== undefined && mask[p] === 0) {
      out[o] = background;
      out[o + 1] = background;
      out[o + 2] = background;
      continue;
    }
    const x = normals[o], y = normals[o + 1], z = normals[o + 2];
    const xy = x * y, xz = x * z, yz = y * z, d = x * x - y * y, zz = z * z;
    let r = r0 + r1 * x + r2 * y + r3 * z + r4 * xy + r5 * xz + r6 * yz + r7 * d + r8 * zz;
    let g = g0 + g1 * x + g2 * y + g3 * z + g4 * xy + g5 * xz + g6 * yz + g7 * d + g8 * zz;
    let b = b0 + b1 * x + b2 * y + b3 * z + b4 * xy + b5 * xz + b6 * yz + b7 * d + b8 * zz;
    if (albedo !== null) {
      r *= albedo[o];
      g *= albedo[o + 1];
      b *= albedo[o + 2];
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
  }
  return out;
}
