/**
 * WebAssembly SIMD back end of SH shading (`kernels/sh-simd.wat`): 4 pixels per step in f32x4 lanes, working on
 * the interleaved XYZ / RGB layout directly. Used by `shadeImage` / `shadeVertices` (which copy their buffers
 * through wasm memory in cache-sized chunks) and by {@link SHShader}, which owns wasm-backed G-buffers so that
 * producers (rasterizer, attribute interpolation) can write into them and shading needs no copies at all.
 *
 * The SIMD kernel computes in Float32; the scalar loop in Float64 (stored as Float32): results agree to ~1e-6
 * relative.
 * @module
 */
import { shFactors, type SHConvention } from './sh-basis.js';
import { SH_SIMD_WASM_BASE64 } from '../kernels/sh-simd-bytes.js';
import { compileEmbeddedWasm } from '../kernels/wasm-module.js';

interface ShExports {
  memory: WebAssembly.Memory;
  shade(n: number, a: number, m: number, out: number, groups: number, bg: number): void;
}

/** Bytes of wasm memory reserved for the 27 coefficient vectors (27 x 16 = 432, rounded up). */
const COEF_BYTES = 512;
/** Pixels per chunk of the copy-through path: 3 x 12 B + 1 B per pixel = ~300 KB, L2-resident. */
const CHUNK = 8192;

let simdModule: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null when WebAssembly SIMD is unavailable. Compiled once per process. */
function shSimdModule(): WebAssembly.Module | null {
  if (simdModule !== undefined) return simdModule;
  simdModule = compileEmbeddedWasm(SH_SIMD_WASM_BASE64);
  return simdModule;
}

/** Whether the WebAssembly SIMD shading kernel can run here. */
export function shSimdAvailable(): boolean {
  return shSimdModule() !== null;
}

/**
 * Folds a convention's factors into the 27 coefficients once per call, in the polynomial basis
 * [1, x, y, z, xy, xz, yz, x^2 - y^2, z^2] (the "-1" of 3z^2 - 1 moved into the constant):
 * `shading_c = sum_k C[k * 3 + c] * Q_k(n)`. Writes and returns `C` (27 values).
 */
export function foldSHCoefficients(
  L: ArrayLike<number>,
  convention: SHConvention = 'deca',
  C: Float64Array = new Float64Array(27),
): Float64Array {
  if (L.length !== 27) throw new RangeError(`L must hold 27 = 9 x 3 coefficients, got ${L.length}`);
  const f = shFactors(convention);
  for (let c = 0; c < 3; c++) {
    C[c] = L[c] * f[0] - L[24 + c] * f[8];
    for (let k = 1; k < 8; k++) C[3 * k + c] = L[3 * k + c] * f[k];
    C[24 + c] = 3 * L[24 + c] * f[8];
  }
  return C;
}

const folded = new Float64Array(27);

/** Writes the folded coefficients as the kernel's 27 lane-pattern vectors at byte 0 of `mem`. */
function writeCoefficients(mem: Float32Array, L: ArrayLike<number>, convention: SHConvention): void {
  const C = foldSHCoefficients(L, convention, folded);
  // Output vector j of a 4-pixel group holds floats 4j..4j+3: lane l is channel (4j + l) mod 3.
  for (let j = 0; j < 3; j++) {
    for (let k = 0; k < 9; k++) {
      const base = (j * 9 + k) * 4;
      for (let l = 0; l < 4; l++) mem[base + l] = C[3 * k + ((4 * j + l) % 3)];
    }
  }
}

/** A wasm instance with its memory grown to `bytes` (never grown again, so views of it stay valid). */
function instantiate(module: WebAssembly.Module, bytes: number): { wasm: ShExports; f32: Float32Array } {
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as ShExports;
  const pages = Math.ceil(bytes / 65536);
  const have = wasm.memory.buffer.byteLength / 65536;
  if (pages > have) wasm.memory.grow(pages - have);
  return { wasm, f32: new Float32Array(wasm.memory.buffer) };
}

interface ChunkKernel {
  wasm: ShExports;
  f32: Float32Array;
  normals: Float32Array;
  albedo: Float32Array;
  out: Float32Array;
  mask: Uint8Array;
  nPtr: number;
  aPtr: number;
  oPtr: number;
  mPtr: number;
}

let chunkKernel: ChunkKernel | null | undefined;

