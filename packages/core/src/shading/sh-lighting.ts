import type { SHConvention } from './sh-basis.js';
import { shadeScalar, shadeSimdCopyThrough } from './sh-shader.js';

/** Below this many pixels the scalar loop runs (the SIMD path's fixed cost would not pay off). */
const SIMD_MIN_PIXELS = 16;

/** Options shared by {@link shadeVertices} and {@link shadeImage}. */
export interface ShadeOptions {
  /** Coefficient convention of `L` (default `'deca'`, see `sh-basis`). */
  convention?: SHConvention;
  /** Output to write into, same length as `normals` (may be `normals` or `albedo` itself). */
  out?: Float32Array;
  /**
   * Use the WebAssembly SIMD kernel (Float32 arithmetic, 4 pixels per step) when the runtime supports it
   * (default true); false forces the scalar Float64 loop. Both agree to ~1e-6 relative. For repeated shading
   * of large G-buffers without copies through wasm memory, see `SHShader`.
   */
  simd?: boolean;
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
  return shadeBuffer(normals, albedo, L, options.convention ?? 'deca', options.out, undefined, 0, options.simd ?? true);
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
  const { convention = 'deca', out, mask, background = 0, simd = true } = options;
  return shadeBuffer(normals, albedo, L, convention, out, mask, background, simd);
}

function shadeBuffer(
  normals: Float32Array,
  albedo: Float32Array | null,
  L: ArrayLike<number>,
  convention: SHConvention,
  target: Float32Array | undefined,
  mask: Uint8Array | undefined,
  background: number,
  simd: boolean,
): Float32Array {
  if (normals.length % 3 !== 0) throw new RangeError(`normals has length ${normals.length}, not a multiple of 3`);
  if (albedo && albedo.length !== normals.length) {
    throw new RangeError(`albedo has length ${albedo.length} but normals has ${normals.length}`);
  }
  if (L.length !== 27) throw new RangeError(`L must hold 27 = 9 x 3 coefficients, got ${L.length}`);
  const out = target ?? new Float32Array(normals.length);
  if (out.length !== normals.length) throw new RangeError(`out has length ${out.length}, expected ${normals.length}`);
  if (simd && normals.length >= SIMD_MIN_PIXELS * 3) {
    if (shadeSimdCopyThrough(normals, albedo, L, convention, out, mask, background)) return out;
  }
  return shadeScalar(normals, albedo, L, convention, out, mask, background);
}
