/**
 * CPU triangle rasterizer: z-buffer, triangle-id buffer and (perspective-correct) barycentrics.
 *
 * Input vertices are already in screen space (see `camera/camera.ts`): `u` to the right and `v` down in pixels,
 * the top-left pixel spanning [0, 1) x [0, 1) so its centre is (0.5, 0.5), and a positive depth where smaller
 * is nearer. Pixels are sampled at their centres.
 */

import { RASTER_WASM_BASE64 } from './raster-wasm-bytes.js';
import { compileEmbeddedWasm } from '../kernels/wasm-module.js';

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
   * Winding of front faces in pixel coordinates, by the sign of the signed area
   * `A = (u1 - u0)(v2 - v0) - (v1 - v0)(u2 - u0)`: `'cw'` means `A < 0`, `'ccw'` means `A > 0` (clockwise and
   * counter-clockwise when (u, v) are read as ordinary x/y axes). Default `'cw'`: facekit meshes list front
   * faces counter-clockwise in their y-up frame, and every facekit camera maps y up to v down, a reflection
   * that flips the sign of A — counter-clockwise in the mesh frame becomes clockwise in (u, v). (On screen,
   * where v is drawn downwards, the triangle still looks counter-clockwise.)
   */
  frontFace?: 'cw' | 'ccw';
  /** Buffers to render into (must match width and height; previous content is discarded); allocated when absent. */
  buffers?: RasterBuffers;
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
// Multiplying by the exact power-of-two reciprocal is cheaper than dividing and gives the same result.
const INV_SUB = 1 / SUB;
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
 * Vertex positions are snapped to 1/256 pixel. A pixel belongs to a triangle when its centre is inside the
 * snapped triangle; centres exactly on an edge follow the top-left rule (a centre on a shared edge goes to
 * exactly one of the two triangles), so a closed surface is drawn with no gaps and no double hits. The
 * nearest triangle wins (the depth test runs at 2^-28 of the mesh's depth range); on equal depth the one
 * listed first wins. Degenerate (zero-area) triangles, triangles with a non-finite coordinate, and triangles
 * reaching beyond +-131072 pixels are skipped.
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
  if (buf && (buf.width !== width || buf.height !== height)) {
    throw new RangeError(`options.buffers is ${buf.width} x ${buf.height} but the raster is ${width} x ${height}`);
  }
  const persp = options.perspective === true;
  const cull = options.cullBackFaces === true;
  // In the v-down image a clockwise triangle has a negative signed area with the formula used below.
  const frontSign = (options.frontFace ?? 'cw') === 'cw' ? -1 : 1;
  const nv = vertices.length / 3;
  const nt = triangles.length / 3;
  const wasm = rasterWasm();
  // The wasm path checks the indices itself, once they are in its memory.
  const done = wasm && rasterizeWasm(wasm, vertices, triangles, nv, nt, width, height, persp, cull, frontSign, buf);
  if (done) return done;
  checkIndices(triangles, nv);
  if (buf) clearRasterBuffers(buf);
  else buf = createRasterBuffers(width, height);
  const vs = scratchVertices(nv * 3);
  const range = prepareVertices(vertices, nv, persp, vs);
  // The z-test runs on integer keys (the key range mapped to [0, 2^28]) so that it can be written without
  // branches: a mispredicted branch costs more than the rest of a pixel's work, and whether a pixel passes
  // the depth test is unpredictable.
  const kMin = range[0];
  const kSpan = range[1] - range[0];
  const kScale = kSpan > 0 && kSpan < Infinity ? KEY_RANGE / kSpan : 0;
  const zq = scratchKeys(width * height);
  zq.fill(EMPTY_KEY);
  const ts = scratchTriangles(nt * TRI_STRIDE);
  drawTriangles(vs, triangles, nt, width, height, cull, frontSign, persp, kMin, kScale, buf.triangleIds, zq, ts);
  resolve(buf, ts, persp);
  return buf;
}

function checkIndices(triangles: Uint32Array, nv: number): void {
  for (let i = 0; i < triangles.length; i++) {
    if (triangles[i] >= nv) indexError(triangles, i, nv);
  }
}

function indexError(triangles: Uint32Array, i: number, nv: number): never {
  throw new RangeError(`triangles[${i}] = ${triangles[i]} but there are ${nv} vertices`);
}

const keyRange = new Float64Array(2);

