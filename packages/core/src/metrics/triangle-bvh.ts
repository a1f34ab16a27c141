/**
 * Bounding-volume hierarchy over triangles for exact point-to-surface distance queries.
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';
import { PRECOMPUTED_TRIANGLE_STRIDE as STRIDE, closestPointPrecomputed, precomputeTriangle } from './closest-point.js';

/** Options of {@link TriangleBvh}. */
export interface TriangleBvhOptions {
  /**
   * Index only these triangles (indices into `triangles / 3`), e.g. the face region of a head model.
   * Results still report original triangle indices. Default: all triangles.
   */
  triangleIds?: ArrayLike<number>;
  /** Maximum triangles per leaf (default 4). */
  leafSize?: number;
}

/** Options of {@link TriangleBvh.query} and {@link pointToSurface}. */
export interface PointToSurfaceOptions {
  /**
   * Only look for surface points closer than this (same units as the points). Points with nothing that close
   * get distance `Infinity`, triangle id -1 and closest point NaN. Prunes the search, so it also speeds up
   * e.g. ICP with an outlier threshold. Default: unbounded.
   */
  maxDistance?: number;
  /**
   * Process queries in Morton (Z-curve) order so that consecutive queries are near each other and the previous
   * hit gives a tight initial bound. Default: true when there are more than 256 queries. Results are always
   * returned in the input order.
   */
  sortQueries?: boolean;
  /** Preallocated outputs (M, M x 3, M); allocated when absent. */
  outDistances?: Float32Array;
  outClosestPoints?: Float32Array;
  outTriangleIds?: Int32Array;
}

/**
 * Result of a point-to-surface query for M points:
 * - `distances`: M unsigned Euclidean distances (units of the inputs),
 * - `closestPoints`: M x 3 closest points on the surface,
 * - `triangleIds`: M indices of the triangle each closest point lies on (original mesh triangle indices).
 */
export interface PointToSurfaceResult {
  distances: Float32Array;
  closestPoints: Float32Array;
  triangleIds: Int32Array;
}

/**
 * Binary AABB tree over (a subset of) a mesh's triangles, with exact closest-point queries.
 *
 * Layout, all flat typed arrays: node `i` has its box in `bounds[6i..6i+6)` (min xyz, max xyz) and
 * `info[2i]`/`info[2i+1]` = (first child, 0) for internal nodes, whose children are adjacent (`c`, `c + 1`), or
 * (first triangle slot, count) for leaves. Triangle geometry is copied into leaf order in the precomputed
 * layout of `closest-point.ts`, so a leaf's triangles are contiguous in memory.
 *
 * Build: top-down, split at the median centroid along the widest centroid extent (balanced, O(N log N)).
 * Queries: depth-first, nearer child first, pruned by the squared distance to the box, seeded with an upper
 * bound from a hint triangle (the previous query's hit when queries are processed in Morton order).
 */
export class TriangleBvh {
  /** Number of indexed triangles. */
  readonly triangleCount: number;
  /** Number of tree nodes. */
  readonly nodeCount: number;
  /** Squared distance found by the last {@link TriangleBvh.closestPoint} call. */
  lastDistanceSquared = Infinity;
  /** Closest point found by the last {@link TriangleBvh.closestPoint} call (3 values). */
  readonly lastPoint = new Float64Array(3);
  /** Leaf slot of the last hit (internal; usable as a `hint`). -1 when none. */
  lastSlot = -1;

  private readonly bounds: Float64Array;
  private readonly info: Int32Array;
  private readonly tris: Float64Array;
  private readonly triIds: Int32Array;
  private readonly stackNode = new Int32Array(128);
  private readonly stackDist = new Float64Array(128);
  private readonly scratch = new Float64Array(3);

  /**
   * @param positions - V x 3 vertex positions.
   * @param triangles - F x 3 vertex indices.
   */
  constructor(positions: ArrayLike<number>, triangles: ArrayLike<number>, options: TriangleBvhOptions = {}) {
    if (triangles.length % 3 !== 0) throw new RangeError(`triangles has length ${triangles.length}, not a multiple of 3`);
    const nv = positions.length / 3;
    const total = triangles.length / 3;
    const subset = options.triangleIds;
    const n = subset ? subset.length : total;
    const leafSize = Math.max(1, Math.floor(options.leafSize ?? 4));
    this.triangleCount = n;

    // Per-triangle boxes and centroids (double precision, indexed by position in the subset).
    const tb = new Float64Array(6 * n);
    const cen = new Float64Array(3 * n);
    const ids = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const t = subset ? subset[k] : k;
      if (!(t >= 0 && t < total)) throw new RangeError(`triangle id ${t} is out of range [0, ${total})`);
      ids[k] = t;
      for (let c = 0; c < 3; c++) {
        const v = triangles[3 * t + c];
        if (!(v < nv)) throw new RangeError(`triangles[${3 * t + c}] = ${v} but there are only ${nv} vertices`);
      }
      const ia = 3 * triangles[3 * t], ib = 3 * triangles[3 * t + 1], ic = 3 * triangles[3 * t + 2];
      for (let d = 0; d < 3; d++) {
        const a = positions[ia + d], b = positions[ib + d], c = positions[ic + d];
        tb[6 * k + d] = Math.min(a, b, c);
        tb[6 * k + 3 + d] = Math.max(a, b, c);
        cen[3 * k + d] = (a + b + c) / 3;
      }
    }

