/**
 * CPU triangle rasterizer: z-buffer, triangle-id buffer and (perspective-correct) barycentrics.
 *
 * Input vertices are already in screen space (see `camera/camera.ts`): `u` to the right and `v` down in pixels,
 * the top-left pixel spanning [0, 1) x [0, 1) so its centre is (0.5, 0.5), and a positive depth where smaller
 * is nearer. Pixels are sampled at their centres.
 */

/**
 * Output buffers of {@link rasterize}, all row-major with row 0 at the top (pixel (x, y) at index
 * `p = y * width + x`):
 * - `triangleIds`: `Int32Array` W*H, the index of the triangle seen at the pixel centre, `-1` where empty.
 * - `depth`: `Float32Array` W*H, depth of the visible surface at the pixel centre (same units as the input
 *   depth), `Infinity` where empty.
 * - `barycentrics`: `Float32Array` W*H*3, the weights (b0, b1, b2) of the triangle's three corners, in the order
 *   they are listed in `triangles`, at `3 * p`. They sum to 1. Perspective-correct when the rasterizer ran with
 *   `perspective: true`. Zero where empty.
 *
 * Pass the same object back through {@link RasterizeOptions.buffers} to render again without allocating.
 */
export interface RasterBuffers {
  width: number;
  height: number;
  triangleIds: Int32Array;
  depth: Float32Array;
  barycentrics: Float32Array;
}

/** Options of {@link rasterize}. */
export interface RasterizeOptions {
  /**
   * Interpolate with perspective correction: barycentrics are weighted by 1/depth and the depth buffer holds
   * `1 / lerp(1/z)`, which is exact for a pinhole camera. Leave `false` (the default) for orthographic and
   * weak-perspective cameras, where depth and attributes are affine in screen space. With `true`, triangles
   * with a corner at depth <= 0 are skipped (there is no near-plane clipping).
   */
  perspective?: boolean;
  /** Skip triangles whose screen-space winding is not {@link RasterizeOptions.frontFace}. Default `false`. */
  cullBackFaces?: boolean;
  /**
   * Winding of front faces **as seen in the image** (u right, v down). Default `'cw'`: facekit meshes list
   * front faces counter-clockwise in their y-up frame, and every facekit camera flips y into the v-down image,
   * which turns counter-clockwise into clockwise. Use `'ccw'` for vertices from a y-down source that kept
   * their winding.
   */
  frontFace?: 'cw' | 'ccw';
  /** Buffers to render into (must match width and height); allocated when absent. */
  buffers?: RasterBuffers;
  /**
   * Reset the buffers before drawing (default `true`). Set `false` to draw a second mesh into the same
   * buffers with a shared depth test (triangle ids then refer to whichever list drew the pixel).
   */
  clear?: boolean;
}

/** Allocates empty raster buffers (ids -1, depth Infinity, barycentrics 0) for a width x height image. */
export function createRasterBuffers(width: number, height: number): RasterBuffers {
  checkSize(width, height);
  const n = width * height;
  const buffers: RasterBuffers = {
    width,
    height,
    triangleIds: new Int32Array(n),
    depth: new Float32Array(n),
    barycentrics: new Float32Array(n * 3),
  };
  clearRasterBuffers(buffers);
  return buffers;
}

/** Resets raster buffers to empty: ids -1, depth Infinity, barycentrics 0. */
export function clearRasterBuffers(buffers: RasterBuffers): void {
  buffers.triangleIds.fill(-1);
  buffers.depth.fill(Infinity);
  buffers.barycentrics.fill(0);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`raster size must be positive integers, got ${width} x ${height}`);
  }
}

// Vertices are snapped to 1/256 pixel. Snapped coordinates are integers, and every edge-function value and
// increment below is a product of two integers below 2^26, so doubles hold them exactly: shared edges are
// evaluated bit-identically from both sides, which is what makes the fill rule watertight.
const SUB = 256;
const HALF = SUB / 2;
// Coordinates beyond +-2^25 fixed-point units (131072 pixels) could make products exceed 2^53 and lose
// exactness; such triangles are skipped.
const MAX_FIXED = 2 ** 25;