/**
 * Per-vertex setup once instead of once per incident triangle: fixed-point position and a depth key that is
 * affine in screen space (z, or -1/z under perspective; smaller is nearer in both). Returns [min, max] key.
 */
function prepareVertices(vertices: ArrayLike<number>, nv: number, persp: boolean, vs: Float64Array): Float64Array {
  let kMin = Infinity;
  let kMax = -Infinity;
  for (let i = 0; i < nv; i++) {
    const z = vertices[3 * i + 2];
    const key = persp ? (z > 0 ? -1 / z : NaN) : z;
    vs[3 * i] = Math.round(vertices[3 * i] * SUB);
    vs[3 * i + 1] = Math.round(vertices[3 * i + 1] * SUB);
    vs[3 * i + 2] = key;
    // Only finite keys set the range: one vertex at infinite depth must not flatten everyone's z-test.
    if (key - key === 0) {
      if (key < kMin) kMin = key;
      if (key > kMax) kMax = key;
    }
  }
  keyRange[0] = kMin;
  keyRange[1] = kMax;
  return keyRange;
}

const KEY_RANGE = 2 ** 28;
const EMPTY_KEY = 2 ** 29;

// Per-triangle data for the resolve pass: three planes (A x + B y + C in pixels), see drawTriangles.
const TRI_STRIDE = 9;

// Scratch arrays reused across calls (grown on demand); one set per module instance, i.e. per thread.
let vertexScratch = new Float64Array(0);
let keyScratch = new Int32Array(0);
// The per-triangle planes are a plain JS array with packed double elements, not a Float64Array: the resolve
// pass reads nine of them per pixel, and once any ArrayBuffer in the process has been detached (every
// `WebAssembly.Memory.grow` does that, so does transferring a buffer) V8 drops a process-wide assumption and
// every optimised typed-array access from then on also checks whether its buffer was detached. Packed JS
// arrays have no buffer to check. Built by `push` so that it stays packed (no hole checks) with double
// elements (0.5 is not a small integer) from the start.
let triangleScratch: number[] = [0.5];

function scratchVertices(n: number): Float64Array {
  if (vertexScratch.length < n) vertexScratch = new Float64Array(n);
  return vertexScratch;
}

function scratchKeys(n: number): Int32Array {
  if (keyScratch.length !== n) keyScratch = new Int32Array(n);
  return keyScratch;
}

function scratchTriangles(n: number): number[] {
  if (triangleScratch.length < n) {
    const a: number[] = [];
    for (let i = 0; i < n; i++) a.push(0.5);
    triangleScratch = a;
  }
  return triangleScratch;
}

