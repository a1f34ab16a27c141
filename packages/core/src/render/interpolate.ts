import type { RasterBuffers } from './rasterize.js';

/** Options of {@link interpolateAttributes}. */
export interface InterpolateOptions {
  /** Output to write into, W*H*C; allocated when absent. */
  out?: Float32Array;
  /**
   * Value written to empty pixels: one number for every channel or one per channel. Default 0. Set `null`
   * to leave empty pixels of `out` untouched (e.g. to keep a background already in it).
   */
  background?: number | ArrayLike<number> | null;
}

/**
 * Interpolates per-vertex attributes across the rendered triangles using the raster's barycentrics.
 *
 * - `raster`: from {@link rasterize} (or {@link rasterizeUV}).
 * - `triangles`: `Uint32Array` F x 3 indices into `attributes`, one per triangle corner, in the same triangle
 *   order and corner order the raster was drawn with. Usually the mesh's `triangles`; pass `uvTriangles`
 *   (with `uvs` as attributes) for attributes that are split at seams.
 * - `attributes`: `Float32Array` N x C, channel-interleaved.
 * - `channels`: C, any positive integer.
 *
 * @returns `Float32Array` W*H*C, row-major, channel-interleaved (the layout of an `ImageF32`'s data).
 */
export function interpolateAttributes(
  raster: RasterBuffers,
  triangles: Uint32Array,
  attributes: Float32Array,
  channels: number,
  options: InterpolateOptions = {},
): Float32Array {
  const C = channels;
  if (!Number.isInteger(C) || C <= 0) throw new RangeError(`channels must be a positive integer, got ${C}`);
  if (attributes.length % C !== 0) {
    throw new RangeError(`attributes has length ${attributes.length}, not a multiple of ${C} channels`);
  }
  const n = raster.width * raster.height;
  const out = options.out ?? new Float32Array(n * C);
  if (out.length !== n * C) throw new RangeError(`options.out has length ${out.length}, expected ${n * C}`);
  const ids = raster.triangleIds;
  const bary = raster.barycentrics;
  const na = attributes.length / C;
  const nt = triangles.length / 3;
  const bg = options.background === undefined ? 0 : options.background;
  const bgScalar = typeof bg === 'number' ? bg : 0;
  const bgArray = bg !== null && typeof bg !== 'number' ? bg : null;
  if (bgArray && bgArray.length < C) throw new RangeError(`options.background has ${bgArray.length} values, expected ${C}`);
  const fillEmpty = bg !== null;

  for (let p = 0; p < n; p++) {
    const t = ids[p];
    const o = p * C;
    if (t < 0) {
      if (fillEmpty) {
        if (bgArray) for (let c = 0; c < C; c++) out[o + c] = bgArray[c];
        else for (let c = 0; c < C; c++) out[o + c] = bgScalar;
      }
      continue;
    }
    if (t >= nt) throw new RangeError(`raster holds triangle ${t} but only ${nt} triangles were given`);
    const ia = triangles[3 * t];
    const ib = triangles[3 * t + 1];
    const ic = triangles[3 * t + 2];
    if (ia >= na || ib >= na || ic >= na) {
      throw new RangeError(`triangle ${t} references attribute ${Math.max(ia, ib, ic)} but there are ${na}`);
    }
    const b0 = bary[3 * p];
    const b1 = bary[3 * p + 1];
    const b2 = bary[3 * p + 2];
    const a0 = ia * C, a1 = ib * C, a2 = ic * C;
    for (let c = 0; c < C; c++) {
      out[o + c] = b0 * attributes[a0 + c] + b1 * attributes[a1 + c] + b2 * attributes[a2 + c];
    }
  }
  return out;
}

/** Coverage of a raster as a `Uint8Array` W*H mask: 1 where a triangle was drawn, 0 where empty. */
export function coverageMask(raster: RasterBuffers, out?: Uint8Array): Uint8Array {
  const ids = raster.triangleIds;
  const mask = out ?? new Uint8Array(ids.length);
  if (mask.length !== ids.length) throw new RangeError(`out has length ${mask.length}, expected ${ids.length}`);
  for (let p = 0; p < ids.length; p++) mask[p] = ids[p] >= 0 ? 1 : 0;
  return mask;
}
