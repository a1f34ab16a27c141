import type { RasterBuffers, RasterizeOptions } from './rasterize.js';

/** Options of {@link vertexVisibility}. */
export interface VisibilityOptions {
  /**
   * How far (in depth units) a vertex may lie behind the depth buffer and still count as visible; it absorbs
   * the difference between the vertex and the surface sampled at its pixel centre. Default: 1% of the range
   * of the vertices' depths.
   */
  tolerance?: number;
  /** Also require the vertex to belong to at least one front-facing triangle. Default `false`. */
  requireFrontFacing?: boolean;
  /** Front-face winding in the image, as in {@link RasterizeOptions.frontFace}. Default `'cw'`. */
  frontFace?: 'cw' | 'ccw';
  /** Output to write into (length V). */
  out?: Uint8Array;
}

/**
 * Per-vertex visibility against a rendered depth buffer.
 *
 * - `vertices`: `Float32Array` V x 3 screen-space `(u, v, depth)`, the same array the raster was drawn from.
 * - `triangles`: `Uint32Array` F x 3, the triangles the raster was drawn from.
 * - `raster`: the buffers from {@link rasterize}.
 *
 * A vertex is visible when it projects inside the image and, at the pixel that contains it, either nothing
 * was drawn, the triangle drawn there has this vertex as a corner, or its depth is at most the buffer's depth
 * plus the tolerance. With `requireFrontFacing` it must also be a corner of a front-facing triangle.
 *
 * @returns `Uint8Array` V, 1 = visible, 0 = hidden or outside the image.
 */
export function vertexVisibility(
  vertices: Float32Array,
  triangles: Uint32Array,
  raster: RasterBuffers,
  options: VisibilityOptions = {},
): Uint8Array {
  if (vertices.length % 3 !== 0) throw new RangeError(`vertices has length ${vertices.length}, not a multiple of 3`);
  const nv = vertices.length / 3;
  const out = options.out ?? new Uint8Array(nv);
  if (out.length !== nv) throw new RangeError(`options.out has length ${out.length}, expected ${nv}`);
  const { width, height, triangleIds: ids, depth } = raster;

  let tol = options.tolerance;
  if (tol === undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < nv; i++) {
      const z = vertices[3 * i + 2];
      if (z < lo) lo = z;
      if (z > hi) hi = z;
    }
    tol = hi > lo ? 0.01 * (hi - lo) : 1e-6 * Math.max(1, Math.abs(hi));
  }

  let facing: Uint8Array | null = null;
  if (options.requireFrontFacing) {
    facing = new Uint8Array(nv);
    const frontSign = (options.frontFace ?? 'cw') === 'cw' ? -1 : 1;
    const nt = triangles.length / 3;
    for (let t = 0; t < nt; t++) {
      const a = triangles[3 * t], b = triangles[3 * t + 1], c = triangles[3 * t + 2];
      const ax = vertices[3 * a], ay = vertices[3 * a + 1];
      const area = (vertices[3 * b] - ax) * (vertices[3 * c + 1] - ay) - (vertices[3 * b + 1] - ay) * (vertices[3 * c] - ax);
      if (area * frontSign > 0) {
        facing[a] = 1;
        facing[b] = 1;
        facing[c] = 1;
      }
    }
  }

  for (let i = 0; i < nv; i++) {
    out[i] = 0;
    if (facing && facing[i] === 0) continue;
    const u = vertices[3 * i];
    const v = vertices[3 * i + 1];
    // Negated comparisons so NaN counts as outside.
    if (!(u >= 0 && u < width && v >= 0 && v < height)) continue;
    const p = Math.floor(v) * width + Math.floor(u);
    const t = ids[p];
    if (t < 0) {
      out[i] = 1;
      continue;
    }
    if (triangles[3 * t] === i || triangles[3 * t + 1] === i || triangles[3 * t + 2] === i) {
      out[i] = 1;
      continue;
    }
    if (vertices[3 * i + 2] <= depth[p] + tol) out[i] = 1;
  }
  return out;
}
