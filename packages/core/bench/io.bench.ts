// Mesh file format benchmarks: OBJ writing (the 20 ms target for a 27k-vertex face mesh), OBJ parsing and GLB
// writing. Inputs are synthetic so the benches run without the shared face-model data.
import type { BenchCase } from '../src/util/bench.js';
import type { Mesh } from '../src/mesh/mesh.js';
import { encodeObj, parseObj } from '../src/io/obj.js';
import { encodeGlb } from '../src/io/glb.js';

/**
 * A face-mesh-sized grid: `nx` x `ny` vertices (27k for 180 x 150, ~53k triangles) with a wavy surface of
 * face-like coordinates (centimetres, 6 significant digits) and OBJ-style uvs that carry a seam down the middle,
 * as real face UV atlases do.
 */
function faceSizedMesh(nx = 180, ny = 150): Mesh {
  const positions = new Float32Array(nx * ny * 3);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = (j * nx + i) * 3;
      positions[k] = (i / (nx - 1) - 0.5) * 16.3791;
      positions[k + 1] = (j / (ny - 1) - 0.5) * 21.1738;
      positions[k + 2] = 9.8765 + 2.5 * Math.sin(i * 0.071) * Math.cos(j * 0.053);
    }
  }
  // uv columns: the middle column is duplicated, so two uv charts meet at a seam.
  const mid = nx >> 1;
  const uvCols = nx + 1;
  const uvs = new Float32Array(uvCols * ny * 2);
  for (let j = 0; j < ny; j++) {
    for (let c = 0; c < uvCols; c++) {
      const i = c <= mid ? c : c - 1;
      const k = (j * uvCols + c) * 2;
      uvs[k] = (i / (nx - 1)) * 0.98 + (c > mid ? 0.02 : 0);
      uvs[k + 1] = j / (ny - 1);
    }
  }
  const triangles = new Uint32Array((nx - 1) * (ny - 1) * 6);
  const uvTriangles = new Uint32Array(triangles.length);
  let o = 0;
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = j * nx + i;
      // Quads right of the seam use the duplicated uv column.
      const ci = i < mid ? i : i + 1;
      const t = j * uvCols + ci;
      triangles.set([a, a + 1, a + nx, a + 1, a + nx + 1, a + nx], o);
      uvTriangles.set([t, t + 1, t + uvCols, t + 1, t + uvCols + 1, t + uvCols], o);
      o += 6;
    }
  }
  return { positions, triangles, uvs, uvTriangles };
}

export const benches: BenchCase[] = [
  {
    name: 'core/write-obj-27k',
    targetMs: 20,
    setup: () => faceSizedMesh(),
    run: (mesh) => encodeObj(mesh as Mesh, { mtllib: 'face.mtl', materialName: 'face' }),
  },
  {
    name: 'core/parse-obj-27k',
    setup: () => encodeObj(faceSizedMesh()),
    run: (bytes) => parseObj(bytes as Uint8Array),
  },
  {
    name: 'core/write-glb-27k',
    // Includes the uv-seam split glTF needs; no morph targets.
    setup: () => faceSizedMesh(),
    run: (mesh) => encodeGlb(mesh as Mesh),
  },
];