/** The z-buffer pass: writes triangle ids and quantised depth keys; barycentrics come later, once per pixel. */
function drawTriangles(
  vs: Float64Array,
  triangles: Uint32Array,
  nt: number,
  width: number,
  height: number,
  cull: boolean,
  frontSign: number,
  persp: boolean,
  kMin: number,
  kScale: number,
  ids: Int32Array,
  zq: Int32Array,
  ts: number[],
): void {
  const wMax = width - 1;
  const hMax = height - 1;
  for (let t = 0; t < nt; t++) {
    const ia = 3 * triangles[3 * t];
    const ib = 3 * triangles[3 * t + 1];
    const ic = 3 * triangles[3 * t + 2];
    const x0 = vs[ia], y0 = vs[ia + 1];
    let x1 = vs[ib], y1 = vs[ib + 1];
    let x2 = vs[ic], y2 = vs[ic + 1];
    const sArea = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    // `!(sArea !== 0)` also rejects NaN from non-finite input.
    if (!(sArea !== 0)) continue;
    if (cull && sArea * frontSign < 0) continue;
    const z0 = vs[ia + 2];
    let z1 = vs[ib + 2];
    let z2 = vs[ic + 2];
    // Non-finite keys (NaN marks a vertex behind the camera under perspective) skip the triangle.
    if (!(z0 - z0 === 0 && z1 - z1 === 0 && z2 - z2 === 0)) continue;
    const minFx = x0 < x1 ? (x0 < x2 ? x0 : x2) : x1 < x2 ? x1 : x2;
    const maxFx = x0 > x1 ? (x0 > x2 ? x0 : x2) : x1 > x2 ? x1 : x2;
    const minFy = y0 < y1 ? (y0 < y2 ? y0 : y2) : y1 < y2 ? y1 : y2;
    const maxFy = y0 > y1 ? (y0 > y2 ? y0 : y2) : y1 > y2 ? y1 : y2;
    if (!(maxFx < MAX_FIXED && maxFy < MAX_FIXED && minFx > -MAX_FIXED && minFy > -MAX_FIXED)) continue;
    // Pixel px is a candidate when its centre px*SUB + HALF lies within [min, max].
    const minX = Math.max(0, Math.ceil((minFx - HALF) * INV_SUB));
    const maxX = Math.min(wMax, Math.floor((maxFx - HALF) * INV_SUB));
    const minY = Math.max(0, Math.ceil((minFy - HALF) * INV_SUB));
    const maxY = Math.min(hMax, Math.floor((maxFy - HALF) * INV_SUB));
    if (minX > maxX || minY > maxY) continue;

    // Planes for the resolve pass (pixel units, caller's corner order): barycentrics b1 and b2 scaled by
    // s1 and s2, and the key k0 + (k1 - k0) b1 + (k2 - k0) b2. Under perspective s_i = k_i, so the resolve
    // reads b_i k_i and sum_j b_j k_j directly and divides once; otherwise s_i = 1 and the key is the depth.
    const inv = SUB / sArea;
    const u0 = x0 * INV_SUB, v0 = y0 * INV_SUB;
    const a1 = (y2 - y0) * inv, c1 = -(x2 - x0) * inv, d1 = -(a1 * u0 + c1 * v0);
    const a2 = -(y1 - y0) * inv, c2 = (x1 - x0) * inv, d2 = -(a2 * u0 + c2 * v0);
    const s1 = persp ? z1 : 1;
    const s2 = persp ? z2 : 1;
    const dk1 = z1 - z0, dk2 = z2 - z0;
    const o = t * TRI_STRIDE;
    ts[o] = a1 * s1;
    ts[o + 1] = c1 * s1;
    ts[o + 2] = d1 * s1;
    ts[o + 3] = a2 * s2;
    ts[o + 4] = c2 * s2;
    ts[o + 5] = d2 * s2;
    ts[o + 6] = dk1 * a1 + dk2 * a2;
    ts[o + 7] = dk1 * c1 + dk2 * c2;
    ts[o + 8] = z0 + dk1 * d1 + dk2 * d2;

    // Make the local winding positive so that inside means all three edge functions >= 0.
    let area = sArea;
    if (area < 0) {
      let tmp = x1; x1 = x2; x2 = tmp;
      tmp = y1; y1 = y2; y2 = tmp;
      tmp = z1; z1 = z2; z2 = tmp;
      area = -area;
    }
    // Edge k is opposite corner k; E_ab(p) = (bx - ax)(py - ay) - (by - ay)(px - ax) is twice the area of
    // (a, b, p), positive on the inside. Values at the first candidate pixel, and steps per pixel.
    const px = minX * SUB + HALF;
    const py = minY * SUB + HALF;
    const e0x = x2 - x1, e0y = y2 - y1;
    const e1x = x0 - x2, e1y = y0 - y2;
    const e2x = x1 - x0, e2y = y1 - y0;
    // Top-left rule in a v-down image with positive winding: a left edge goes up (dy < 0), a top edge is
    // horizontal going right. Centres exactly on other edges are excluded; values are integers, so "> 0" is
    // ">= 1", and subtracting the threshold makes "inside" mean "all three >= 0".
    const w0 = e0x * (py - y1) - e0y * (px - x1) - (e0y < 0 || (e0y === 0 && e0x > 0) ? 0 : 1);
    const w1 = e1x * (py - y2) - e1y * (px - x2) - (e1y < 0 || (e1y === 0 && e1x > 0) ? 0 : 1);
    const w2 = e2x * (py - y0) - e2y * (px - x0) - (e2y < 0 || (e2y === 0 && e2x > 0) ? 0 : 1);
    const sx0 = -e0y * SUB, sx1 = -e1y * SUB, sx2 = -e2y * SUB;
    const sy0 = e0x * SUB, sy1 = e1x * SUB, sy2 = e2x * SUB;
    // Quantised depth key, affine in the edge values (the threshold offsets are negligible here).
    const kArea = kScale / area;
    const dz1 = (z1 - z0) * kArea;
    const dz2 = (z2 - z0) * kArea;
    const key = (z0 - kMin) * kScale + w1 * dz1 + w2 * dz2;
    const kx = sx1 * dz1 + sx2 * dz2;
    const ky = sy1 * dz1 + sy2 * dz2;
    const spanX = maxX - minX;
    const spanY = maxY - minY;
    // The affine key is extreme at the box corners; outside the triangle it may run far out of range.
    const kFar = key + (kx > 0 ? kx * spanX : 0) + (ky > 0 ? ky * spanY : 0);
    const kNear = key + (kx < 0 ? kx * spanX : 0) + (ky < 0 ? ky * spanY : 0);
    if (maxFx - minFx < SMALL && maxFy - minFy < SMALL && kFar < KEY_LIMIT && kNear > -KEY_LIMIT) {
      drawSmall(t, width, minX, minY, spanX, spanY, w0, w1, w2, sx0, sx1, sx2, sy0, sy1, sy2, key, kx, ky, ids, zq);
    } else {
      drawLarge(t, width, minX, minY, spanX, spanY, w0, w1, w2, sx0, sx1, sx2, sy0, sy1, sy2, key, kx, ky, ids, zq);
    }
  }
}