    const maxNodes = Math.max(1, 2 * Math.ceil(n / leafSize) * 2);
    const bounds = new Float64Array(6 * maxNodes);
    const info = new Int32Array(2 * maxNodes);
    const order = new Uint32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    let nodes = 1;
    // Explicit work stack of (node, lo, hi): recursion depth would otherwise track tree depth.
    const work: number[] = [0, 0, n];
    while (work.length > 0) {
      const hi = work.pop() as number;
      const lo = work.pop() as number;
      const node = work.pop() as number;
      let bx0 = Infinity, by0 = Infinity, bz0 = Infinity, bx1 = -Infinity, by1 = -Infinity, bz1 = -Infinity;
      let cx0 = Infinity, cy0 = Infinity, cz0 = Infinity, cx1 = -Infinity, cy1 = -Infinity, cz1 = -Infinity;
      for (let i = lo; i < hi; i++) {
        const k = order[i];
        const b = 6 * k;
        if (tb[b] < bx0) bx0 = tb[b];
        if (tb[b + 1] < by0) by0 = tb[b + 1];
        if (tb[b + 2] < bz0) bz0 = tb[b + 2];
        if (tb[b + 3] > bx1) bx1 = tb[b + 3];
        if (tb[b + 4] > by1) by1 = tb[b + 4];
        if (tb[b + 5] > bz1) bz1 = tb[b + 5];
        const x = cen[3 * k], y = cen[3 * k + 1], z = cen[3 * k + 2];
        if (x < cx0) cx0 = x;
        if (x > cx1) cx1 = x;
        if (y < cy0) cy0 = y;
        if (y > cy1) cy1 = y;
        if (z < cz0) cz0 = z;
        if (z > cz1) cz1 = z;
      }
      const o = 6 * node;
      bounds[o] = bx0; bounds[o + 1] = by0; bounds[o + 2] = bz0;
      bounds[o + 3] = bx1; bounds[o + 4] = by1; bounds[o + 5] = bz1;
      if (hi - lo <= leafSize) {
        info[2 * node] = lo;
        info[2 * node + 1] = hi - lo;
        continue;
      }
      const ex = cx1 - cx0, ey = cy1 - cy0, ez = cz1 - cz0;
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      const mid = (lo + hi) >> 1;
      selectByCentroid(cen, order, lo, hi - 1, mid, axis);
      const left = nodes;
      nodes += 2;
      info[2 * node] = left;
      info[2 * node + 1] = 0;
      work.push(left, lo, mid, left + 1, mid, hi);
    }
    this.nodeCount = nodes;
    this.bounds = bounds.slice(0, 6 * nodes);
    this.info = info.slice(0, 2 * nodes);

