/**
 * A triangle mesh held in flat typed arrays.
 *
 * Layouts (V vertices, F triangles, T texture coordinates):
 * - `positions`: V x 3, xyz interleaved.
 * - `triangles`: F x 3 vertex indices, counter-clockwise when seen from the front.
 * - `uvs`: T x 2, uv in [0, 1] with v pointing up (OBJ/glTF-agnostic; writers convert).
 * - `uvTriangles`: F x 3 indices into `uvs`, one per triangle corner, so a vertex on a UV seam can carry
 *   several texture coordinates (as in OBJ files). When absent and `uvs` is present, `uvs` is per vertex.
 * - `normals`: V x 3 unit per-vertex normals, optional.
 */
export interface Mesh {
  positions: Float32Array;
  triangles: Uint32Array;
  uvs?: Float32Array;
  uvTriangles?: Uint32Array;
  normals?: Float32Array;
  /** Per-vertex RGB colours in [0, 1], V x 3. */
  colors?: Float32Array;
}

/** Number of vertices of a mesh. */
export function vertexCount(mesh: Pick<Mesh, 'positions'>): number {
  return mesh.positions.length / 3;
}

/** Number of triangles of a mesh. */
export function triangleCount(mesh: Pick<Mesh, 'triangles'>): number {
  return mesh.triangles.length / 3;
}

/**
 * Checks the layout invariants of a mesh and throws a specific error on the first violation:
 * array lengths that are not multiples of 3 (or 2), indices out of range, non-finite positions.
 */
export function validateMesh(mesh: Mesh): void {
  const { positions, triangles, uvs, uvTriangles, normals, colors } = mesh;
  if (positions.length % 3 !== 0) {
    throw new RangeError(`mesh.positions has length ${positions.length}, which is not a multiple of 3 (x, y, z per vertex)`);
  }
  if (triangles.length % 3 !== 0) {
    throw new RangeError(`mesh.triangles has length ${triangles.length}, which is not a multiple of 3`);
  }
  const nv = positions.length / 3;
  for (let i = 0; i < triangles.length; i++) {
    if (triangles[i] >= nv) {
      throw new RangeError(`mesh.triangles[${i}] = ${triangles[i]} but the mesh has only ${nv} vertices`);
    }
  }
  for (let i = 0; i < positions.length; i++) {
    if (!Number.isFinite(positions[i])) {
      throw new RangeError(`mesh.positions[${i}] is ${positions[i]}; every coordinate must be finite`);
    }
  }
  if (uvs) {
    if (uvs.length % 2 !== 0) throw new RangeError(`mesh.uvs has length ${uvs.length}, which is not a multiple of 2`);
    const nt = uvs.length / 2;
    if (uvTriangles) {
      if (uvTriangles.length !== triangles.length) {
        throw new RangeError(`mesh.uvTriangles has length ${uvTriangles.length} but mesh.triangles has ${triangles.length}`);
      }
      for (let i = 0; i < uvTriangles.length; i++) {
        if (uvTriangles[i] >= nt) throw new RangeError(`mesh.uvTriangles[${i}] = ${uvTriangles[i]} but there are only ${nt} uvs`);
      }
    } else if (nt !== nv) {
      throw new RangeError(`mesh.uvs holds ${nt} coordinates but the mesh has ${nv} vertices and no uvTriangles`);
    }
  } else if (uvTriangles) {
    throw new RangeError('mesh.uvTriangles is set but mesh.uvs is missing');
  }
  if (normals && normals.length !== positions.length) {
    throw new RangeError(`mesh.normals has length ${normals.length} but positions has ${positions.length}`);
  }
  if (colors && colors.length !== positions.length) {
    throw new RangeError(`mesh.colors has length ${colors.length} but positions has ${positions.length}`);
  }
}

/** Deep copy of a mesh (every typed array is cloned). */
export function cloneMesh(mesh: Mesh): Mesh {
  const out: Mesh = { positions: mesh.positions.slice(), triangles: mesh.triangles.slice() };
  if (mesh.uvs) out.uvs = mesh.uvs.slice();
  if (mesh.uvTriangles) out.uvTriangles = mesh.uvTriangles.slice();
  if (mesh.normals) out.normals = mesh.normals.slice();
  if (mesh.colors) out.colors = mesh.colors.slice();
  return out;
}
