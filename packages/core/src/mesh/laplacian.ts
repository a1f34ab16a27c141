/**
 * Sparse Laplacians of triangle meshes (uniform/graph and cotangent) as CSR matrices, their product with dense
 * N x k arrays, and per-vertex areas (barycentric and mixed Voronoi).
 *
 * Sign convention (both Laplacians): `(L f)_i = sum_j w_ij (f_j - f_i)`, i.e. off-diagonal entries are the
 * non-negative edge weights and the diagonal is minus their sum, so every row sums to zero and `L` is negative
 * semi-definite. Applied to vertex positions, `L x` points towards the local centroid (inwards on convex
 * surfaces), the convention of Laplacian smoothing (`x += lambda · L x`).
 * @module
 */

import { computeVertexAdjacency, type VertexAdjacency } from './topology.js';

/**
 * A sparse matrix in compressed sparse row form: row `r` holds entries
 * `values[k]` at column `columns[k]` for `k` in `rowOffsets[r] .. rowOffsets[r + 1]`, columns ascending.
 * Values are float64 because Laplacians feed least-squares solvers where float32 round-off shows.
 */
export interface SparseMatrixCSR {
  rows: number;
  cols: number;
  /** rows + 1 offsets into `columns` / `values`. */
  rowOffsets: Uint32Array;
  columns: Uint32Array;
  values: Float64Array;
}

/**
 * Builds the sparsity pattern "one-ring plus diagonal" (columns sorted) with zero values, shared by both
 * Laplacians.
 */
function laplacianPattern(adj: VertexAdjacency, n: number): SparseMatrixCSR {
  const rowOffsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) rowOffsets[i + 1] = rowOffsets[i] + (adj.offsets[i + 1] - adj.offsets[i]) + 1;
  const columns = new Uint32Array(rowOffsets[n]);
  for (let i = 0; i < n; i++) {
    let w = rowOffsets[i];
    let placed = false;
    for (let k = adj.offsets[i]; k < adj.offsets[i + 1]; k++) {
      const j = adj.neighbours[k];
      if (!placed && j > i) {
        columns[w++] = i;
        placed = true;
      }
      columns[w++] = j;
    }
    if (!placed) columns[w++] = i;
  }
  return { rows: n, cols: n, rowOffsets, columns, values: new Float64Array(columns.length) };
}