/**
 * Rasterizes triangles given in screen space into triangle-id, depth and barycentric buffers.
 *
 * - `vertices`: `Float32Array` V x 3, `(u, v, depth)` per vertex: pixels with v down and pixel centres at
 *   integer + 0.5; depth positive, smaller is nearer.
 * - `triangles`: `Uint32Array` F x 3 vertex indices.
 *
 * A pixel belongs to a triangle when its centre is inside it; centres exactly on an edge follow the top-left
 * rule (a centre on a shared edge goes to exactly one of the two triangles), so a closed surface is drawn
 * with no gaps and no double hits. The nearest triangle wins; on equal depth the one listed first wins.
 * Degenerate (zero-area) and non-finite triangles, and triangles reaching beyond +-131072 pixels, are skipped.
 *
 * @returns the buffers (those of `options.buffers` when given), see {@link RasterBuffers}.
 */
export function rasterize(
  vertices: Float32Array,
  triangles: Uint32Array,
  width: number,
  height: number,
  options: RasterizeOptions = {},
): RasterBuffers {
  checkSize(width, height);
  if (vertices.length % 3 !== 0) throw new RangeError(`vertices has length ${vertices.length}, not a multiple of 3`);
  if (triangles.length % 3 !== 0) throw new RangeError(`triangles has length ${triangles.length}, not a multiple of 3`);
  let buf = options.buffers;
  if (buf) {
    if (buf.width !== width || buf.height !== height) {
      throw new RangeError(`options.buffers is ${buf.width} x ${buf.height} but the raster is ${width} x ${height}`);
    }
    if (options.clear !== false) clearRasterBuffers(buf);
  } else {
    buf = createRasterBuffers(width, height);
  }
  const ids = buf.triangleIds;
  const zbuf = buf.depth;
  const bary = buf.barycentrics;
  const persp = options.perspective === true;
  const cull = options.cullBackFaces === true;
  // In the v-down image a clockwise triangle has a negative signed area with the formula used below.
  const frontSign = (options.frontFace ?? 'cw') === 'cw' ? -1 : 1;
  const nv = vertices.length / 3;
  const nt = triangles.length / 3;
  const wMax = width - 1;
  const hMax = height - 1;

  for (let t = 0; t < nt; t++) {
    const a = triangles[3 * t];
    let b = triangles[3 * t + 1];
    let c = triangles[3 * t + 2];
    if (a >= nv || b >= nv || c >= nv) {
      throw new RangeError(`triangle ${t} references vertex ${Math.max(a, b, c)} but there are ${nv} vertices`);
    }
    let x0 = Math.round(vertices[3 * a] * SUB);
    let y0 = Math.round(vertices[3 * a + 1] * SUB);
    let x1 = Math.round(vertices[3 * b] * SUB);
    let y1 = Math.round(vertices[3 * b + 1] * SUB);
    let x2 = Math.round(vertices[3 * c] * SUB);
    let y2 = Math.round(vertices[3 * c + 1] * SUB);
    let area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    // `!(area !== 0)` also rejects NaN from non-finite input.
    if (!(area !== 0)) continue;
    if (cull && area * frontSign < 0) continue;
    let z0 = vertices[3 * a + 2];
    let z1 = vertices[3 * b + 2];
    let z2 = vertices[3 * c + 2];
    if (persp) {
      if (!(z0 > 0 && z1 > 0 && z2 > 0)) continue;
      // Interpolate 1/z, which is affine in screen space under perspective projection.
      z0 = 1 / z0;
      z1 = 1 / z1;
      z2 = 1 / z2;
    }
    // Make the local winding positive so that inside means all three edge functions >= 0; remember the swap
    // to write barycentrics back in the caller's corner order.
    const swapped = area < 0;
    if (swapped) {
      let tmp = x1; x1 = x2; x2 = tmp;
      tmp = y1; y1 = y2; y2 = tmp;
      tmp = z1; z1 = z2; z2 = tmp;
      tmp = b; b = c; c = tmp;
      area = -area;
    }
    const minFx = Math.min(x0, x1, x2);
    const maxFx = Math.max(x0, x1, x2);
    const minFy = Math.min(y0, y1, y2);
    const maxFy = Math.max(y0, y1, y2);
    if (!(maxFx < MAX_FIXED && maxFy < MAX_FIXED && minFx > -MAX_FIXED && minFy > -MAX_FIXED)) continue;
    // Pixel px is a candidate when its centre px*SUB + HALF lies within [min, max].
    const minX = Math.max(0, Math.ceil((minFx - HALF) / SUB));
    const maxX = Math.min(wMax, Math.floor((maxFx - HALF) / SUB));
    const minY = Math.max(0, Math.ceil((minFy - HALF) / SUB));
    const maxY = Math.min(hMax, Math.floor((maxFy - HALF) / SUB));
    if (minX > maxX || minY > maxY) continue;

    // Edge k is opposite corner k; E_ab(p) = (bx - ax)(py - ay) - (by - ay)(px - ax) is twice the area of
    // (a, b, p), positive on the inside.
    const px = minX * SUB + HALF;
    const py = minY * SUB + HALF;
    const e0x = x2 - x1, e0y = y2 - y1;
    const e1x = x0 - x2, e1y = y0 - y2;
    const e2x = x1 - x0, e2y = y1 - y0;
    let w0Row = e0x * (py - y1) - e0y * (px - x1);
    let w1Row = e1x * (py - y2) - e1y * (px - x2);
    let w2Row = e2x * (py - y0) - e2y * (px - x0);
    const sx0 = -e0y * SUB, sx1 = -e1y * SUB, sx2 = -e2y * SUB;
    const sy0 = e0x * SUB, sy1 = e1x * SUB, sy2 = e2x * SUB;
    // Top-left rule in a v-down image with positive winding: a left edge goes up (dy < 0), a top edge is
    // horizontal going right. Centres exactly on other edges are excluded; values are integers, so "> 0" is
    // ">= 1".
    const t0 = e0y < 0 || (e0y === 0 && e0x > 0) ? 0 : 1;
    const t1 = e1y < 0 || (e1y === 0 && e1x > 0) ? 0 : 1;
    const t2 = e2y < 0 || (e2y === 0 && e2x > 0) ? 0 : 1;

    const invArea = 1 / area;
    const dz1 = (z1 - z0) * invArea;
    const dz2 = (z2 - z0) * invArea;
    // Corner slots in the output: where local corners 1 and 2 go after a swap.
    const s1 = swapped ? 2 : 1;
    const s2 = swapped ? 1 : 2;

    for (let y = minY; y <= maxY; y++) {
      let w0 = w0Row, w1 = w1Row, w2 = w2Row;
      let p = y * width + minX;
      let entered = false;
      for (let x = minX; x <= maxX; x++, p++, w0 += sx0, w1 += sx1, w2 += sx2) {
        if (w0 >= t0 && w1 >= t1 && w2 >= t2) {
          entered = true;
          const q = z0 + w1 * dz1 + w2 * dz2;
          if (persp) {
            const zOld = zbuf[p];
            // q = 1/z > 0; q * zOld > 1 <=> z < zOld, without a division for rejected pixels.
            if (q * zOld > 1) {
              const z = 1 / q;
              zbuf[p] = z;
              ids[p] = t;
              const zi = z * invArea;
              const b1 = w1 * z1 * zi;
              const b2 = w2 * z2 * zi;
              const o = 3 * p;
              bary[o] = 1 - b1 - b2;
              bary[o + s1] = b1;
              bary[o + s2] = b2;
            }
          } else if (q < zbuf[p]) {
            zbuf[p] = q;
            ids[p] = t;
            const b1 = w1 * invArea;
            const b2 = w2 * invArea;
            const o = 3 * p;
            bary[o] = 1 - b1 - b2;
            bary[o + s1] = b1;
            bary[o + s2] = b2;
          }
        } else if (entered) {
          // Triangles are convex: once a row has left the triangle it will not re-enter.
          break;
        }
      }
      w0Row += sy0;
      w1Row += sy1;
      w2Row += sy2;
    }
  }
  return buf;
}