// Triangles whose box spans fewer than 64 pixels each way: edge values then stay below 2^30 and fit int32.
const SMALL = 64 * SUB;
const KEY_LIMIT = 2 ** 30;

/**
 * Small triangles (the bulk of a dense mesh): every pixel of the bounding box, without branches, in int32
 * arithmetic. Coverage and the depth test become a bit mask, because on current CPUs a mispredicted branch
 * costs more than a pixel's arithmetic, and for pixels of small triangles both tests are unpredictable.
 */
function drawSmall(
  t: number, width: number, minX: number, minY: number, spanX: number, spanY: number,
  w0f: number, w1f: number, w2f: number,
  sx0f: number, sx1f: number, sx2f: number, sy0f: number, sy1f: number, sy2f: number,
  key: number, kx: number, ky: number, ids: Int32Array, zq: Int32Array,
): void {
  const cols = spanX + 1;
  const n = cols * (spanY + 1);
  const sx0 = sx0f | 0, sx1 = sx1f | 0, sx2 = sx2f | 0;
  // One flat loop over the box: the step to the next row is added through a mask instead of ending an
  // inner loop, whose exit (a few pixels long, a different count per triangle) would mispredict every row.
  const j0 = (sy0f - cols * sx0f) | 0, j1 = (sy1f - cols * sx1f) | 0, j2 = (sy2f - cols * sx2f) | 0;
  const jp = width - cols;
  let w0 = w0f | 0, w1 = w1f | 0, w2 = w2f | 0;
  let p = minY * width + minX;
  let col = 0;
  let row = 0;
  for (let i = 0; i < n; i++) {
    const keep = ~((w0 | w1 | w2) >> 31);
    // The key of pixel (col, row) is (key + row ky) + col kx, as the WebAssembly kernel computes it.
    const kq = (key + row * ky + col * kx) | 0;
    const old = zq[p];
    const m = keep & -(kq < old);
    zq[p] = old ^ ((old ^ kq) & m);
    const id = ids[p];
    ids[p] = id ^ ((id ^ t) & m);
    col++;
    const wrapBit = +(col === cols);
    const wrap = -wrapBit;
    col &= ~wrap;
    w0 = (w0 + sx0 + (j0 & wrap)) | 0;
    w1 = (w1 + sx1 + (j1 & wrap)) | 0;
    w2 = (w2 + sx2 + (j2 & wrap)) | 0;
    p += 1 + (jp & wrap);
    row += wrapBit;
  }
}

/**
 * Large triangles: per row, the covered span is solved from the edges (a reciprocal estimate corrected with
 * exact integer products, all below 2^53), then filled with a plain depth test; long spans keep branches
 * predictable.
 */
