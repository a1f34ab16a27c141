/**
 * A double-precision workspace for dense matrix products: an arena of f64 values and `gemmTN`, run by the
 * WebAssembly SIMD (f64x2) kernel where the runtime has it, else by a JS loop with the same contract.
 *
 * Why an arena: the SIMD kernel can only read WebAssembly memory, so callers write their operands straight into
 * the workspace (offsets from {@link DenseWorkspace.alloc}) and read results back, instead of copying whole
 * arrays in and out around each call. Gauss-Newton normal equations (`J^T W J` accumulated in batches of rows)
 * are the use it was made for: on the 2-core dev box the kernel runs at ~4 GFMA/s against ~1 for the JS kernel
 * (`core/gemm-gram-4500x160-simd` / `-js` in `bench/kernels.bench.ts`).
 * @module
 */
import { GEMM_SIMD_WASM_BASE64 } from './gemm-simd-bytes.js';
import { compileEmbeddedWasm } from './wasm-module.js';

/** Options of {@link DenseWorkspace.create}. */
export interface DenseWorkspaceOptions {
  /** Use the WebAssembly SIMD kernel when the runtime supports it (default true). */
  simd?: boolean;
}

interface GemmExports {
  memory: WebAssembly.Memory;
  gemm_tn(c: number, ldc: number, a: number, lda: number, b: number, ldb: number, m: number, n: number, k: number, upper: number): void;
}

let gemmModule: WebAssembly.Module | null | undefined;

function gemmKernel(): WebAssembly.Module | null {
  if (gemmModule === undefined) gemmModule = compileEmbeddedWasm(GEMM_SIMD_WASM_BASE64);
  return gemmModule;
}

/** Whether the WebAssembly SIMD matrix kernel can run here. */
export function gemmSimdAvailable(): boolean {
  return gemmKernel() !== null;
}

/** Rounds a matrix dimension up to the kernel's tile size (4): pad rows and columns of operands to it. */
export function padToTile(n: number): number {
  return (n + 3) & ~3;
}

const PAGE = 65536;

/**
 * An arena of f64 values with a dense `C += A^T B` kernel. Offsets and leading dimensions are counted in
 * values (not bytes). {@link DenseWorkspace.values} is a view of the whole arena; take it again after
 * {@link DenseWorkspace.alloc}, which may grow (and so detach) the memory.
 */
export class DenseWorkspace {
  /** `'simd'` or `'js'`: which kernel runs. */
  readonly backend: 'simd' | 'js';
  private readonly wasm: GemmExports | null;
  private jsMemory: Float64Array;
  private used = 0;
  private view: Float64Array;

  private constructor(wasm: GemmExports | null) {
    this.wasm = wasm;
    this.backend = wasm ? 'simd' : 'js';
    this.jsMemory = new Float64Array(wasm ? 0 : PAGE / 8);
    this.view = wasm ? new Float64Array(wasm.memory.buffer) : this.jsMemory;
  }

  /** A fresh, empty workspace. */
  static create(options: DenseWorkspaceOptions = {}): DenseWorkspace {
    const module = options.simd === false ? null : gemmKernel();
    if (!module) return new DenseWorkspace(null);
    return new DenseWorkspace(new WebAssembly.Instance(module, {}).exports as unknown as GemmExports);
  }

  /** The whole arena as one array; invalidated when {@link DenseWorkspace.alloc} grows it. */
  get values(): Float64Array {
    if (this.wasm && this.view.buffer !== this.wasm.memory.buffer) this.view = new Float64Array(this.wasm.memory.buffer);
    return this.view;
  }