/** Index into `columns` of entry (row, col); binary search over the sorted row. -1 when absent. */
export function findSparseEntry(m: SparseMatrixCSR, row: number, col: number): number {
  let lo = m.rowOffsets[row], hi = m.rowOffsets[row + 1] - 1;
  const cols = m.columns;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = cols[mid];
    if (c === col) return mid;
    if (c < col) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Options of {@link uniformLaplacian}. */
export interface UniformLaplacianOptions {
  /**
   * Divide every row by the vertex degree (random-walk Laplacian: off-diagonals `1/deg`, diagonal `-1`), so
   * `L x` is "centroid of the neighbours minus the vertex". Default false (combinatorial: 1 and `-deg`).
   */
  normalize?: boolean;
  /** Precomputed adjacency to reuse. */
  adjacency?: VertexAdjacency;
}

/**
 * Uniform (graph) Laplacian, V x V CSR: `L_ij = 1` for each edge, `L_ii = -deg(i)` (or the row-normalised
 * variant, see {@link UniformLaplacianOptions.normalize}). Isolated vertices get an all-zero row.
 *
 * @param triangles F x 3 vertex indices.
 * @param vertexCount V.
 */
export function uniformLaplacian(
  triangles: Uint32Array,
  vertexCount: number,
  options: UniformLaplacianOptions = {},
): SparseMatrixCSR {
  const adj = options.adjacency ?? computeVertexAdjacency(triangles, vertexCount);
  const m = laplacianPattern(adj, vertexCount);
  for (let i = 0; i < vertexCount; i++) {
    const deg = adj.offsets[i + 1] - adj.offsets[i];
    const off = options.normalize ? (deg > 0 ? 1 / deg : 0) : 1;
    for (let k = m.rowOffsets[i]; k < m.rowOffsets[i + 1]; k++) {
      m.values[k] = m.columns[k] === i ? -off * deg : off;
    }
  }
  return m;
}

/** Options of {@link cotangentLaplacian}. */
export interface CotangentLaplacianOptions {
  /** Precomputed adjacency to reuse. */
  adjacency?: VertexAdjacency;
  /**
   * Clamp each cotangent to [-c, c] (default 1e5) so that nearly degenerate triangles, whose cotangents blow
   * up, cannot dominate a solve.
   */
  maxCotangent?: number;
}

/**
 * Cotangent Laplacian, V x V CSR: `L_ij = (cot alpha_ij + cot beta_ij) / 2` for each edge, where alpha and beta are
 * the angles opposite the edge in its (one or two) triangles, and `L_ii = -sum_j L_ij`. This is the
 * un-normalised (stiffness-matrix) form: `(L x)_i` equals `-2 H_i n_i A_i` with `A_i` the mixed Voronoi area,
 * so on a sphere of radius r its magnitude is about `2 A_i / r`. Divide a row by {@link mixedVoronoiAreas}
 * for the pointwise Laplace-Beltrami operator.
 *
 * Zero-area triangles contribute nothing (their cotangents are undefined). Off-diagonal weights may be negative
 * for meshes with obtuse triangles; that is the correct discretisation, not an error.
 *
 * @param positions V x 3 vertex positions.
 * @param triangles F x 3 vertex indices.
 */
export function cotangentLaplacian(
  positions: Float32Array | Float64Array,
  triangles: Uint32Array,
  options: CotangentLaplacianOptions = {},
): SparseMatrixCSR {
  const n = positions.length / 3;
  const adj = options.adjacency ?? computeVertexAdjacency(triangles, n);
  const m = laplacianPattern(adj, n);
  const maxCot = options.maxCotangent ?? 1e5;
  const vals = m.values;
  const addEdge = (i: number, j: number, w: number): void => {
    if (i === j) return;
    vals[findSparseEntry(m, i, j)] += w;
    vals[findSparseEntry(m, j, i)] += w;
    vals[findSparseEntry(m, i, i)] -= w;
    vals[findSparseEntry(m, j, j)] -= w;
  };
  for (let t = 0; t < triangles.length; t += 3) {
    const ia = triangles[t], ib = triangles[t + 1], ic = triangles[t + 2];
    const a = ia * 3, b = ib * 3, c = ic * 3;
    const abx = positions[b] - positions[a], aby = positions[b + 1] - positions[a + 1], abz = positions[b + 2] - positions[a + 2];
    const acx = positions[c] - positions[a], acy = positions[c + 1] - positions[a + 1], acz = positions[c + 2] - positions[a + 2];
    const bcx = positions[c] - positions[b], bcy = positions[c + 1] - positions[b + 1], bcz = positions[c + 2] - positions[b + 2];
    const cx = aby * acz - abz * acy, cy = abz * acx - abx * acz, cz = abx * acy - aby * acx;
    const dbl = Math.sqrt(cx * cx + cy * cy + cz * cz); // twice the area = |cross| shared by all three corners
    if (!(dbl > 0)) continue;
    // cot(angle at X) = dot(e1, e2) / |e1 x e2| with e1, e2 the edges leaving X.
    let cotA = (abx * acx + aby * acy + abz * acz) / dbl;
    let cotB = (-abx * bcx - aby * bcy - abz * bcz) / dbl;
    let cotC = (acx * bcx + acy * bcy + acz * bcz) / dbl;
    cotA = Math.max(-maxCot, Math.min(maxCot, cotA));
    cotB = Math.max(-maxCot, Math.min(maxCot, cotB));
    cotC = Math.max(-maxCot, Math.min(maxCot, cotC));
    addEdge(ib, ic, 0.5 * cotA);
    addEdge(ia, ic, 0.5 * cotB);
    addEdge(ia, ib, 0.5 * cotC);
  }
  return m;
}

/**
 * Sparse times dense: `out = M · x` where `x` is `M.cols x k` and `out` is `M.rows x k`, both row-major
 * (e.g. k = 3 for V x 3 positions). Accumulates in float64.
 *
 * @param m CSR matrix.
 * @param x dense input, `cols x k` row-major.
 * @param k number of columns of `x` (default 3).
 * @param out optional output, `rows x k`; must not alias `x`.
 */
export function multiplySparseDense<T extends Float32Array | Float64Array = Float32Array>(
  m: SparseMatrixCSR,
  x: Float32Array | Float64Array,
  k = 3,
  out?: T,
): T {
  if (x.length < m.cols * k) throw new RangeError(`x has length ${x.length}, need ${m.cols} x ${k}`);
  const res = (out ?? new Float32Array(m.rows * k)) as T;
  if (res.length < m.rows * k) throw new RangeError(`out has length ${res.length}, need ${m.rows} x ${k}`);
  if (res === (x as unknown)) throw new RangeError('out must not alias x');
  const acc = new Float64Array(k);
  for (let r = 0; r < m.rows; r++) {
    acc.fill(0);
    for (let p = m.rowOffsets[r]; p < m.rowOffsets[r + 1]; p++) {
      const v = m.values[p];
      const base = m.columns[p] * k;
      for (let c = 0; c < k; c++) acc[c] += v * x[base + c];
    }
    for (let c = 0; c < k; c++) res[r * k + c] = acc[c];
  }
  return res;
}

/** Applies a Laplacian (or any CSR matrix) to an N x k array; alias of {@link multiplySparseDense}. */
export const applyLaplacian = multiplySparseDense;

/** Row sums of a CSR matrix (zero for a Laplacian), length `rows`. */
export function sparseRowSums(m: SparseMatrixCSR): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.rowOffsets[r]; p < m.rowOffsets[r + 1]; p++) s += m.values[p];
    out[r] = s;
  }
  return out;
}

