/**
 * Conversion from OBJ-style texture coordinates (`uvs` + `uvTriangles`, several uvs per vertex on seams) to
 * per-vertex attributes, which is what glTF, PLY `s t` and GPU vertex buffers need.
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';

/** The result of {@link weldUvVertices}. */
export interface WeldedVertices {
  /** Triangles over the new vertices, F x 3. */
  triangles: Uint32Array;
  /** For each new vertex, the original vertex it copies. */
  vertexSource: Uint32Array;
  /** For each new vertex, the index into the original `uvs` it carries. */
  uvSource: Uint32Array;
}

/**
 * Makes one vertex per distinct (vertex, uv) pair used by the triangle corners: vertices inside a UV chart stay
 * shared, vertices on a seam are split into one copy per uv. Copies are numbered in order of first use.
 *
 * Uses a chain per original vertex (typed arrays, no hash map): seams give each vertex only a few copies, so
 * the lookup is a short walk.
 */
export function weldUvVertices(triangles: Uint32Array, uvTriangles: Uint32Array, vertexCount: number): WeldedVertices {
  if (uvTriangles.length !== triangles.length) {
    throw new RangeError(`uvTriangles has length ${uvTriangles.length} but triangles has ${triangles.length}`);
  }
  const n = triangles.length;
  const head = new Int32Array(vertexCount).fill(-1);
  // At most one new vertex per corner.
  const next = new Int32Array(n);
  const vSrc = new Uint32Array(n);
  const tSrc = new Uint32Array(n);
  const out = new Uint32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = triangles[i];
    const t = uvTriangles[i];
    if (v >= vertexCount) throw new RangeError(`triangles[${i}] = ${v} but there are only ${vertexCount} vertices`);
    let k = head[v];
    let last = -1;
    while (k >= 0 && tSrc[k] !== t) {
      last = k;
      k = next[k];
    }
    if (k < 0) {
      k = count++;
      vSrc[k] = v;
      tSrc[k] = t;
      next[k] = -1;
      if (last < 0) head[v] = k;
      else next[last] = k;
    }
    out[i] = k;
  }
  return { triangles: out, vertexSource: vSrc.slice(0, count), uvSource: tSrc.slice(0, count) };
}

/** Copies rows of a `stride`-wide attribute array by an index map. */
export function gatherRows(src: Float32Array, stride: number, index: Uint32Array): Float32Array {
  const out = new Float32Array(index.length * stride);
  for (let i = 0; i < index.length; i++) {
    const s = index[i] * stride;
    const d = i * stride;
    for (let k = 0; k < stride; k++) out[d + k] = src[s + k];
  }
  return out;
}

/** The result of {@link splitUvSeams}. */
export interface SplitMesh {
  /** The mesh with per-vertex `uvs` (no `uvTriangles`); normals and colours copied along. */
  mesh: Mesh;
  /** For each vertex of `mesh`, the vertex of the input mesh it copies (to carry other per-vertex data along). */
  vertexSource: Uint32Array;
}

/**
 * Converts a mesh with OBJ-style `uvTriangles` into one with per-vertex uvs by splitting seam vertices
 * ({@link weldUvVertices}). Meshes without `uvTriangles` are returned as they are, with an identity map.
 * Vertices no triangle uses are dropped when splitting.
 */
export function splitUvSeams(mesh: Mesh): SplitMesh {
  const nv = mesh.positions.length / 3;
  if (!mesh.uvs || !mesh.uvTriangles) {
    const id = new Uint32Array(nv);
    for (let i = 0; i < nv; i++) id[i] = i;
    return { mesh, vertexSource: id };
  }
  const nt = mesh.uvs.length / 2;
  for (let i = 0; i < mesh.uvTriangles.length; i++) {
    if (mesh.uvTriangles[i] >= nt) throw new RangeError(`mesh.uvTriangles[${i}] = ${mesh.uvTriangles[i]} but there are only ${nt} uvs`);
  }
  const w = weldUvVertices(mesh.triangles, mesh.uvTriangles, nv);
  const out: Mesh = {
    positions: gatherRows(mesh.positions, 3, w.vertexSource),
    triangles: w.triangles,
    uvs: gatherRows(mesh.uvs, 2, w.uvSource),
  };
  if (mesh.normals) out.normals = gatherRows(mesh.normals, 3, w.vertexSource);
  if (mesh.colors) out.colors = gatherRows(mesh.colors, 3, w.vertexSource);
  return { mesh: out, vertexSource: w.vertexSource };
}