    // Triangle data in leaf order.
    this.tris = new Float64Array(STRIDE * n);
    this.triIds = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = order[i];
      const t = ids[k];
      const ia = 3 * triangles[3 * t], ib = 3 * triangles[3 * t + 1], ic = 3 * triangles[3 * t + 2];
      precomputeTriangle(
        this.tris, STRIDE * i,
        positions[ia], positions[ia + 1], positions[ia + 2],
        positions[ib], positions[ib + 1], positions[ib + 2],
        positions[ic], positions[ic + 1], positions[ic + 2],
      );
      this.triIds[i] = t;
    }
    if (n === 0) this.nodeCount = 0;
  }

  /** Original triangle index stored at a leaf slot (as in {@link TriangleBvh.lastSlot}). */
  triangleAtSlot(slot: number): number {
    return this.triIds[slot];
  }

  /**
   * Closest point on the indexed surface to `(x, y, z)`.
   *
   * @param maxDistanceSquared - only accept hits strictly closer than this.
   * @param hintSlot - leaf slot of a triangle likely to be close (e.g. `lastSlot` of a nearby query); its
   *   distance seeds the pruning bound.
   * @returns the original triangle index, or -1 when nothing lies within the bound. The point and squared
   *   distance are left in {@link TriangleBvh.lastPoint} / {@link TriangleBvh.lastDistanceSquared}.
   */
  closestPoint(x: number, y: number, z: number, maxDistanceSquared = Infinity, hintSlot = -1): number {
    const tris = this.tris;
    const bounds = this.bounds;
    const info = this.info;
    const scratch = this.scratch;
    const lastPoint = this.lastPoint;
    const stackNode = this.stackNode;
    const stackDist = this.stackDist;
    let best = maxDistanceSquared;
    let bestSlot = -1;
    if (hintSlot >= 0 && hintSlot < this.triangleCount) {
      const d = closestPointPrecomputed(tris, STRIDE * hintSlot, x, y, z, scratch);
      if (d < best) {
        best = d;
        bestSlot = hintSlot;
        lastPoint[0] = scratch[0]; lastPoint[1] = scratch[1]; lastPoint[2] = scratch[2];
      }
    }
    if (this.nodeCount > 0) {
      let sp = 0;
      let node = 0;
      let nodeDist = boxDistanceSquared(bounds, 0, x, y, z);
      for (;;) {
        if (nodeDist < best) {
          const count = info[2 * node + 1];
          const first = info[2 * node];
          if (count > 0) {
            for (let s = first, end = first + count; s < end; s++) {
              const d = closestPointPrecomputed(tris, STRIDE * s, x, y, z, scratch);
              if (d < best) {
                best = d;
                bestSlot = s;
                lastPoint[0] = scratch[0]; lastPoint[1] = scratch[1]; lastPoint[2] = scratch[2];
              }
            }
          } else {
            const dl = boxDistanceSquared(bounds, first, x, y, z);
            const dr = boxDistanceSquared(bounds, first + 1, x, y, z);
            // Visit the nearer child now and defer the farther one: the nearer box usually holds the answer,
            // which then lets the deferred box be pruned when it is popped.
            if (dl <= dr) {
              if (dr < best) {
                stackNode[sp] = first + 1;
                stackDist[sp++] = dr;
              }
              node = first;
              nodeDist = dl;
            } else {
              if (dl < best) {
                stackNode[sp] = first;
                stackDist[sp++] = dl;
              }
              node = first + 1;
              nodeDist = dr;
            }
            continue;
          }
        }
        if (sp === 0) break;
        sp--;
        node = stackNode[sp];
        nodeDist = stackDist[sp];
      }
    }
    this.lastSlot = bestSlot;
    if (bestSlot < 0) {
      this.lastDistanceSquared = Infinity;
      return -1;
    }
    this.lastDistanceSquared = best;
    return this.triIds[bestSlot];
  }

  /**
   * Closest surface points of M query points.
   *
   * @param points - M x 3 query points (e.g. scan points), same units as the mesh.
   */
  query(points: ArrayLike<number>, options: PointToSurfaceOptions = {}): PointToSurfaceResult {
    if (points.length % 3 !== 0) throw new RangeError(`points has length ${points.length}, not a multiple of 3`);
    const m = points.length / 3;
    const distances = options.outDistances ?? new Float32Array(m);
    const closestPoints = options.outClosestPoints ?? new Float32Array(3 * m);
    const triangleIds = options.outTriangleIds ?? new Int32Array(m);
    if (distances.length < m || closestPoints.length < 3 * m || triangleIds.length < m) {
      throw new RangeError(`output arrays are too small for ${m} points`);
    }
    const max2 = options.maxDistance === undefined ? Infinity : options.maxDistance * options.maxDistance;
    const order = (options.sortQueries ?? m > 256) ? mortonOrder(points, m) : null;
    const p = this.lastPoint;
    let hint = -1;
    for (let j = 0; j < m; j++) {
      const i = order ? order[j] : j;
      const t = this.closestPoint(points[3 * i], points[3 * i + 1], points[3 * i + 2], max2, hint);
      triangleIds[i] = t;
      if (t < 0) {
        distances[i] = Infinity;
        closestPoints[3 * i] = NaN;
        closestPoints[3 * i + 1] = NaN;
        closestPoints[3 * i + 2] = NaN;
        continue;
      }
      hint = this.lastSlot;
      distances[i] = Math.sqrt(this.lastDistanceSquared);
      closestPoints[3 * i] = p[0];
      closestPoints[3 * i + 1] = p[1];
      closestPoints[3 * i + 2] = p[2];
    }
    return { distances, closestPoints, triangleIds };
  }
}

