import type { Mesh } from '../mesh/mesh.js';
import type { Image, ImageF32 } from '../image/image.js';
import { sampleBilinear } from '../image/sample.js';
import { rasterize, type RasterBuffers } from './rasterize.js';
import { coverageMask, interpolateAttributes } from './interpolate.js';

/** The parts of a mesh that UV-space rendering reads. */
export type UVMesh = Pick<Mesh, 'triangles' | 'uvs' | 'uvTriangles'>;

/**
 * Screen-space vertices of a mesh's UV layout in an N x N texture: `Float32Array` T x 3 with
 * `(u * N, (1 - v) * N, 1)` per texture coordinate. UVs have v up, image rows go down, hence the flip; texel
 * (i, j) is centred on uv `((i + 0.5) / N, 1 - (j + 0.5) / N)`.
 */
export function uvLayoutVertices(uvs: Float32Array, size: number, out?: Float32Array): Float32Array {
  if (uvs.length % 2 !== 0) throw new RangeError(`uvs has length ${uvs.length}, not a multiple of 2`);
  const n = uvs.length / 2;
  const v = out ?? new Float32Array(n * 3);
  if (v.length !== n * 3) throw new RangeError(`out has length ${v.length}, expected ${n * 3}`);
  for (let i = 0; i < n; i++) {
    v[3 * i] = uvs[2 * i] * size;
    v[3 * i + 1] = (1 - uvs[2 * i + 1]) * size;
    v[3 * i + 2] = 1;
  }
  return v;
}

/** Options of {@link rasterizeUV}. */
export interface RasterizeUVOptions {
  /** Buffers to reuse (size x size). */
  buffers?: RasterBuffers;
}

/**
 * Rasterizes a mesh's UV layout into an N x N texture (`size` = N). Uses `uvTriangles` as indices into `uvs`
 * when present, else `triangles` (per-vertex UVs). No culling; where UV islands overlap the triangle listed
 * first wins. Triangle ids and barycentric corner order match `mesh.triangles`, so per-vertex data can be
 * interpolated with {@link interpolateAttributes}`(raster, mesh.triangles, ...)`.
 */
export function rasterizeUV(mesh: UVMesh, size: number, options: RasterizeUVOptions = {}): RasterBuffers {
  if (!mesh.uvs) throw new RangeError('the mesh has no uvs; UV-space rendering needs a UV layout');
  const tris = mesh.uvTriangles ?? mesh.triangles;
  const verts = uvLayoutVertices(mesh.uvs, size);
  return rasterize(verts, tris, size, size, { buffers: options.buffers });
}

/** A baked UV texture with arbitrary channel count. */
export interface UVBake {
  /** Texture side N (the texture is N x N). */
  size: number;
  channels: number;
  /** `Float32Array` N*N*C, row-major, channel-interleaved, row 0 = v near 1. */
  data: Float32Array;
  /** `Uint8Array` N*N, 1 where a triangle covers the texel centre. */
  mask: Uint8Array;
}

/** Options of {@link bakeVertexAttributesToUV}. */
export interface BakeOptions {
  /** A raster of the UV layout from {@link rasterizeUV} at the same size, to skip rasterizing again. */
  raster?: RasterBuffers;
  /** Value of uncovered texels (default 0). */
  background?: number | ArrayLike<number>;
}

/**
 * Bakes per-vertex attributes (`Float32Array` V x C, e.g. positions, normals or colours) into an N x N UV
 * texture by interpolating them across the UV layout.
 */
export function bakeVertexAttributesToUV(
  mesh: UVMesh,
  attributes: Float32Array,
  channels: number,
  size: number,
  options: BakeOptions = {},
): UVBake {
  const raster = checkedRaster(mesh, size, options.raster);
  const data = interpolateAttributes(raster, mesh.triangles, attributes, channels, { background: options.background ?? 0 });
  return { size, channels, data, mask: coverageMask(raster) };
}

/** Options of {@link sampleImageToUV}. */
export interface SampleToUVOptions {
  /** A raster of the UV layout from {@link rasterizeUV} at the same size. */
  raster?: RasterBuffers;
  /** `Uint8Array` V: texels of triangles with a corner marked 0 are left out of the mask (and not sampled). */
  vertexVisible?: Uint8Array;
  /**
   * Per-texel occlusion test: the image-space raster the mesh was drawn into. Needs `imagePoints` with depth
   * (V x 3); a texel is kept only when its interpolated depth is at most the depth buffer at its image pixel
   * plus `depthTolerance`.
   */
  imageRaster?: RasterBuffers;
  /** Depth tolerance of the `imageRaster` test, in depth units. Default 1% of the vertices' depth range. */
  depthTolerance?: number;
  /** Value of texels outside the mask (default 0). */
  background?: number;
}

