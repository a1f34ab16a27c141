/**
 * A blend-shape basis held in the fastest form this runtime offers: WebAssembly SIMD (f32x4) when available,
 * else the scalar {@link addWeightedBasis} loop. Same arithmetic contract either way:
 * `out[i] += sum_k weights[k] * basis[k][i]`.
 *
 * Why a class and not a function: the SIMD kernel must read the basis from WebAssembly memory, so the basis is
 * copied there once (at model load) and each call only moves the small output vector (3V floats) in and out.
 * @module
 */
import { addWeightedBasis } from './blend-shapes.js';
import { BLEND_SIMD_WASM_BASE64 } from './blend-simd-bytes.js';
import { compileEmbeddedWasm } from './wasm-module.js';

/** Options of {@link BlendBasis.create}. */
export interface BlendBasisOptions {
  /** Use the WebAssembly SIMD kernel when the runtime supports it (default true). */
  simd?: boolean;
}

interface SimdExports {
  memory: WebAssembly.Memory;
  add4(out: number, b0: number, b1: number, b2: number, b3: number, w0: number, w1: number, w2: number, w3: number, bytes: number): void;
  add1(out: number, b0: number, w0: number, bytes: number): void;
}

let simdModule: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null when WebAssembly SIMD is unavailable. Compiled once per process. */
function simdKernel(): WebAssembly.Module | null {
  if (simdModule !== undefined) return simdModule;
  simdModule = compileEmbeddedWasm(BLEND_SIMD_WASM_BASE64);
  return simdModule;
}

/** Whether the WebAssembly SIMD blend kernel can run here. */
export function blendSimdAvailable(): boolean {
  return simdKernel() !== null;
}

/** A K x n mode-major basis ready for repeated weighted sums. */
export class BlendBasis {
  /** Number of modes K. */
  readonly modes: number;
  /** Values per mode n. */
  readonly size: number;
  /** `'simd'` or `'js'`: which kernel runs. */
  readonly backend: 'simd' | 'js';
  private readonly js: Float32Array | null;
  private readonly wasm: SimdExports | null;
  /** Floats per padded mode block in wasm memory (n rounded up to whole f32x4 lanes). */
  private readonly stride: number;
  private readonly outView: Float32Array | null;

  private constructor(modes: number, size: number, js: Float32Array | null, wasm: SimdExports | null, stride: number) {
    this.modes = modes;
    this.size = size;
    this.js = js;
    this.wasm = wasm;
    this.stride = stride;
    this.backend = wasm ? 'simd' : 'js';
    this.outView = wasm ? new Float32Array(wasm.memory.buffer, 0, stride) : null;
  }

  /**
   * Takes a K x n mode-major basis (`basis[k * n + i]`). The SIMD backend copies it into WebAssembly memory
   * (K x ceil(n/4)*4 floats); the JS backend keeps a reference (do not mutate it afterwards).
   */
  static create(basis: Float32Array, modes: number, size: number, options: BlendBasisOptions = {}): BlendBasis {
    if (!Number.isInteger(modes) || !Number.isInteger(size) || modes < 0 || size < 0) {
      throw new RangeError(`invalid basis size ${modes} x ${size}`);
    }
    if (basis.length < modes * size) throw new RangeError(`basis holds ${basis.length} values, need ${modes} x ${size}`);
    const module = options.simd === false ? null : simdKernel();
    const stride = Math.ceil(size / 4) * 4;
    if (!module || modes === 0) return new BlendBasis(modes, size, basis, null, stride);
    const bytes = (stride * (modes + 1)) * 4; // output block, then the modes
    const pages = Math.ceil(bytes / 65536);
    const instance = new WebAssembly.Instance(module, {});
    const wasm = instance.exports as unknown as SimdExports;
    const have = wasm.memory.buffer.byteLength / 65536;
    if (pages > have) wasm.memory.grow(pages - have);
    const mem = new Float32Array(wasm.memory.buffer);
    for (let m = 0; m < modes; m++) mem.set(basis.subarray(m * size, m * size + size), (m + 1) * stride);
    return new BlendBasis(modes, size, null, wasm, stride);
  }

  /**
   * `out[i] += sum_k weights[k] * basis[k * n + i]` for i in [0, n). Extra weights beyond K throw; fewer are
   * zero-padded. Allocation-free.
   */
  accumulate(out: Float32Array, weights: ArrayLike<number>): void {
    const k = weights.length;
    if (k > this.modes) throw new RangeError(`${k} weights for a basis of ${this.modes} modes`);
    if (out.length < this.size) throw new RangeError(`output holds ${out.length} values, need ${this.size}`);
    if (!this.wasm) {
      addWeightedBasis(out, this.js!, weights, this.size);
      return;
    }
    const n = this.size;
    const wasm = this.wasm;
    const view = this.outView!;
    const strideBytes = this.stride * 4;
    const bytes = strideBytes;
    let any = false;
    let o0 = 0, o1 = 0, o2 = 0;
    let w0 = 0, w1 = 0, w2 = 0;
    let pending = 0;
    for (let m = 0; m < k; m++) {
      const w = +weights[m];
      if (w === 0) continue;
      if (!any) {
        // Move the accumulator in only when some weight is non-zero (all-zero calls cost nothing).
        any = true;
        view.set(n === out.length ? out : out.subarray(0, n));
      }
      const off = (m + 1) * strideBytes;
      switch (pending) {
        case 0: o0 = off; w0 = w; pending = 1; break;
        case 1: o1 = off; w1 = w; pending = 2; break;
        case 2: o2 = off; w2 = w; pending = 3; break;
        default:
          wasm.add4(0, o0, o1, o2, off, w0, w1, w2, w, bytes);
          pending = 0;
      }
    }
    if (!any) return;
    if (pending >= 1) wasm.add1(0, o0, w0, bytes);
    if (pending >= 2) wasm.add1(0, o1, w1, bytes);
    if (pending >= 3) wasm.add1(0, o2, w2, bytes);
    out.set(n === view.length ? view : view.subarray(0, n));
  }
}
