/**
 * Sub-meshes: cut a mesh down to a vertex set (a region such as the face), a vertex range, or a set of
 * triangles, keeping UVs, normals and colours, and returning the index maps needed to move data between the
 * full mesh and the part.
 * @module
 */

import type { Mesh } from './mesh.js';

/** A sub-mesh together with the maps between its indices and those of the source mesh. */
export interface SubMesh {
  mesh: Mesh;
  /** New vertex index -> source vertex index (length V'). */
  vertexMap: Uint32Array;
  /** Source vertex index -> new vertex index, -1 when the vertex was dropped (length V). */
  inverseVertexMap: Int32Array;
  /** New triangle index -> source triangle index (length F'). */
  triangleMap: Uint32Array;
}

/**
 * Builds the sub-mesh from an explicit vertex order and triangle list; every corner of every kept triangle must
 * be in `vertexMap` (callers guarantee it).
 */
function buildSubMesh(mesh: Mesh, vertexMap: Uint32Array, inverse: Int32Array, triangleMap: Uint32Array): SubMesh {
  const nv = vertexMap.length;
  const positions = new Float32Array(nv * 3);
  for (let i = 0; i < nv; i++) {
    const s = vertexMap[i] * 3;
    positions[3 * i] = mesh.positions[s];
    positions[3 * i + 1] = mesh.positions[s + 1];
    positions[3 * i + 2] = mesh.positions[s + 2];
  }
  const nf = triangleMap.length;
  const triangles = new Uint32Array(nf * 3);
  for (let f = 0; f < nf; f++) {
    const s = triangleMap[f] * 3;
    for (let k = 0; k < 3; k++) triangles[3 * f + k] = inverse[mesh.triangles[s + k]];
  }
  const out: Mesh = { positions, triangles };
  const gather3 = (src: Float32Array): Float32Array => {
    const dst = new Float32Array(nv * 3);
    for (let i = 0; i < nv; i++) {
      const s = vertexMap[i] * 3;
      dst[3 * i] = src[s];
      dst[3 * i + 1] = src[s + 1];
      dst[3 * i + 2] = src[s + 2];
    }
    return dst;
  };
  if (mesh.normals) out.normals = gather3(mesh.normals);
  if (mesh.colors) out.colors = gather3(mesh.colors);
  if (mesh.uvs) {
    if (mesh.uvTriangles) {
      // Seam-aware UVs: keep only the texture coordinates referenced by kept triangles, compacted in order of
      // first use.
      const uvInverse = new Int32Array(mesh.uvs.length / 2).fill(-1);
      const uvTriangles = new Uint32Array(nf * 3);
      const used: number[] = [];
      for (let f = 0; f < nf; f++) {
        const s = triangleMap[f] * 3;
        for (let k = 0; k < 3; k++) {
          const t = mesh.uvTriangles[s + k];
          if (uvInverse[t] < 0) {
            uvInverse[t] = used.length;
            used.push(t);
          }
          uvTriangles[3 * f + k] = uvInverse[t];
        }
      }
      const uvs = new Float32Array(used.length * 2);
      for (let i = 0; i < used.length; i++) {
        uvs[2 * i] = mesh.uvs[2 * used[i]];
        uvs[2 * i + 1] = mesh.uvs[2 * used[i] + 1];
      }
      out.uvs = uvs;
      out.uvTriangles = uvTriangles;
    } else {
      const uvs = new Float32Array(nv * 2);
      for (let i = 0; i < nv; i++) {
        uvs[2 * i] = mesh.uvs[2 * vertexMap[i]];
        uvs[2 * i + 1] = mesh.uvs[2 * vertexMap[i] + 1];
      }
      out.uvs = uvs;
    }
  }
  return { mesh: out, vertexMap, inverseVertexMap: inverse, triangleMap };
}

/**
 * The part of a mesh spanned by a vertex set: the listed vertices (in the given order, so new vertex `i` is
 * `vertices[i]`, isolated ones included) and every triangle whose three corners are all listed.
 *
 * @param mesh source mesh.
 * @param vertices vertex indices of the region (e.g. `MeshRegion.vertices`); no duplicates.
 * @throws RangeError on an out-of-range or repeated index.
 */