/**
 * Samples an image into an N x N UV texture (texture unwrapping): each covered texel interpolates its image
 * position from the per-vertex `imagePoints` and reads the image there with bilinear filtering
 * (clamp-to-edge, u8 values scaled to [0, 1]).
 *
 * - `mesh`: needs `positions` (for the vertex count), `triangles` and a UV layout.
 * - `image`: any channel count; the texture gets the same channels.
 * - `imagePoints`: `Float32Array` V x 2 `(u, v)` pixels, or V x 3 `(u, v, depth)` (screen-space vertices as
 *   given to {@link rasterize}); the stride is inferred from the length.
 *
 * @returns the texture as an `ImageF32` in [0, 1] and a `Uint8Array` N*N mask of texels that were sampled.
 */
export function sampleImageToUV(
  mesh: UVMesh & Pick<Mesh, 'positions'>,
  image: Image,
  imagePoints: Float32Array,
  size: number,
  options: SampleToUVOptions = {},
): { texture: ImageF32; mask: Uint8Array } {
  const nv = mesh.positions.length / 3;
  const stride = imagePoints.length / nv;
  if (stride !== 2 && stride !== 3) {
    throw new RangeError(`imagePoints has length ${imagePoints.length}; expected ${nv} vertices x 2 or x 3`);
  }
  const visible = options.vertexVisible;
  if (visible && visible.length !== nv) throw new RangeError(`vertexVisible has length ${visible.length}, expected ${nv}`);
  const imageRaster = options.imageRaster;
  if (imageRaster) {
    if (stride !== 3) throw new RangeError('options.imageRaster needs imagePoints with depth (V x 3)');
    if (imageRaster.width !== image.width || imageRaster.height !== image.height) {
      throw new RangeError('options.imageRaster must have the size of the image');
    }
  }
  let tol = options.depthTolerance ?? 0;
  if (imageRaster && options.depthTolerance === undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < nv; i++) {
      const z = imagePoints[3 * i + 2];
      if (z < lo) lo = z;
      if (z > hi) hi = z;
    }
    tol = hi > lo ? 0.01 * (hi - lo) : 1e-6 * Math.max(1, Math.abs(hi));
  }
  const raster = checkedRaster(mesh, size, options.raster);
  const C = image.channels;
  const n = size * size;
  const data = new Float32Array(n * C);
  const mask = new Uint8Array(n);
  const bg = options.background ?? 0;
  if (bg !== 0) data.fill(bg);
  const { triangleIds: ids, barycentrics: bary } = raster;
  const tris = mesh.triangles;
  const iw = image.width;
  for (let p = 0; p < n; p++) {
    const t = ids[p];
    if (t < 0) continue;
    const a = tris[3 * t], b = tris[3 * t + 1], c = tris[3 * t + 2];
    if (visible && (visible[a] === 0 || visible[b] === 0 || visible[c] === 0)) continue;
    const b0 = bary[3 * p], b1 = bary[3 * p + 1], b2 = bary[3 * p + 2];
    const x = b0 * imagePoints[stride * a] + b1 * imagePoints[stride * b] + b2 * imagePoints[stride * c];
    const y = b0 * imagePoints[stride * a + 1] + b1 * imagePoints[stride * b + 1] + b2 * imagePoints[stride * c + 1];
    if (imageRaster) {
      if (!(x >= 0 && x < iw && y >= 0 && y < image.height)) continue;
      const z = b0 * imagePoints[3 * a + 2] + b1 * imagePoints[3 * b + 2] + b2 * imagePoints[3 * c + 2];
      if (z > imageRaster.depth[Math.floor(y) * iw + Math.floor(x)] + tol) continue;
    }
    sampleBilinear(image, x, y, data, p * C);
    mask[p] = 1;
  }
  return { texture: { width: size, height: size, channels: C, data }, mask };
}

function checkedRaster(mesh: UVMesh, size: number, raster: RasterBuffers | undefined): RasterBuffers {
  if (!raster) return rasterizeUV(mesh, size);
  if (raster.width !== size || raster.height !== size) {
    throw new RangeError(`options.raster is ${raster.width} x ${raster.height}, expected ${size} x ${size}`);
  }
  return raster;
}
