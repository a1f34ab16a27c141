/**
 * A static 3D k-d tree for nearest-neighbour queries (ICP correspondences against a point cloud).
 * @module
 */

/** Ranges of at most this many points are scanned linearly: cheaper than descending further. */
const LEAF_SIZE = 8;

/**
 * Balanced, implicit 3D k-d tree over N points.
 *
 * Layout: the points are reordered so that every subtree is a contiguous range `[lo, hi)` whose middle element
 * `mid = (lo + hi) >> 1` is the splitting point (left subtree `[lo, mid)`, right `[mid + 1, hi)`); only the
 * split axis per `mid` is stored. No node objects, no pointers: build is O(N log N) quickselects and the tree
 * costs 8 * 3 + 4 + 1 bytes per point.
 */
export class KdTree3 {
  /** Number of indexed points. */
  readonly size: number;
  /** Squared distance of the result of the last {@link KdTree3.nearest} call (Infinity when none was found). */
  lastDistanceSquared = Infinity;
  private readonly pts: Float64Array;
  private readonly ids: Uint32Array;
  private readonly axes: Uint8Array;
  private qx = 0;
  private qy = 0;
  private qz = 0;
  private best = Infinity;
  private bestPos = -1;

  /**
   * @param points - N x 3 points, xyz interleaved (any units). The tree copies them; later changes to the
   *   array are not seen.
   */
  constructor(points: ArrayLike<number>) {
    if (points.length % 3 !== 0) throw new RangeError(`points has length ${points.length}, not a multiple of 3`);
    const n = points.length / 3;
    this.size = n;
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    this.axes = new Uint8Array(n);
    // Build on a double copy so that quickselect compares exactly the coordinates queries will see.
    const src = Float64Array.from(points);
    this.build(src, perm, 0, n);
    this.pts = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const j = perm[i];
      this.pts[3 * i] = src[3 * j];
      this.pts[3 * i + 1] = src[3 * j + 1];
      this.pts[3 * i + 2] = src[3 * j + 2];
    }
    this.ids = perm;
  }

  private build(src: Float64Array, perm: Uint32Array, lo: number, hi: number): void {
    // Iterative on the right half, recursive on the left: depth stays O(log N).
    while (hi - lo > LEAF_SIZE) {
      let minX = Infinity, minY = Infinity, minZ = Infinity, maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
      for (let i = lo; i < hi; i++) {
        const p = 3 * perm[i];
        const x = src[p], y = src[p + 1], z = src[p + 2];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        if (z < minZ) minZ = z;
        if (z > maxZ) maxZ = z;
      }
      const ex = maxX - minX, ey = maxY - minY, ez = maxZ - minZ;
      // Split the widest extent: keeps cells compact, which is what prunes nearest-neighbour searches.
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      const mid = (lo + hi) >> 1;
      selectByAxis(src, perm, lo, hi - 1, mid, axis);
      this.axes[mid] = axis;
      this.build(src, perm, lo, mid);
      lo = mid + 1;
    }
  }

  /**
   * Index (into the original point array) of the point nearest to `(x, y, z)`, or -1 when none lies strictly
   * closer than `sqrt(maxDistanceSquared)`. Its squared distance is left in {@link KdTree3.lastDistanceSquared}.
   *
   * @param hint - optional original index of a point believed to be close (e.g. the previous ICP
   *   correspondence); its distance seeds the search bound, which prunes most of the tree for coherent queries.
   */
  nearest(x: number, y: number, z: number, maxDistanceSquared = Infinity, hint = -1): number {
    this.qx = x;
    this.qy = y;
    this.qz = z;
    this.best = maxDistanceSquared;
    this.bestPos = -1;
    if (hint >= 0 && hint < this.size) {
      // Hints are original indices; an inverse permutation (built on first use) finds their stored slot.
      const pos = this.positionOf(hint);
      const p = 3 * pos;
      const dx = this.pts[p] - x, dy = this.pts[p + 1] - y, dz = this.pts[p + 2] - z;
      const d = dx * dx + dy * dy + dz * dz;
      if (d < this.best) {
        this.best = d;
        this.bestPos = pos;
      }
    }
    if (this.size > 0) this.search(0, this.size);
    this.lastDistanceSquared = this.bestPos >= 0 ? this.best : Infinity;
    return this.bestPos >= 0 ? this.ids[this.bestPos] : -1;
  }

  private inverse: Uint32Array | null = null;

  private positionOf(index: number): number {
    if (!this.inverse) {
      this.inverse = new Uint32Array(this.size);
      for (let i = 0; i < this.size; i++) this.inverse[this.ids[i]] = i;
    }
    return this.inverse[index];
  }

  /**
   * Nearest neighbours of M query points at once.
   *
   * @param queries - M x 3 points.
   * @param outIndex - receives M original indices (-1 where nothing lies within `maxDistance`). When
   *   `useHints` is true its incoming values are used as search hints (see {@link KdTree3.nearest}).
   * @param outDistanceSquared - receives M squared distances (Infinity where none found).
   */
  nearestBatch(
    queries: ArrayLike<number>,
    outIndex: Int32Array,
    outDistanceSquared: Float64Array | Float32Array,
    maxDistance = Infinity,
    useHints = false,
  ): void {
    const m = queries.length / 3;
    const max2 = maxDistance * maxDistance;
    for (let i = 0; i < m; i++) {
      const idx = this.nearest(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2], max2, useHints ? outIndex[i] : -1);
      outIndex[i] = idx;
      outDistanceSquared[i] = this.lastDistanceSquared;
    }
  }

  private search(lo: number, hi: number): void {
    const pts = this.pts;
    const qx = this.qx, qy = this.qy, qz = this.qz;
    for (;;) {
      if (hi - lo <= LEAF_SIZE) {
        for (let i = lo; i < hi; i++) {
          const dx = pts[3 * i] - qx, dy = pts[3 * i + 1] - qy, dz = pts[3 * i + 2] - qz;
          const d = dx * dx + dy * dy + dz * dz;
          if (d < this.best) {
            this.best = d;
            this.bestPos = i;
          }
        }
        return;
      }
      const mid = (lo + hi) >> 1;
      const p = 3 * mid;
      const dx = pts[p] - qx, dy = pts[p + 1] - qy, dz = pts[p + 2] - qz;
      const d = dx * dx + dy * dy + dz * dz;
      if (d < this.best) {
        this.best = d;
        this.bestPos = mid;
      }
      const axis = this.axes[mid];
      const delta = (axis === 0 ? qx : axis === 1 ? qy : qz) - pts[p + axis];
      // Descend the side containing the query first; visit the other side only if the splitting plane is
      // closer than the best distance so far (checked after the first side has tightened it).
      if (delta < 0) {
        this.search(lo, mid);
        if (delta * delta >= this.best) return;
        lo = mid + 1;
      } else {
        this.search(mid + 1, hi);
        if (delta * delta >= this.best) return;
        hi = mid;
      }
    }
  }
}

/** Quickselect on `perm[lo..hi]` (inclusive) so that `perm[k]` holds the k-th point along `axis`. */
function selectByAxis(src: Float64Array, perm: Uint32Array, lo: number, hi: number, k: number, axis: number): void {
  while (lo < hi) {
    const pivot = src[3 * perm[(lo + hi) >> 1] + axis];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (src[3 * perm[i] + axis] < pivot) i++;
      while (src[3 * perm[j] + axis] > pivot) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