  /**
   * Reserves `count` zeroed values and returns their offset. Offsets are even (16-byte aligned), so rows whose
   * length is a multiple of 2 stay aligned for the kernel.
   */
  alloc(count: number): number {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`cannot allocate ${count} values`);
    const offset = this.used;
    const end = offset + ((count + 1) & ~1);
    const needBytes = end * 8;
    if (this.wasm) {
      const have = this.wasm.memory.buffer.byteLength;
      if (needBytes > have) this.wasm.memory.grow(Math.ceil((needBytes - have) / PAGE));
    } else if (end > this.jsMemory.length) {
      const grown = new Float64Array(Math.max(end, 2 * this.jsMemory.length));
      grown.set(this.jsMemory.subarray(0, this.used));
      this.jsMemory = grown;
      this.view = grown;
    }
    this.used = end;
    this.values.fill(0, offset, end);
    return offset;
  }

  /** Frees every allocation (the memory is kept for reuse); earlier offsets become invalid. */
  reset(): void {
    this.used = 0;
  }

  /**
   * `C[i][j] += sum_p A[p][i] * B[p][j]` for i < m, j < n, p < k: C is m x n, A is k x m and B is k x n, all
   * row-major at the given offsets with leading dimensions `ldc`, `lda`, `ldb`. `m` and `n` must be multiples
   * of 4 ({@link padToTile}; pad operands with zeros). With `upper`, C is taken as symmetric (A^T A-like, m = n)
   * and only its 4 x 4 tiles on or above the diagonal are computed: the upper triangle is exact, the lower
   * halves of the diagonal tiles are written too, and the rest of the lower triangle is left as it is.
   */
  gemmTN(c: number, ldc: number, a: number, lda: number, b: number, ldb: number, m: number, n: number, k: number, upper = false): void {
    if (m % 4 !== 0 || n % 4 !== 0) throw new RangeError(`gemmTN needs m and n to be multiples of 4 (got ${m} x ${n}); pad with padToTile`);
    if (ldc < n || lda < m || ldb < n) throw new RangeError(`gemmTN leading dimensions (${ldc}, ${lda}, ${ldb}) are shorter than the rows (${n}, ${m}, ${n})`);
    if (upper && m !== n) throw new RangeError(`gemmTN upper needs a square C (got ${m} x ${n})`);
    if (k === 0 || m === 0 || n === 0) return;
    if (Math.min(c, a, b) < 0 || c + (m - 1) * ldc + n > this.used || a + (k - 1) * lda + m > this.used || b + (k - 1) * ldb + n > this.used) {
      throw new RangeError('gemmTN operands reach outside the allocated workspace');
    }
    if (this.wasm) {
      this.wasm.gemm_tn(8 * c, 8 * ldc, 8 * a, 8 * lda, 8 * b, 8 * ldb, m, n, k, upper ? 1 : 0);
      return;
    }
    gemmTNScalar(this.jsMemory, c, ldc, a, lda, b, ldb, m, n, k, upper);
  }
}

/**
 * The JS kernel: each output row takes four rows of B per pass (as the fitter's batched loops), and with `upper`
 * it starts at its diagonal tile, as the SIMD kernel does.
 */
function gemmTNScalar(x: Float64Array, c: number, ldc: number, a: number, lda: number, b: number, ldb: number, m: number, n: number, k: number, upper: boolean): void {
  const k4 = k & ~3;
  for (let i = 0; i < m; i++) {
    const oc = c + i * ldc;
    const j0 = upper ? i & ~3 : 0;
    let p = 0;
    for (; p < k4; p += 4) {
      const a0 = x[a + p * lda + i], a1 = x[a + (p + 1) * lda + i], a2 = x[a + (p + 2) * lda + i], a3 = x[a + (p + 3) * lda + i];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const b0 = b + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let j = j0; j < n; j++) x[oc + j] += a0 * x[b0 + j] + a1 * x[b1 + j] + a2 * x[b2 + j] + a3 * x[b3 + j];
    }
    for (; p < k; p++) {
      const a0 = x[a + p * lda + i];
      if (a0 === 0) continue;
      const b0 = b + p * ldb;
      for (let j = j0; j < n; j++) x[oc + j] += a0 * x[b0 + j];
    }
  }
}
