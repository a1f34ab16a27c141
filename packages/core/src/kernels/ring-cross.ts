/**
 * Sums of cross products of per-vertex basis columns over a vertex's one-ring, the inner loop of the derivative
 * of area-weighted vertex normals w.r.t. a linear model's coefficients: `dN_i / dz_k = sum_r b_r[k] x e_r`, with
 * `b_r[k]` the 3-vector basis column k at ring vertex r and `e_r` a per-ring-vertex edge vector.
 *
 * Runs in WebAssembly SIMD (f32x4, four columns at a time) where available, else in JS with the same contract.
 * Like {@link BlendBasis}, the basis is copied once into the kernel's memory, here planar per vertex (x, y and z
 * planes of K values), so each f32x4 lane is one column.
 * @module
 */
import { RING_CROSS_SIMD_WASM_BASE64 } from './ring-cross-simd-bytes.js';
import { compileEmbeddedWasm } from './wasm-module.js';

/** Options of {@link RingCrossBasis.create}. */
export interface RingCrossOptions {
  /** Use the WebAssembly SIMD kernel when the runtime supports it (default true). */
  simd?: boolean;
}

interface RingCrossExports {
  memory: WebAssembly.Memory;
  ring_cross(basis: number, ring: number, nr: number, plane: number, out: number): void;
}

let ringModule: WebAssembly.Module | null | undefined;

function ringKernel(): WebAssembly.Module | null {
  if (ringModule === undefined) ringModule = compileEmbeddedWasm(RING_CROSS_SIMD_WASM_BASE64);
  return ringModule;
}

/** The most ring vertices one {@link RingCrossBasis.ringCross} call takes (far above any mesh's valence). */
export const MAX_RING = 1024;

/** A V-vertex, K-mode basis laid out for {@link RingCrossBasis.ringCross}. */
export class RingCrossBasis {
  /** Number of vertices V. */
  readonly vertexCount: number;
  /** Number of modes K. */
  readonly modes: number;
  /** `'simd'` or `'js'`: which kernel runs. */
  readonly backend: 'simd' | 'js';
  /** Values per plane: K rounded up to whole f32x4 lanes. */
  private readonly kp: number;
  private readonly planar: Float32Array;
  private readonly wasm: RingCrossExports | null;
  private readonly ringI32: Int32Array | null;
  private readonly ringF32: Float32Array | null;
  private readonly outF32: Float32Array | null;
  /** Byte offsets in wasm memory. */
  private static readonly RING = 0;
  private readonly outAt: number;
  private readonly basisAt: number;

  private constructor(V: number, K: number, kp: number, planar: Float32Array, wasm: RingCrossExports | null, outAt: number, basisAt: number) {
    this.vertexCount = V;
    this.modes = K;
    this.kp = kp;
    this.planar = planar;
    this.wasm = wasm;
    this.backend = wasm ? 'simd' : 'js';
    this.outAt = outAt;
    this.basisAt = basisAt;
    const buf = wasm?.memory.buffer;
    this.ringI32 = buf ? new Int32Array(buf, RingCrossBasis.RING, 4 * MAX_RING) : null;
    this.ringF32 = buf ? new Float32Array(buf, RingCrossBasis.RING, 4 * MAX_RING) : null;
    this.outF32 = buf ? new Float32Array(buf, outAt, 3 * kp) : null;
  }

  /**
   * Takes a mode-major basis of K modes over V vertices (`basis[k * 3V + 3v + c]`, as a linear face model's
   * identity or expression block).
   */
  static create(basis: Float32Array, vertexCount: number, modes: number, options: RingCrossOptions = {}): RingCrossBasis {
    const V = vertexCount, K = modes;
    if (!Number.isInteger(V) || !Number.isInteger(K) || V < 0 || K < 0) throw new RangeError(`invalid basis size ${K} modes x ${V} vertices`);
    if (basis.length < 3 * V * K) throw new RangeError(`basis holds ${basis.length} values, need ${K} x ${V} x 3`);
    const kp = (K + 3) & ~3;
    const module = options.simd === false ? null : ringKernel();
    const outAt = 16 * MAX_RING;
    const basisAt = outAt + 12 * kp;
    let wasm: RingCrossExports | null = null;
    let planar: Float32Array;
    if (module) {
      wasm = new WebAssembly.Instance(module, {}).exports as unknown as RingCrossExports;
      const bytes = basisAt + 12 * kp * V;
      const have = wasm.memory.buffer.byteLength;
      if (bytes > have) wasm.memory.grow(Math.ceil((bytes - have) / 65536));
      planar = new Float32Array(wasm.memory.buffer, basisAt, 3 * kp * V);
    } else {
      planar = new Float32Array(3 * kp * V);
    }
    const n3 = 3 * V;
    for (let v = 0; v < V; v++) {
      const o = 3 * kp * v;
      for (let k = 0; k < K; k++) {
        const src = k * n3 + 3 * v;
        planar[o + k] = basis[src];
        planar[o + kp + k] = basis[src + 1];
        planar[o + 2 * kp + k] = basis[src + 2];
      }
    }
    return new RingCrossBasis(V, K, kp, planar, wasm, outAt, basisAt);
  }

  /**
   * `out[c * K + k] = sum_r (b_{ring[r]}[k] x e_r)[c]` over the `count` ring vertices `ring[first ..]`, with
   * `e_r = (e[3r], e[3r + 1], e[3r + 2])` (planar output: the x components of all K columns, then y, then z).
   * Sums run in single precision (the basis is stored as float32).
   */
  ringCross(ring: ArrayLike<number>, first: number, count: number, e: ArrayLike<number>, out: Float64Array): void {
    const { kp, modes: K } = this;
    if (count > MAX_RING) throw new RangeError(`a ring of ${count} vertices exceeds ${MAX_RING}`);
    if (out.length < 3 * K) throw new RangeError(`output holds ${out.length} values, need 3 x ${K}`);
    for (let r = 0; r < count; r++) {
      const v = ring[first + r];
      if (!(v >= 0 && v < this.vertexCount)) throw new RangeError(`ring vertex ${v} is outside the basis's ${this.vertexCount} vertices`);
    }
    if (this.wasm) {
      const ri = this.ringI32!, rf = this.ringF32!;
      for (let r = 0; r < count; r++) {
        ri[4 * r] = 12 * kp * ring[first + r];
        rf[4 * r + 1] = e[3 * r];
        rf[4 * r + 2] = e[3 * r + 1];
        rf[4 * r + 3] = e[3 * r + 2];
      }
      this.wasm.ring_cross(this.basisAt, RingCrossBasis.RING, count, 4 * kp, this.outAt);
      const o = this.outF32!;
      for (let k = 0; k < K; k++) {
        out[k] = o[k];
        out[K + k] = o[kp + k];
        out[2 * K + k] = o[2 * kp + k];
      }
      return;
    }
    out.fill(0, 0, 3 * K);
    const b = this.planar;
    for (let r = 0; r < count; r++) {
      const ex = Math.fround(e[3 * r]), ey = Math.fround(e[3 * r + 1]), ez = Math.fround(e[3 * r + 2]);
      const o = 3 * kp * ring[first + r];
      for (let k = 0; k < K; k++) {
        const bx = b[o + k], by = b[o + kp + k], bz = b[o + 2 * kp + k];
        out[k] += by * ez - bz * ey;
        out[K + k] += bz * ex - bx * ez;
        out[2 * K + k] += bx * ey - by * ex;
      }
    }
  }
}
