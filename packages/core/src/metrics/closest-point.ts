/**
 * Exact closest point on a triangle (Ericson, *Real-Time Collision Detection*, 2005, §5.1.5): classify the
 * query against the triangle's Voronoi regions (3 vertices, 3 edges, face) with a few dot products, then
 * project onto the region's feature.
 * @module
 */

/**
 * Floats per triangle in the precomputed layout {@link closestPointPrecomputed} reads:
 * `a.xyz, (b - a).xyz, (c - a).xyz, |b - a|^2, |c - a|^2, (b - a)·(c - a)`.
 */
export const PRECOMPUTED_TRIANGLE_STRIDE = 12;

/**
 * Writes triangle `(a, b, c)` into the precomputed layout at `data[offset..offset + 12)`.
 * Caching the edge vectors and their dot products means the per-query work of Ericson's test drops to two
 * dot products plus subtractions (his d3..d6 are d1/d2 minus cached edge products).
 */
export function precomputeTriangle(
  data: Float64Array,
  offset: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
  cx: number, cy: number, cz: number,
): void {
  const abx = bx - ax, aby = by - ay, abz = bz - az;
  const acx = cx - ax, acy = cy - ay, acz = cz - az;
  data[offset] = ax;
  data[offset + 1] = ay;
  data[offset + 2] = az;
  data[offset + 3] = abx;
  data[offset + 4] = aby;
  data[offset + 5] = abz;
  data[offset + 6] = acx;
  data[offset + 7] = acy;
  data[offset + 8] = acz;
  data[offset + 9] = abx * abx + aby * aby + abz * abz;
  data[offset + 10] = acx * acx + acy * acy + acz * acz;
  data[offset + 11] = abx * acx + aby * acy + abz * acz;
}

/**
 * Closest point of the precomputed triangle at `data[o..o + 12)` to `(px, py, pz)`.
 * Writes the point to `out[0..3)` and returns the squared distance. Degenerate (zero-area) triangles are
 * handled by falling back to the closest point on their three edges.
 */
export function closestPointPrecomputed(data: Float64Array, o: number, px: number, py: number, pz: number, out: Float64Array): number {
  const ax = data[o], ay = data[o + 1], az = data[o + 2];
  const abx = data[o + 3], aby = data[o + 4], abz = data[o + 5];
  const acx = data[o + 6], acy = data[o + 7], acz = data[o + 8];
  const apx = px - ax, apy = py - ay, apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  let qx: number, qy: number, qz: number;
  if (d1 <= 0 && d2 <= 0) {
    // Vertex region A.
    qx = ax; qy = ay; qz = az;
  } else {
    const abab = data[o + 9], acac = data[o + 10], abac = data[o + 11];
    // d3 = ab·(p - b), d4 = ac·(p - b), d5 = ab·(p - c), d6 = ac·(p - c), from cached edge products.
    const d3 = d1 - abab, d4 = d2 - abac;
    const d5 = d1 - abac, d6 = d2 - acac;
    const vc = d1 * d4 - d3 * d2;
    const vb = d5 * d2 - d1 * d6;
    const va = d3 * d6 - d5 * d4;
    if (d3 >= 0 && d4 <= d3) {
      // Vertex region B.
      qx = ax + abx; qy = ay + aby; qz = az + abz;
    } else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
      // Edge region AB.
      const v = d1 / (d1 - d3);
      qx = ax + v * abx; qy = ay + v * aby; qz = az + v * abz;
    } else if (d6 >= 0 && d5 <= d6) {
      // Vertex region C.
      qx = ax + acx; qy = ay + acy; qz = az + acz;
    } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
      // Edge region AC.
      const w = d2 / (d2 - d6);
      qx = ax + w * acx; qy = ay + w * acy; qz = az + w * acz;
    } else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
      // Edge region BC.
      const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
      qx = ax + abx + w * (acx - abx); qy = ay + aby + w * (acy - aby); qz = az + abz + w * (acz - abz);
    } else {
      const denom = va + vb + vc;
      if (!(denom > 0)) return closestOnEdges(data, o, px, py, pz, out);
      // Face region: barycentrics (u, v, w) = (va, vb, vc) / denom.
      const v = vb / denom, w = vc / denom;
      qx = ax + abx * v + acx * w; qy = ay + aby * v + acy * w; qz = az + abz * v + acz * w;
    }
  }
  out[0] = qx;
  out[1] = qy;
  out[2] = qz;
  const dx = px - qx, dy = py - qy, dz = pz - qz;
  return dx * dx + dy * dy + dz * dz;
}

/** Closest point on segment `a + t e`, t in [0, 1]; returns squared distance, point in `out`. */
function closestOnSegment(
  ax: number, ay: number, az: number, ex: number, ey: number, ez: number,
  px: number, py: number, pz: number, out: Float64Array,
): number {
  const ee = ex * ex + ey * ey + ez * ez;
  let t = ee > 0 ? ((px - ax) * ex + (py - ay) * ey + (pz - az) * ez) / ee : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  out[0] = ax + t * ex;
  out[1] = ay + t * ey;
  out[2] = az + t * ez;
  const dx = px - out[0], dy = py - out[1], dz = pz - out[2];
  return dx * dx + dy * dy + dz * dz;
}

const edgeScratch = new Float64Array(3);

/** Degenerate-triangle fallback: best of the three edges (a sliver's closest point always lies on one). */
function closestOnEdges(data: Float64Array, o: number, px: number, py: number, pz: number, out: Float64Array): number {
  const ax = data[o], ay = data[o + 1], az = data[o + 2];
  const abx = data[o + 3], aby = data[o + 4], abz = data[o + 5];
  const acx = data[o + 6], acy = data[o + 7], acz = data[o + 8];
  let best = closestOnSegment(ax, ay, az, abx, aby, abz, px, py, pz, out);
  let d = closestOnSegment(ax, ay, az, acx, acy, acz, px, py, pz, edgeScratch);
  if (d < best) {
    best = d;
    out.set(edgeScratch);
  }
  d = closestOnSegment(ax + abx, ay + aby, az + abz, acx - abx, acy - aby, acz - abz, px, py, pz, edgeScratch);
  if (d < best) {
    best = d;
    out.set(edgeScratch);
  }
  return best;
}

const singleTriangle = new Float64Array(PRECOMPUTED_TRIANGLE_STRIDE);

/**
 * Exact closest point to `p` on the (filled) triangle `a, b, c`.
 *
 * @param p - query point, `[x, y, z]`.
 * @param a - first vertex, `[x, y, z]`; `b`, `c` likewise.
 * @param out - receives the closest point (3 values).
 * @returns the squared Euclidean distance from `p` to the triangle.
 */
export function closestPointOnTriangle(
  p: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  c: ArrayLike<number>,
  out: Float64Array = new Float64Array(3),
): number {
  precomputeTriangle(singleTriangle, 0, a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]);
  return closestPointPrecomputed(singleTriangle, 0, p[0], p[1], p[2], out);
}