export function extractRegion(mesh: Mesh, vertices: ArrayLike<number>): SubMesh {
  const nvSrc = mesh.positions.length / 3;
  const inverse = new Int32Array(nvSrc).fill(-1);
  const vertexMap = new Uint32Array(vertices.length);
  for (let i = 0; i < vertices.length; i++) {
    const v = vertices[i];
    if (!(v >= 0 && v < nvSrc) || !Number.isInteger(v)) throw new RangeError(`vertex index ${v} is outside 0..${nvSrc - 1}`);
    if (inverse[v] >= 0) throw new RangeError(`vertex index ${v} is listed twice`);
    inverse[v] = i;
    vertexMap[i] = v;
  }
  const tri = mesh.triangles;
  const kept: number[] = [];
  for (let f = 0; f < tri.length / 3; f++) {
    if (inverse[tri[3 * f]] >= 0 && inverse[tri[3 * f + 1]] >= 0 && inverse[tri[3 * f + 2]] >= 0) kept.push(f);
  }
  return buildSubMesh(mesh, vertexMap, inverse, Uint32Array.from(kept));
}

/**
 * The part of a mesh spanned by the vertex range `[start, end)` (face models often order vertices by region,
 * e.g. ICT-FaceKit's face is 0..9408). Same rules as {@link extractRegion}.
 */
export function extractVertexRange(mesh: Mesh, start: number, end: number): SubMesh {
  const nv = mesh.positions.length / 3;
  if (!(start >= 0 && start <= end && end <= nv)) throw new RangeError(`vertex range [${start}, ${end}) is outside 0..${nv}`);
  const list = new Uint32Array(end - start);
  for (let i = 0; i < list.length; i++) list[i] = start + i;
  return extractRegion(mesh, list);
}

/**
 * The sub-mesh made of the given triangles and the vertices they use. Vertices keep their relative source
 * order (new indices ascend with source indices), so a face range of a region-ordered model stays ordered.
 *
 * @param mesh source mesh.
 * @param triangles source triangle indices to keep, in output order.
 */
export function extractTriangles(mesh: Mesh, triangles: ArrayLike<number>): SubMesh {
  const nvSrc = mesh.positions.length / 3;
  const nfSrc = mesh.triangles.length / 3;
  const used = new Uint8Array(nvSrc);
  const triangleMap = new Uint32Array(triangles.length);
  for (let i = 0; i < triangles.length; i++) {
    const f = triangles[i];
    if (!(f >= 0 && f < nfSrc) || !Number.isInteger(f)) throw new RangeError(`triangle index ${f} is outside 0..${nfSrc - 1}`);
    triangleMap[i] = f;
    used[mesh.triangles[3 * f]] = 1;
    used[mesh.triangles[3 * f + 1]] = 1;
    used[mesh.triangles[3 * f + 2]] = 1;
  }
  const inverse = new Int32Array(nvSrc).fill(-1);
  let count = 0;
  for (let v = 0; v < nvSrc; v++) if (used[v]) inverse[v] = count++;
  const vertexMap = new Uint32Array(count);
  for (let v = 0; v < nvSrc; v++) if (used[v]) vertexMap[inverse[v]] = v;
  return buildSubMesh(mesh, vertexMap, inverse, triangleMap);
}

/** The sub-mesh made of the triangle range `[start, end)`; see {@link extractTriangles}. */
export function extractTriangleRange(mesh: Mesh, start: number, end: number): SubMesh {
  const nf = mesh.triangles.length / 3;
  if (!(start >= 0 && start <= end && end <= nf)) throw new RangeError(`triangle range [${start}, ${end}) is outside 0..${nf}`);
  const list = new Uint32Array(end - start);
  for (let i = 0; i < list.length; i++) list[i] = start + i;
  return extractTriangles(mesh, list);
}

/**
 * Triangles whose three corners all lie in a vertex set (the `MeshRegion.triangles` of a region), ascending.
 * @param triangles F x 3 vertex indices.
 * @param vertices the region's vertex indices.
 * @param vertexCount V.
 */
export function regionTriangles(triangles: Uint32Array, vertices: ArrayLike<number>, vertexCount: number): Uint32Array {
  const inside = new Uint8Array(vertexCount);
  for (let i = 0; i < vertices.length; i++) inside[vertices[i]] = 1;
  const kept: number[] = [];
  for (let f = 0; f < triangles.length / 3; f++) {
    if (inside[triangles[3 * f]] && inside[triangles[3 * f + 1]] && inside[triangles[3 * f + 2]]) kept.push(f);
  }
  return Uint32Array.from(kept);
}

/**
 * Copies per-vertex data of a sub-mesh back into a full-size array (e.g. fitted face-region positions into the
 * whole head). `sub` is V' x k, `full` is V x k and is modified in place.
 */
export function scatterToFull(sub: Float32Array, vertexMap: Uint32Array, full: Float32Array, k = 3): Float32Array {
  for (let i = 0; i < vertexMap.length; i++) {
    const d = vertexMap[i] * k;
    for (let c = 0; c < k; c++) full[d + c] = sub[i * k + c];
  }
  return full;
}
