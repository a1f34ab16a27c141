/**
 * Small procedural meshes for tests, benches and examples: a subdivided icosahedron (sphere) and a flat grid.
 * @module
 */

import type { Mesh } from './mesh.js';

/** Options of {@link createIcosphere}. */
export interface IcosphereOptions {
  /** Sphere radius in model units (default 1). */
  radius?: number;
  /** Centre (default the origin). */
  center?: [number, number, number];
}

/**
 * A sphere made by subdividing an icosahedron `subdivisions` times (each triangle split in four, new vertices
 * pushed onto the sphere). Vertex count `10 · 4^n + 2`, triangle count `20 · 4^n`; triangles are
 * counter-clockwise seen from outside, and `normals` holds the exact radial unit normals. Vertices are nearly
 * uniform, which makes the sphere a good test surface for normals, Laplacians and rasterisation.
 *
 * @param subdivisions 0 (icosahedron, 12 vertices) .. 8.
 */
export function createIcosphere(subdivisions = 2, options: IcosphereOptions = {}): Mesh {
  if (!Number.isInteger(subdivisions) || subdivisions < 0 || subdivisions > 8) {
    throw new RangeError(`subdivisions must be an integer in 0..8, got ${subdivisions}`);
  }
  const radius = options.radius ?? 1;
  const [ox, oy, oz] = options.center ?? [0, 0, 0];
  const nv = 10 * 4 ** subdivisions + 2;
  const unit = new Float64Array(nv * 3);
  const t = (1 + Math.sqrt(5)) / 2;
  const base = [
    -1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, 0,
    0, -1, t, 0, 1, t, 0, -1, -t, 0, 1, -t,
    t, 0, -1, t, 0, 1, -t, 0, -1, -t, 0, 1,
  ];
  let count = 0;
  const push = (x: number, y: number, z: number): number => {
    const inv = 1 / Math.hypot(x, y, z);
    unit[3 * count] = x * inv;
    unit[3 * count + 1] = y * inv;
    unit[3 * count + 2] = z * inv;
    return count++;
  };
  for (let i = 0; i < 12; i++) push(base[3 * i], base[3 * i + 1], base[3 * i + 2]);
  let faces = Uint32Array.from([
    0, 11, 5, 0, 5, 1, 0, 1, 7, 0, 7, 10, 0, 10, 11,
    1, 5, 9, 5, 11, 4, 11, 10, 2, 10, 7, 6, 7, 1, 8,
    3, 9, 4, 3, 4, 2, 3, 2, 6, 3, 6, 8, 3, 8, 9,
    4, 9, 5, 2, 4, 11, 6, 2, 10, 8, 6, 7, 9, 8, 1,
  ]);
  for (let s = 0; s < subdivisions; s++) {
    // Each edge is split once; the key a * nv + b (a < b) is exact in a double for nv < 2^26.
    const mid = new Map<number, number>();
    const midpoint = (a: number, b: number): number => {
      const key = a < b ? a * nv + b : b * nv + a;
      let m = mid.get(key);
      if (m === undefined) {
        m = push(unit[3 * a] + unit[3 * b], unit[3 * a + 1] + unit[3 * b + 1], unit[3 * a + 2] + unit[3 * b + 2]);
        mid.set(key, m);
      }
      return m;
    };
    const next = new Uint32Array(faces.length * 4);
    let w = 0;
    for (let f = 0; f < faces.length; f += 3) {
      const a = faces[f], b = faces[f + 1], c = faces[f + 2];
      const ab = midpoint(a, b), bc = midpoint(b, c), ca = midpoint(c, a);
      next.set([a, ab, ca, b, bc, ab, c, ca, bc, ab, bc, ca], w);
      w += 12;
    }
    faces = next;
  }
  const positions = new Float32Array(nv * 3);
  const normals = new Float32Array(nv * 3);
  for (let i = 0; i < nv; i++) {
    normals[3 * i] = unit[3 * i];
    normals[3 * i + 1] = unit[3 * i + 1];
    normals[3 * i + 2] = unit[3 * i + 2];
    positions[3 * i] = ox + radius * unit[3 * i];
    positions[3 * i + 1] = oy + radius * unit[3 * i + 1];
    positions[3 * i + 2] = oz + radius * unit[3 * i + 2];
  }
  return { positions, triangles: faces, normals };
}

/** Options of {@link createGrid}. */
export interface GridOptions {
  /** Extent along x in model units (default 1). */
  width?: number;
  /** Extent along y in model units (default 1). */
  height?: number;
  /** Constant z of the plane (default 0). */
  z?: number;
}

/**
 * A flat rectangular grid of `nx x ny` square cells (two triangles each) in the plane `z = options.z`, centred on
 * the origin: x in [-width/2, width/2], y in [-height/2, height/2]. Vertex `(i, j)` (column i in 0..nx, row j in
 * 0..ny, j growing with +y) has index `j · (nx + 1) + i`. Triangles are counter-clockwise seen from +z (the
 * normal is +z, towards a default camera); per-vertex `uvs` run from (0, 0) at the bottom-left to (1, 1).
 *
 * @param nx cells along x (>= 1).
 * @param ny cells along y (>= 1).
 */
export function createGrid(nx: number, ny: number, options: GridOptions = {}): Mesh {
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1) {
    throw new RangeError(`grid size must be positive integers, got ${nx} x ${ny}`);
  }
  const width = options.width ?? 1;
  const height = options.height ?? 1;
  const z = options.z ?? 0;
  const cols = nx + 1;
  const nv = cols * (ny + 1);
  const positions = new Float32Array(nv * 3);
  const uvs = new Float32Array(nv * 2);
  const normals = new Float32Array(nv * 3);
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const v = j * cols + i;
      const u = i / nx, w = j / ny;
      positions[3 * v] = (u - 0.5) * width;
      positions[3 * v + 1] = (w - 0.5) * height;
      positions[3 * v + 2] = z;
      uvs[2 * v] = u;
      uvs[2 * v + 1] = w;
      normals[3 * v + 2] = 1;
    }
  }
  const triangles = new Uint32Array(nx * ny * 6);
  let k = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const a = j * cols + i, b = a + 1, c = a + cols + 1, d = a + cols;
      triangles[k++] = a; triangles[k++] = b; triangles[k++] = c;
      triangles[k++] = a; triangles[k++] = c; triangles[k++] = d;
    }
  }
  return { positions, triangles, uvs, normals };
}