/** The process-wide instance used by the copy-through path, or null without SIMD. */
function sharedKernel(): ChunkKernel | null {
  if (chunkKernel !== undefined) return chunkKernel;
  const module = shSimdModule();
  if (!module) return (chunkKernel = null);
  const nPtr = COEF_BYTES, aPtr = nPtr + CHUNK * 12, oPtr = aPtr + CHUNK * 12, mPtr = oPtr + CHUNK * 12;
  const { wasm, f32 } = instantiate(module, mPtr + CHUNK);
  const buf = wasm.memory.buffer;
  chunkKernel = {
    wasm,
    f32,
    normals: new Float32Array(buf, nPtr, CHUNK * 3),
    albedo: new Float32Array(buf, aPtr, CHUNK * 3),
    out: new Float32Array(buf, oPtr, CHUNK * 3),
    mask: new Uint8Array(buf, mPtr, CHUNK),
    nPtr,
    aPtr,
    oPtr,
    mPtr,
  };
  return chunkKernel;
}

/**
 * SIMD shading through wasm memory, in chunks of {@link CHUNK} pixels (copy in, shade, copy out, all in cache).
 * Returns false (doing nothing) when SIMD is unavailable. Arguments are validated by the caller.
 * @internal
 */
export function shadeSimdCopyThrough(
  normals: Float32Array,
  albedo: Float32Array | null,
  L: ArrayLike<number>,
  convention: SHConvention,
  out: Float32Array,
  mask: Uint8Array | undefined,
  background: number,
): boolean {
  const k = sharedKernel();
  if (!k) return false;
  writeCoefficients(k.f32, L, convention);
  const n = normals.length / 3;
  const shade = k.wasm.shade;
  for (let p0 = 0; p0 < n; p0 += CHUNK) {
    const c = Math.min(CHUNK, n - p0);
    const o0 = 3 * p0, o1 = o0 + 3 * c;
    k.normals.set(normals.subarray(o0, o1));
    if (albedo) k.albedo.set(albedo.subarray(o0, o1));
    if (mask) k.mask.set(mask.subarray(p0, p0 + c));
    // A last partial group reads stale pixels past `c`; their results are not copied out.
    shade(k.nPtr, albedo ? k.aPtr : 0, mask ? k.mPtr : 0, k.oPtr, (c + 3) >> 2, background);
    out.set(c === CHUNK ? k.out : k.out.subarray(0, 3 * c), o0);
  }
  return true;
}

/** Options of {@link SHShader.create}. */
export interface SHShaderOptions {
  /** Use the WebAssembly SIMD kernel when the runtime supports it (default true). */
  simd?: boolean;
}

/** Options of {@link SHShader.shade}. */
export interface SHShaderShadeOptions {
  /** Coefficient convention of `L` (default `'deca'`). */
  convention?: SHConvention;
  /** Multiply by the {@link SHShader.albedo} buffer (default true); false shades with albedo 1. */
  useAlbedo?: boolean;
  /** Shade only pixels whose {@link SHShader.mask} byte is nonzero (default false: all pixels). */
  useMask?: boolean;
  /** Value of the three channels of masked-out pixels (default 0). */
  background?: number;
}

/**
 * A reusable SH shader owning its G-buffers. With the SIMD back end the buffers are views of WebAssembly
 * memory, so whatever writes the normals / albedo / mask straight into them (e.g. `interpolateAttributes`
 * with `out: shader.normals`) gets shaded without any copy; {@link shade} returns {@link out}, which is
 * overwritten by the next call. The views stay valid for the shader's lifetime (its memory never grows).
 *
 * ```ts
 * const shader = SHShader.create(W * H);
 * // ...fill shader.normals (W*H*3), shader.albedo (W*H*3), shader.mask (W*H)...
 * const rgb = shader.shade(L, { useMask: true });
 * ```
 */
export class SHShader {
  /** Number of pixels (or vertices). */
  readonly pixels: number;
  /** `'simd'` or `'js'`: which kernel runs. */
  readonly backend: 'simd' | 'js';
  /** Per-pixel normals, `pixels * 3` (used as given, not re-normalised). */
  readonly normals: Float32Array;
  /** Per-pixel RGB albedo, `pixels * 3` (read when `useAlbedo`, the default). */
  readonly albedo: Float32Array;
  /** Per-pixel mask, `pixels` bytes (read with `useMask`). */
  readonly mask: Uint8Array;
  /** The shaded RGB, `pixels * 3`, written by {@link shade}. */
  readonly out: Float32Array;
  private readonly wasm: ShExports | null;
  private readonly f32: Float32Array | null;
  private readonly ptrs: readonly [number, number, number, number];