/** Squared distance from a point to node `node`'s box (0 inside). */
function boxDistanceSquared(bounds: Float64Array, node: number, x: number, y: number, z: number): number {
  const o = 6 * node;
  let d = 0;
  let e = bounds[o] - x;
  if (e > 0) d += e * e;
  else {
    e = x - bounds[o + 3];
    if (e > 0) d += e * e;
  }
  e = bounds[o + 1] - y;
  if (e > 0) d += e * e;
  else {
    e = y - bounds[o + 4];
    if (e > 0) d += e * e;
  }
  e = bounds[o + 2] - z;
  if (e > 0) d += e * e;
  else {
    e = z - bounds[o + 5];
    if (e > 0) d += e * e;
  }
  return d;
}

/** Quickselect on `order[lo..hi]` (inclusive) by centroid coordinate `axis` so `order[k]` is the k-th. */
function selectByCentroid(cen: Float64Array, order: Uint32Array, lo: number, hi: number, k: number, axis: number): void {
  while (lo < hi) {
    const pivot = cen[3 * order[(lo + hi) >> 1] + axis];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (cen[3 * order[i] + axis] < pivot) i++;
      while (cen[3 * order[j] + axis] > pivot) j--;
      if (i <= j) {
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Spreads the low 10 bits of `v` so that there are two zero bits between consecutive bits. */
function spreadBits10(v: number): number {
  v &= 0x3ff;
  v = (v | (v << 16)) & 0x030000ff;
  v = (v | (v << 8)) & 0x0300f00f;
  v = (v | (v << 4)) & 0x030c30c3;
  v = (v | (v << 2)) & 0x09249249;
  return v;
}

/**
 * Permutation of M points sorted along a 30-bit Morton (Z-order) curve over their bounding box, by a 3-pass
 * LSD radix sort (O(M), no comparisons). Non-finite points get code 0.
 */
export function mortonOrder(points: ArrayLike<number>, m: number): Uint32Array {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let i = 0; i < m; i++) {
    const x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  // One common cell size for all axes keeps cells cubic, so the curve's locality is isotropic.
  const extent = Math.max(x1 - x0, y1 - y0, z1 - z0);
  const scale = extent > 0 && Number.isFinite(extent) ? 1023.999 / extent : 0;
  let keys = new Uint32Array(m);
  let vals = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    const qx = (points[3 * i] - x0) * scale, qy = (points[3 * i + 1] - y0) * scale, qz = (points[3 * i + 2] - z0) * scale;
    keys[i] = qx >= 0 && qy >= 0 && qz >= 0 ? (spreadBits10(qx) | (spreadBits10(qy) << 1) | (spreadBits10(qz) << 2)) >>> 0 : 0;
    vals[i] = i;
  }
  let keys2 = new Uint32Array(m);
  let vals2 = new Uint32Array(m);
  const count = new Uint32Array(1024);
  for (let shift = 0; shift < 30; shift += 10) {
    count.fill(0);
    for (let i = 0; i < m; i++) count[(keys[i] >>> shift) & 1023]++;
    let sum = 0;
    for (let b = 0; b < 1024; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const dst = count[(keys[i] >>> shift) & 1023]++;
      keys2[dst] = keys[i];
      vals2[dst] = vals[i];
    }
    const tk = keys; keys = keys2; keys2 = tk;
    const tv = vals; vals = vals2; vals2 = tv;
  }
  return vals;
}

/**
 * Builds a {@link TriangleBvh} over a mesh (optionally only the triangles in `options.triangleIds`).
 * Build once per mesh, then query any number of point sets.
 */
export function buildTriangleBvh(mesh: Pick<Mesh, 'positions' | 'triangles'>, options: TriangleBvhOptions = {}): TriangleBvh {
  return new TriangleBvh(mesh.positions, mesh.triangles, options);
}

/**
 * Unsigned distance from each point to a triangle surface (e.g. scan-to-mesh error), with the closest points
 * and the triangles they lie on. Exact (closest point on triangle, not on vertices).
 *
 * @param points - M x 3 query points.
 * @param surface - a mesh (a BVH is built for this call) or a prebuilt {@link TriangleBvh} (reuse it when
 *   querying the same mesh repeatedly).
 */
export function pointToSurface(
  points: ArrayLike<number>,
  surface: TriangleBvh | Pick<Mesh, 'positions' | 'triangles'>,
  options: PointToSurfaceOptions = {},
): PointToSurfaceResult {
  const bvh = surface instanceof TriangleBvh ? surface : buildTriangleBvh(surface);
  return bvh.query(points, options);
}