function drawLarge(
  t: number, width: number, minX: number, minY: number, spanX: number, spanY: number,
  w0Row: number, w1Row: number, w2Row: number,
  sx0: number, sx1: number, sx2: number, sy0: number, sy1: number, sy2: number,
  key: number, kx: number, ky: number, ids: Int32Array, zq: Int32Array,
): void {
  const i0 = 1 / sx0, i1 = 1 / sx1, i2 = 1 / sx2;
  for (let y = 0; y <= spanY; y++, w0Row += sy0, w1Row += sy1, w2Row += sy2) {
    let lo = 0;
    let hi = spanX;
    if (sx0 > 0) lo = Math.max(lo, spanStart(w0Row, sx0, i0));
    else if (sx0 < 0) hi = Math.min(hi, spanEnd(w0Row, sx0, i0));
    else if (w0Row < 0) continue;
    if (sx1 > 0) lo = Math.max(lo, spanStart(w1Row, sx1, i1));
    else if (sx1 < 0) hi = Math.min(hi, spanEnd(w1Row, sx1, i1));
    else if (w1Row < 0) continue;
    if (sx2 > 0) lo = Math.max(lo, spanStart(w2Row, sx2, i2));
    else if (sx2 < 0) hi = Math.min(hi, spanEnd(w2Row, sx2, i2));
    else if (w2Row < 0) continue;
    const rowStart = (minY + y) * width + minX;
    let k = key + y * ky + lo * kx;
    for (let p = rowStart + lo, pEnd = rowStart + hi; p <= pEnd; p++, k += kx) {
      // Inside the triangle the key lies in [0, KEY_RANGE] up to rounding, so `| 0` is exact truncation.
      const kq = k | 0;
      if (kq < zq[p]) {
        zq[p] = kq;
        ids[p] = t;
      }
    }
  }
}

/** Smallest k >= -2^31 with w + k * sx >= 0, for sx > 0 (exact). */
function spanStart(w: number, sx: number, inv: number): number {
  let k = Math.ceil(-w * inv);
  if (w + (k - 1) * sx >= 0) k--;
  else if (w + k * sx < 0) k++;
  return k < -2147483648 ? -2147483648 : k | 0;
}

/** Largest k with w + k * sx >= 0, for sx < 0 (exact). */
function spanEnd(w: number, sx: number, inv: number): number {
  let k = Math.floor(-w * inv);
  if (w + (k + 1) * sx >= 0) k++;
  else if (w + k * sx < 0) k--;
  return k > 2147483647 ? 2147483647 : k | 0;
}

/**
 * Barycentrics and depth of every drawn pixel, computed once per pixel from the winning triangle's planes
 * (perspective-correct when asked). Two loops rather than a flag test per pixel.
 */
function resolve(buf: RasterBuffers, ts: number[], persp: boolean): void {
  if (persp) resolvePerspective(buf, ts);
  else resolveAffine(buf, ts);
}

function resolvePerspective(buf: RasterBuffers, ts: number[]): void {
  const { width, height, triangleIds: ids, depth: zbuf, barycentrics: bary } = buf;
  for (let y = 0, p = 0; y < height; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < width; x++, p++) {
      const t = ids[p];
      if (t < 0) continue;
      const cx = x + 0.5;
      const k = t * TRI_STRIDE;
      // Keys are -1/z: perspective-correct weights are b_i (1/z_i) / sum_j b_j (1/z_j), and z = 1 / sum.
      const q1 = ts[k] * cx + ts[k + 1] * cy + ts[k + 2];
      const q2 = ts[k + 3] * cx + ts[k + 4] * cy + ts[k + 5];
      const invQ = 1 / (ts[k + 6] * cx + ts[k + 7] * cy + ts[k + 8]);
      const b1 = q1 * invQ;
      const b2 = q2 * invQ;
      zbuf[p] = -invQ;
      const o = 3 * p;
      bary[o] = 1 - b1 - b2;
      bary[o + 1] = b1;
      bary[o + 2] = b2;
    }
  }
}

