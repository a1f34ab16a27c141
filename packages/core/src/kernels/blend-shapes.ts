/**
 * `out[i] += sum_k weights[k] * basis[k * n + i]` for i in [0, n): the inner loop of every linear face model
 * (blendshapes stored mode-major, one contiguous block of n values per mode). Zero weights are skipped.
 */
export function addWeightedBasis(out: Float32Array, basis: Float32Array, weights: ArrayLike<number>, n: number = out.length): void {
  const k = weights.length;
  if (basis.length < k * n) throw new RangeError(`basis holds ${basis.length} values, need ${k} modes x ${n}`);
  for (let m = 0; m < k; m++) {
    const w = weights[m];
    if (w === 0) continue;
    const off = m * n;
    for (let i = 0; i < n; i++) out[i] += w * basis[off + i];
  }
}