/** Per-triangle areas, F entries (model units squared). */
export function triangleAreas(positions: Float32Array | Float64Array, triangles: Uint32Array): Float64Array {
  const nf = triangles.length / 3;
  const out = new Float64Array(nf);
  for (let f = 0; f < nf; f++) {
    const a = triangles[3 * f] * 3, b = triangles[3 * f + 1] * 3, c = triangles[3 * f + 2] * 3;
    const e1x = positions[b] - positions[a], e1y = positions[b + 1] - positions[a + 1], e1z = positions[b + 2] - positions[a + 2];
    const e2x = positions[c] - positions[a], e2y = positions[c + 1] - positions[a + 1], e2z = positions[c + 2] - positions[a + 2];
    const x = e1y * e2z - e1z * e2y, y = e1z * e2x - e1x * e2z, z = e1x * e2y - e1y * e2x;
    out[f] = 0.5 * Math.sqrt(x * x + y * y + z * z);
  }
  return out;
}

/** Barycentric vertex areas: a third of the area of every incident triangle, V entries. */
export function barycentricVertexAreas(positions: Float32Array | Float64Array, triangles: Uint32Array): Float64Array {
  const areas = triangleAreas(positions, triangles);
  const out = new Float64Array(positions.length / 3);
  for (let f = 0; f < areas.length; f++) {
    const a3 = areas[f] / 3;
    out[triangles[3 * f]] += a3;
    out[triangles[3 * f + 1]] += a3;
    out[triangles[3 * f + 2]] += a3;
  }
  return out;
}

/**
 * Mixed Voronoi vertex areas (Meyer, Desbrun, Schröder & Barr 2003), V entries: the Voronoi region inside
 * non-obtuse triangles, and for obtuse triangles half the area to the obtuse corner and a quarter to the others,
 * so the areas tile the surface exactly (they sum to the total area).
 */
export function mixedVoronoiAreas(positions: Float32Array | Float64Array, triangles: Uint32Array): Float64Array {
  const out = new Float64Array(positions.length / 3);
  for (let t = 0; t < triangles.length; t += 3) {
    const ia = triangles[t], ib = triangles[t + 1], ic = triangles[t + 2];
    const a = ia * 3, b = ib * 3, c = ic * 3;
    const abx = positions[b] - positions[a], aby = positions[b + 1] - positions[a + 1], abz = positions[b + 2] - positions[a + 2];
    const acx = positions[c] - positions[a], acy = positions[c + 1] - positions[a + 1], acz = positions[c + 2] - positions[a + 2];
    const bcx = positions[c] - positions[b], bcy = positions[c + 1] - positions[b + 1], bcz = positions[c + 2] - positions[b + 2];
    const cx = aby * acz - abz * acy, cy = abz * acx - abx * acz, cz = abx * acy - aby * acx;
    const dbl = Math.sqrt(cx * cx + cy * cy + cz * cz);
    if (!(dbl > 0)) continue;
    const area = 0.5 * dbl;
    const dotA = abx * acx + aby * acy + abz * acz;
    const dotB = -abx * bcx - aby * bcy - abz * bcz;
    const dotC = acx * bcx + acy * bcy + acz * bcz;
    if (dotA < 0) {
      out[ia] += area / 2; out[ib] += area / 4; out[ic] += area / 4;
    } else if (dotB < 0) {
      out[ib] += area / 2; out[ia] += area / 4; out[ic] += area / 4;
    } else if (dotC < 0) {
      out[ic] += area / 2; out[ia] += area / 4; out[ib] += area / 4;
    } else {
      const ab2 = abx * abx + aby * aby + abz * abz;
      const ac2 = acx * acx + acy * acy + acz * acz;
      const bc2 = bcx * bcx + bcy * bcy + bcz * bcz;
      const cotA = dotA / dbl, cotB = dotB / dbl, cotC = dotC / dbl;
      // Voronoi area of corner P: (|PQ|^2 cot R + |PR|^2 cot Q) / 8.
      out[ia] += (ab2 * cotC + ac2 * cotB) / 8;
      out[ib] += (ab2 * cotC + bc2 * cotA) / 8;
      out[ic] += (ac2 * cotB + bc2 * cotA) / 8;
    }
  }
  return out;
}