function resolveAffine(buf: RasterBuffers, ts: number[]): void {
  const { width, height, triangleIds: ids, depth: zbuf, barycentrics: bary } = buf;
  for (let y = 0, p = 0; y < height; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < width; x++, p++) {
      const t = ids[p];
      if (t < 0) continue;
      const cx = x + 0.5;
      const k = t * TRI_STRIDE;
      const b1 = ts[k] * cx + ts[k + 1] * cy + ts[k + 2];
      const b2 = ts[k + 3] * cx + ts[k + 4] * cy + ts[k + 5];
      zbuf[p] = ts[k + 6] * cx + ts[k + 7] * cy + ts[k + 8];
      const o = 3 * p;
      bary[o] = 1 - b1 - b2;
      bary[o + 1] = b1;
      bary[o + 2] = b2;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// WebAssembly back end (raster-wasm.wat): the same two passes, bit-identical, in wasm memory.
//
// Why: once any ArrayBuffer in the process has been detached (every `WebAssembly.Memory.grow` does that, so
// any WASM module loaded alongside — tfjs, onnxruntime, the SH kernel — and so does transferring a buffer), V8
// drops a process-wide assumption and every optimised typed-array access from then on also checks whether its
// buffer was detached. That made the per-pixel JS loops above 10-15% slower in a process that had run any WASM
// code, whatever the rasterizer's own options. Wasm memory accesses carry no such check (nor bounds checks),
// so the kernel's speed does not depend on what else the process did. The JS path above remains the fallback
// where WebAssembly is unavailable or the working set would not fit in a 2 GiB wasm memory.

interface RasterExports {
  memory: WebAssembly.Memory;
  check(tris: number, count: number, nv: number): number;
  clear(zq: number, ids: number, n: number, empty: number): void;
  draw(
    vs: number, tris: number, nt: number, width: number, height: number, cull: number, frontSign: number,
    persp: number, kMin: number, kScale: number, ids: number, zq: number, ts: number,
  ): void;
  resolve(ids: number, ts: number, depth: number, bary: number, width: number, height: number, persp: number): void;
}

let rasterExports: RasterExports | null | undefined;

/** The instantiated kernel (one per module instance, i.e. per thread), or null when WebAssembly is unavailable. */
function rasterWasm(): RasterExports | null {
  if (rasterExports === undefined) {
    const module = compileEmbeddedWasm(RASTER_WASM_BASE64);
    rasterExports = module ? (new WebAssembly.Instance(module, {}).exports as unknown as RasterExports) : null;
  }
  return rasterExports;
}

const WASM_PAGE = 65536;
// Byte offsets are i32 in the kernel: keep the working set below 2 GiB.
const WASM_MAX_BYTES = 2 ** 31 - WASM_PAGE;

function align8(x: number): number {
  return Math.ceil(x / 8) * 8;
}

/** Runs both passes in wasm memory and copies the results out; null (nothing done) when it would not fit. */
function rasterizeWasm(
  w: RasterExports, vertices: Float32Array, triangles: Uint32Array, nv: number, nt: number, width: number,
  height: number, persp: boolean, cull: boolean, frontSign: number, buffers: RasterBuffers | undefined,
): RasterBuffers | null {
  const n = width * height;
  const trisOff = align8(nv * 24);
  const tsOff = align8(trisOff + nt * 12);
  const zqOff = align8(tsOff + nt * TRI_STRIDE * 8);
  // The pads keep the per-pixel arrays from sitting a multiple of 4 KiB apart: a load whose address matches an
  // in-flight store's in the low 12 bits waits for it (4K aliasing), and the passes touch pixel p of two or
  // three of these arrays back to back.
  const idsOff = zqOff + n * 4 + 1088;
  const depthOff = idsOff + n * 4 + 2176;
  const baryOff = depthOff + n * 4 + 3264;
  const end = baryOff + n * 12;
  if (end > WASM_MAX_BYTES) return null;
  const memory = w.memory;
  const have = memory.buffer.byteLength;
  if (end > have) memory.grow(Math.ceil((end - have) / WASM_PAGE));
  const mem = memory.buffer;
  new Uint32Array(mem, trisOff, nt * 3).set(triangles);
  const bad = w.check(trisOff, nt * 3, nv);
  if (bad >= 0) indexError(triangles, bad, nv);
  const range = prepareVertices(vertices, nv, persp, new Float64Array(mem, 0, nv * 3));
  const kMin = range[0];
  const kSpan = range[1] - range[0];
  const kScale = kSpan > 0 && kSpan < Infinity ? KEY_RANGE / kSpan : 0;
  w.clear(zqOff, idsOff, n, EMPTY_KEY);
  w.draw(0, trisOff, nt, width, height, cull ? 1 : 0, frontSign, persp ? 1 : 0, kMin, kScale, idsOff, zqOff, tsOff);
  w.resolve(idsOff, tsOff, depthOff, baryOff, width, height, persp ? 1 : 0);
  // Every pixel of all three outputs is written here, so given buffers need no clearing first.
  const buf = buffers ?? {
    width,
    height,
    triangleIds: new Int32Array(n),
    depth: new Float32Array(n),
    barycentrics: new Float32Array(n * 3),
  };
  buf.triangleIds.set(new Int32Array(mem, idsOff, n));
  buf.depth.set(new Float32Array(mem, depthOff, n));
  buf.barycentrics.set(new Float32Array(mem, baryOff, n * 3));
  return buf;
}
