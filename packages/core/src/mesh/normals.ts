/**
 * Face and vertex normals of triangle meshes held in flat typed arrays.
 * @module
 */

/**
 * Unit normal of every triangle, F x 3 (xyz interleaved), following the counter-clockwise winding of
 * `triangles` (right-hand rule). Degenerate (zero-area) triangles get the zero vector rather than NaN so that
 * downstream sums stay finite.
 *
 * @param positions V x 3 vertex positions.
 * @param triangles F x 3 vertex indices.
 * @param out optional F x 3 output buffer (reused to avoid allocation on hot paths).
 * @returns `out` (or a new array) holding F x 3 unit normals.
 */
export function computeFaceNormals(positions: Float32Array, triangles: Uint32Array, out?: Float32Array): Float32Array {
  const nf = triangles.length / 3;
  const res = out ?? new Float32Array(nf * 3);
  if (res.length < nf * 3) throw new RangeError(`out has length ${res.length}, need ${nf * 3} (F x 3)`);
  for (let f = 0; f < nf; f++) {
    const a = triangles[3 * f] * 3;
    const b = triangles[3 * f + 1] * 3;
    const c = triangles[3 * f + 2] * 3;
    const e1x = positions[b] - positions[a];
    const e1y = positions[b + 1] - positions[a + 1];
    const e1z = positions[b + 2] - positions[a + 2];
    const e2x = positions[c] - positions[a];
    const e2y = positions[c + 1] - positions[a + 1];
    const e2z = positions[c + 2] - positions[a + 2];
    const nx = e1y * e2z - e1z * e2y;
    const ny = e1z * e2x - e1x * e2z;
    const nz = e1x * e2y - e1y * e2x;
    const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
    const inv = len > 0 ? 1 / len : 0;
    res[3 * f] = nx * inv;
    res[3 * f + 1] = ny * inv;
    res[3 * f + 2] = nz * inv;
  }
  return res;
}

/**
 * Area-weighted unit vertex normals, V x 3: each vertex accumulates the unnormalised cross products
 * `(b - a) x (c - a)` (twice the area times the unit normal) of its incident triangles, then the sum is
 * normalised. Area weighting keeps tiny sliver triangles from tilting the normal. A vertex whose sum is zero
 * (isolated vertex, only degenerate triangles) gets the zero vector, never NaN.
 *
 * Accumulation is done in float64 scratch space because float32 sums of many nearly cancelling
 * cross products lose precision on dense meshes.
 *
 * @param positions V x 3 vertex positions.
 * @param triangles F x 3 vertex indices, counter-clockwise seen from the front.
 * @param out optional V x 3 output buffer.
 * @returns `out` (or a new array) holding V x 3 unit normals.
 */
export function computeVertexNormals(positions: Float32Array, triangles: Uint32Array, out?: Float32Array): Float32Array {
  const nv3 = positions.length;
  const res = out ?? new Float32Array(nv3);
  if (res.length < nv3) throw new RangeError(`out has length ${res.length}, need ${nv3} (V x 3)`);
  const acc = new Float64Array(nv3);
  const nf = triangles.length / 3;
  for (let f = 0; f < nf; f++) {
    const a = triangles[3 * f] * 3;
    const b = triangles[3 * f + 1] * 3;
    const c = triangles[3 * f + 2] * 3;
    const e1x = positions[b] - positions[a];
    const e1y = positions[b + 1] - positions[a + 1];
    const e1z = positions[b + 2] - positions[a + 2];
    const e2x = positions[c] - positions[a];
    const e2y = positions[c + 1] - positions[a + 1];
    const e2z = positions[c + 2] - positions[a + 2];
    const nx = e1y * e2z - e1z * e2y;
    const ny = e1z * e2x - e1x * e2z;
    const nz = e1x * e2y - e1y * e2x;
    acc[a] += nx; acc[a + 1] += ny; acc[a + 2] += nz;
    acc[b] += nx; acc[b + 1] += ny; acc[b + 2] += nz;
    acc[c] += nx; acc[c + 1] += ny; acc[c + 2] += nz;
  }
  for (let i = 0; i < nv3; i += 3) {
    const x = acc[i], y = acc[i + 1], z = acc[i + 2];
    const len = Math.sqrt(x * x + y * y + z * z);
    const inv = len > 0 ? 1 / len : 0;
    res[i] = x * inv;
    res[i + 1] = y * inv;
    res[i + 2] = z * inv;
  }
  return res;
}