  private constructor(
    pixels: number,
    wasm: ShExports | null,
    f32: Float32Array | null,
    views: [Float32Array, Float32Array, Uint8Array, Float32Array],
    ptrs: [number, number, number, number],
  ) {
    this.pixels = pixels;
    this.wasm = wasm;
    this.f32 = f32;
    this.backend = wasm ? 'simd' : 'js';
    [this.normals, this.albedo, this.mask, this.out] = views;
    this.ptrs = ptrs;
  }

  /** A shader for `pixels` pixels (W * H of the G-buffers), zero-filled. */
  static create(pixels: number, options: SHShaderOptions = {}): SHShader {
    if (!Number.isInteger(pixels) || pixels < 0) throw new RangeError(`invalid pixel count ${pixels}`);
    const module = options.simd === false ? null : shSimdModule();
    if (!module) {
      return new SHShader(
        pixels,
        null,
        null,
        [new Float32Array(pixels * 3), new Float32Array(pixels * 3), new Uint8Array(pixels), new Float32Array(pixels * 3)],
        [0, 0, 0, 0],
      );
    }
    // Each buffer padded to whole 4-pixel groups (the kernel's step).
    const padded = Math.ceil(pixels / 4) * 4;
    const nPtr = COEF_BYTES, aPtr = nPtr + padded * 12, oPtr = aPtr + padded * 12, mPtr = oPtr + padded * 12;
    const { wasm, f32 } = instantiate(module, mPtr + padded);
    const buf = wasm.memory.buffer;
    return new SHShader(
      pixels,
      wasm,
      f32,
      [
        new Float32Array(buf, nPtr, pixels * 3),
        new Float32Array(buf, aPtr, pixels * 3),
        new Uint8Array(buf, mPtr, pixels),
        new Float32Array(buf, oPtr, pixels * 3),
      ],
      [nPtr, aPtr, mPtr, oPtr],
    );
  }

  /**
   * Shades the G-buffers with the 27 coefficients `L[k * 3 + c]` into {@link out} and returns it:
   * `out[p, c] = albedo[p, c] * sum_k L[k, c] phi_k(normals[p])` (see `shadeImage`). Allocation-free.
   */
  shade(L: ArrayLike<number>, options: SHShaderShadeOptions = {}): Float32Array {
    const convention = options.convention ?? 'deca';
    const useAlbedo = options.useAlbedo ?? true;
    const useMask = options.useMask ?? false;
    const background = options.background ?? 0;
    if (!this.wasm) {
      shadeScalar(this.normals, useAlbedo ? this.albedo : null, L, convention, this.out, useMask ? this.mask : undefined, background);
      return this.out;
    }
    if (L.length !== 27) throw new RangeError(`L must hold 27 = 9 x 3 coefficients, got ${L.length}`);
    writeCoefficients(this.f32!, L, convention);
    const [nPtr, aPtr, mPtr, oPtr] = this.ptrs;
    this.wasm.shade(nPtr, useAlbedo ? aPtr : 0, useMask ? mPtr : 0, oPtr, (this.pixels + 3) >> 2, background);
    return this.out;
  }
}

/**
 * The scalar (Float64 arithmetic) shading loop, the fallback of the SIMD kernel. Arguments are validated by the
 * caller (`out` and `albedo` as long as `normals`, `mask` a third of it).
 * @internal
 */
export function shadeScalar(
  normals: Float32Array,
  albedo: Float32Array | null,
  L: ArrayLike<number>,
  convention: SHConvention,
  out: Float32Array,
  mask: Uint8Array | undefined,
  background: number,
): Float32Array {
  const C = foldSHCoefficients(L, convention, folded);
  const r0 = C[0], g0 = C[1], b0 = C[2];
  const r1 = C[3], g1 = C[4], b1 = C[5];
  const r2 = C[6], g2 = C[7], b2 = C[8];
  const r3 = C[9], g3 = C[10], b3 = C[11];
  const r4 = C[12], g4 = C[13], b4 = C[14];
  const r5 = C[15], g5 = C[16], b5 = C[17];
  const r6 = C[18], g6 = C[19], b6 = C[20];
  const r7 = C[21], g7 = C[22], b7 = C[23];
  const r8 = C[24], g8 = C[25], b8 = C[26];
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
