/**
 * Linear blend-shape kernels: the inner loop of every linear face model.
 *
 * Bases are stored **mode-major**: mode `k` is one contiguous block `basis[k * n .. k * n + n)`. A decode then
 * streams each needed mode once, front to back, which is what the memory system is best at; the vertex-major
 * layout upstream files use (V x 3 x K) would touch one float per cache line per mode instead.
 *
 * The loop takes four non-zero modes per pass over `out`: each pass loads and stores `out` once for four
 * multiply-adds, so `out` traffic drops fourfold and the four independent products keep the FPU busy. Zero
 * weights are skipped (truncated parameter vectors are common: 100 of 300 shape modes, 50 of 100 expressions).
 * The sum of the four products is formed in double precision before the single rounding to float32, so results
 * are at least as accurate as the one-mode-at-a-time loop.
 * @module
 */

/**
 * `out[i] += sum_k weights[k] * basis[k * n + i]` for i in [0, n). Allocation-free.
 * @param out accumulator, at least `n` values (typically the template already copied in)
 * @param basis K x n mode-major basis, K >= `weights.length`
 * @param weights K coefficients; zeros are skipped
 * @param n values per mode (3V for a V-vertex mesh); defaults to `out.length`
 */
export function addWeightedBasis(out: Float32Array, basis: Float32Array, weights: ArrayLike<number>, n: number = out.length): void {
  const k = weights.length;
  if (basis.length < k * n) throw new RangeError(`basis holds ${basis.length} values, need ${k} modes x ${n}`);
  if (out.length < n) throw new RangeError(`output holds ${out.length} values, need ${n}`);
  // Collect non-zero modes four at a time; flush a full group as soon as it is complete.
  let o0 = -1, o1 = -1, o2 = -1;
  let w0 = 0, w1 = 0, w2 = 0;
  let pending = 0;
  for (let m = 0; m < k; m++) {
    const w = +weights[m];
    if (w === 0) continue;
    const off = m * n;
    switch (pending) {
      case 0: o0 = off; w0 = w; pending = 1; break;
      case 1: o1 = off; w1 = w; pending = 2; break;
      case 2: o2 = off; w2 = w; pending = 3; break;
      default:
        add4(out, basis, n, o0, w0, o1, w1, o2, w2, off, w);
        pending = 0;
    }
  }
  if (pending === 3) add3(out, basis, n, o0, w0, o1, w1, o2, w2);
  else if (pending === 2) add2(out, basis, n, o0, w0, o1, w1);
  else if (pending === 1) add1(out, basis, n, o0, w0);
}

function add4(
  out: Float32Array, b: Float32Array, n: number,
  o0: number, w0: number, o1: number, w1: number, o2: number, w2: number, o3: number, w3: number,
): void {
  for (let i = 0; i < n; i++) {
    out[i] += w0 * b[o0 + i] + w1 * b[o1 + i] + w2 * b[o2 + i] + w3 * b[o3 + i];
  }
}

function add3(out: Float32Array, b: Float32Array, n: number, o0: number, w0: number, o1: number, w1: number, o2: number, w2: number): void {
  for (let i = 0; i < n; i++) out[i] += w0 * b[o0 + i] + w1 * b[o1 + i] + w2 * b[o2 + i];
}

function add2(out: Float32Array, b: Float32Array, n: number, o0: number, w0: number, o1: number, w1: number): void {
  for (let i = 0; i < n; i++) out[i] += w0 * b[o0 + i] + w1 * b[o1 + i];
}

function add1(out: Float32Array, b: Float32Array, n: number, o0: number, w0: number): void {
  for (let i = 0; i < n; i++) out[i] += w0 * b[o0 + i];
}

/**
 * Transposes a vertex-major basis (`n` x K, as upstream files store `shapedirs` V x 3 x K) into the mode-major
 * layout {@link addWeightedBasis} reads (K x n), keeping the first `keep` modes.
 */
export function toModeMajor(basis: ArrayLike<number>, n: number, k: number, keep: number = k, first = 0): Float32Array {
  if (basis.length < n * k) throw new RangeError(`basis holds ${basis.length} values, need ${n} x ${k}`);
  if (first < 0 || keep < 0 || first + keep > k) throw new RangeError(`modes [${first}, ${first + keep}) outside [0, ${k})`);
  const out = new Float32Array(keep * n);
  for (let i = 0; i < n; i++) {
    const row = i * k + first;
    for (let m = 0; m < keep; m++) out[m * n + i] = basis[row + m];
  }
  return out;
}
