/**
 * Connectivity of triangle meshes: vertex adjacency in compressed sparse row (CSR) form, the undirected edge
 * list, vertex-to-triangle incidence, and the axis-aligned bounding box.
 * @module
 */

/**
 * Vertex adjacency in CSR form: the neighbours of vertex `i` are
 * `neighbours[offsets[i] .. offsets[i + 1])`, sorted ascending, without duplicates and without `i` itself.
 * `offsets` has V + 1 entries; `neighbours` has 2E entries (every undirected edge appears in both rows).
 */
export interface VertexAdjacency {
  offsets: Uint32Array;
  neighbours: Uint32Array;
}

/**
 * Builds the vertex adjacency (one-ring) of a triangle mesh.
 *
 * Two passes over the triangles (count, then fill) followed by a per-row sort and de-duplication, so memory is
 * O(F) and no per-vertex JS objects are created.
 *
 * @param triangles F x 3 vertex indices.
 * @param vertexCount V; vertices referenced by no triangle get an empty row.
 */
export function computeVertexAdjacency(triangles: Uint32Array, vertexCount: number): VertexAdjacency {
  const counts = new Uint32Array(vertexCount + 1);
  for (let i = 0; i < triangles.length; i++) {
    const v = triangles[i];
    if (v >= vertexCount) throw new RangeError(`triangles[${i}] = ${v} but vertexCount is ${vertexCount}`);
    counts[v + 1] += 2; // each corner sees the two other corners of its triangle
  }
  for (let i = 0; i < vertexCount; i++) counts[i + 1] += counts[i];
  const raw = new Uint32Array(counts[vertexCount]);
  const cursor = counts.slice(0, vertexCount);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t], b = triangles[t + 1], c = triangles[t + 2];
    raw[cursor[a]++] = b; raw[cursor[a]++] = c;
    raw[cursor[b]++] = c; raw[cursor[b]++] = a;
    raw[cursor[c]++] = a; raw[cursor[c]++] = b;
  }
  // Sort each row and compact away duplicates (interior edges appear twice) and self-loops (degenerate faces).
  const offsets = new Uint32Array(vertexCount + 1);
  let w = 0;
  for (let i = 0; i < vertexCount; i++) {
    const start = counts[i], end = counts[i + 1];
    offsets[i] = w;
    if (end - start > 1) raw.subarray(start, end).sort();
    let last = -1;
    for (let k = start; k < end; k++) {
      const n = raw[k];
      if (n !== last && n !== i) raw[w++] = n;
      last = n;
    }
  }
  offsets[vertexCount] = w;
  return { offsets, neighbours: raw.slice(0, w) };
}

/**
 * Unique undirected edges, E x 2 (`[i, j]` with `i < j`), sorted by `i` then `j`.
 *
 * @param triangles F x 3 vertex indices.
 * @param vertexCount V.
 * @param adjacency optional precomputed adjacency (avoids recomputing it).
 */
export function computeEdges(triangles: Uint32Array, vertexCount: number, adjacency?: VertexAdjacency): Uint32Array {
  const adj = adjacency ?? computeVertexAdjacency(triangles, vertexCount);
  const { offsets, neighbours } = adj;
  let count = 0;
  for (let i = 0; i < vertexCount; i++) {
    for (let k = offsets[i]; k < offsets[i + 1]; k++) if (neighbours[k] > i) count++;
  }
  const edges = new Uint32Array(count * 2);
  let e = 0;
  for (let i = 0; i < vertexCount; i++) {
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      const j = neighbours[k];
      if (j > i) {
        edges[e++] = i;
        edges[e++] = j;
      }
    }
  }
  return edges;
}

/**
 * Vertex-to-triangle incidence in CSR form: the triangles touching vertex `i` are
 * `triangles[offsets[i] .. offsets[i + 1])`, ascending. `offsets` has V + 1 entries.
 */
export interface VertexTriangles {
  offsets: Uint32Array;
  triangles: Uint32Array;
}

/**
 * Builds the list of triangles incident to every vertex (CSR).
 * @param triangles F x 3 vertex indices.
 * @param vertexCount V.
 */
export function computeVertexTriangles(triangles: Uint32Array, vertexCount: number): VertexTriangles {
  const offsets = new Uint32Array(vertexCount + 1);
  for (let i = 0; i < triangles.length; i++) {
    const v = triangles[i];
    if (v >= vertexCount) throw new RangeError(`triangles[${i}] = ${v} but vertexCount is ${vertexCount}`);
    offsets[v + 1]++;
  }
  for (let i = 0; i < vertexCount; i++) offsets[i + 1] += offsets[i];
  const out = new Uint32Array(triangles.length);
  const cursor = offsets.slice(0, vertexCount);
  // Faces are visited in ascending order, so each row comes out sorted. A degenerate triangle that repeats a
  // vertex is listed once per corner.
  for (let t = 0; t < triangles.length; t++) out[cursor[triangles[t]]++] = (t / 3) | 0;
  return { offsets, triangles: out };
}

/** Axis-aligned bounding box in model units. */
export interface BoundingBox {
  min: [number, number, number];
  max: [number, number, number];
}

/**
 * Axis-aligned bounding box of V x 3 points. An empty point set gives `min = +Infinity`, `max = -Infinity`.
 */
export function computeBoundingBox(positions: Float32Array | Float64Array): BoundingBox {
  let minX = Infinity, minY = Infinity, minZ = Infinity;
  let maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  for (let i = 0; i < positions.length; i += 3) {
    const x = positions[i], y = positions[i + 1], z = positions[i + 2];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  return { min: [minX, minY, minZ], max: [maxX, maxY, maxZ] };
}

/** Centre of a bounding box. */
export function boundingBoxCenter(box: BoundingBox): [number, number, number] {
  return [(box.min[0] + box.max[0]) / 2, (box.min[1] + box.max[1]) / 2, (box.min[2] + box.max[2]) / 2];
}

/** Length of the diagonal of a bounding box (a scale-free size for tolerances and normalisation). */
export function boundingBoxDiagonal(box: BoundingBox): number {
  return Math.hypot(box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]);
}
