/**
 * Summary statistics of error/distance samples.
 * @module
 */
import { selectKth } from '../align/linalg.js';

/**
 * Summary of a sample: `count` finite values, their mean, median, population standard deviation, min and max
 * (all in the units of the input times `scale`). All NaN when there are no finite values.
 */
export interface DistanceSummary {
  count: number;
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
}

/**
 * Mean / median / std / min / max of the finite entries of `values` (non-finite ones, e.g. points with no
 * surface within a search radius, are skipped), each multiplied by `scale` (e.g. 1000 for metres to mm).
 */
export function summarizeDistances(values: ArrayLike<number>, scale = 1): DistanceSummary {
  const buf = new Float64Array(values.length);
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    buf[n++] = v;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { count: 0, mean: NaN, median: NaN, std: NaN, min: NaN, max: NaN };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (buf[i] - mean) * (buf[i] - mean);
  // Median by selection (O(n)) rather than a full sort: scans have 10^5..10^6 points.
  const hi = selectKth(buf, n, n >> 1);
  let median = hi;
  if (n % 2 === 0) {
    let lo = -Infinity;
    for (let i = 0; i < n >> 1; i++) if (buf[i] > lo) lo = buf[i];
    median = (lo + hi) / 2;
  }
  return { count: n, mean: mean * scale, median: median * scale, std: Math.sqrt(ss / n) * scale, min: min * scale, max: max * scale };
}
