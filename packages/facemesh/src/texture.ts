/**
 * UV texture of the face from the photo: each texel of the MediaPipe UV layout reads the photo where its point of
 * the mesh projects, when that point is seen; hidden texels are filled from the mirrored texel (the layout is
 * left-right symmetric about u = 0.5) or, failing that, with the median face colour.
 * @module
 */
import {
  createImage,
  project,
  rasterize,
  rasterizeUV,
  sampleBilinear,
  toCameraSpace,
  vertexVisibility,
  type Camera,
  type Image,
  type ImageU8,
  type Mesh,
  type RasterBuffers,
} from '@facekit/core';

/** What each texel of a {@link FaceTexture} holds. */
export const TexelSource = {
  /** Outside the UV layout: filled with the face colour (keeps renderers' filtering free of dark seams). */
  Outside: 0,
  /** Sampled from the photo. */
  Photo: 1,
  /** Hidden in the photo; copied from the mirrored texel, which was seen. */
  Mirrored: 2,
  /** Hidden on both sides; filled with the face colour. */
  Filled: 3,
  /** Seen at a grazing angle (below `minFacing`) and its mirror not seen well: sampled from the photo anyway. */
  Grazing: 4,
} as const;

/** Options of {@link sampleFaceTexture}. */
export interface FaceTextureOptions {
  /** Texture side in texels (the texture is size x size). Default 512. */
  size?: number;
  /**
   * Minimum cosine between a triangle's normal and the viewing direction for the photo to be used there.
   * Grazing triangles smear a few pixels over many texels; below this they are filled by mirroring. Default 0.2
   * (78 degrees).
   */
  minFacing?: number;
  /** Longest side of the image-space raster used for the occlusion test, in pixels. Default 256. */
  visibilityResolution?: number;
}

/** A face texture and how each texel was obtained. */
export interface FaceTexture {
  /** size x size RGB, 8-bit; row 0 is v = 1 (the top of the UV square, as in `uvLayoutVertices`). */
  texture: ImageU8;
  /** `Uint8Array` size*size of {@link TexelSource} values. */
  source: Uint8Array;
  /** Median RGB (0..255) of the texels seen well in the photo: the fill colour. */
  faceColour: [number, number, number];
  /** Per-vertex visibility used (`Uint8Array` V, 1 = seen). */
  vertexVisible: Uint8Array;
}

/** [0, 1] to 0..255, clamped (a Uint8Array store would wrap out-of-range float colours). */
function to8(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
}

const uvRasters = new Map<string, RasterBuffers>();

/** UV rasters depend only on the topology and the size; cache the last few (the topology is fixed here). */
function uvRaster(mesh: Pick<Mesh, 'triangles' | 'uvs'>, size: number): RasterBuffers {
  const key = `${size}:${mesh.triangles.length}:${mesh.uvs?.length}:${mesh.uvs?.[0]}:${mesh.uvs?.[1]}`;
  let raster = uvRasters.get(key);
  if (!raster) {
    if (uvRasters.size >= 4) uvRasters.clear();
    raster = rasterizeUV(mesh, size);
    uvRasters.set(key, raster);
  }
  return raster;
}

/**
 * Per-vertex visibility of the mesh seen through `camera`: drawn with back faces culled into a raster of the
 * face's bounding box (at most `resolution` pixels on a side, so big photos cost no more than small ones), then
 * core's `vertexVisibility` depth test, requiring a front-facing triangle at the vertex.
 */
function visibility(screen: Float32Array, triangles: Uint32Array, image: Image, resolution: number): Uint8Array {
  const nv = screen.length / 3;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < nv; i++) {
    const u = screen[3 * i], v = screen[3 * i + 1];
    if (u < x0) x0 = u;
    if (u > x1) x1 = u;
    if (v < y0) y0 = v;
    if (v > y1) y1 = v;
  }
  x0 = Math.max(0, Math.floor(x0) - 1); y0 = Math.max(0, Math.floor(y0) - 1);
  x1 = Math.min(image.width, Math.ceil(x1) + 1); y1 = Math.min(image.height, Math.ceil(y1) + 1);
  const out = new Uint8Array(nv);
  if (!(x1 > x0 && y1 > y0)) return out;
  const f = Math.min(1, resolution / Math.max(x1 - x0, y1 - y0));
  const w = Math.max(1, Math.ceil((x1 - x0) * f)), h = Math.max(1, Math.ceil((y1 - y0) * f));
  const local = new Float32Array(screen.length);
  for (let i = 0; i < nv; i++) {
    local[3 * i] = (screen[3 * i] - x0) * f;
    local[3 * i + 1] = (screen[3 * i + 1] - y0) * f;
    local[3 * i + 2] = screen[3 * i + 2];
  }
  const raster = rasterize(local, triangles, w, h, { cullBackFaces: true });
  return vertexVisibility(local, triangles, raster, { requireFrontFacing: true, out });
}

/** Per-channel median of the RGB values of the texels marked `Photo` (a histogram per channel). The median,
 * not the mean, so eyes, brows, lips and hair at the forehead edge do not pull it away from the skin. */
function medianColour(data: Uint8Array, source: Uint8Array): [number, number, number] {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let count = 0;
  for (let p = 0; p < source.length; p++) {
    if (source[p] !== TexelSource.Photo) continue;
    hist[0][data[3 * p]]++; hist[1][data[3 * p + 1]]++; hist[2][data[3 * p + 2]]++;
    count++;
  }
  // No texel seen (a face entirely outside the photo): mid grey rather than black.
  if (count === 0) return [128, 128, 128];
  const med = (h: Uint32Array): number => {
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += h[v];
      if (acc * 2 >= count) return v;
    }
    return 255;
  };
  return [med(hist[0]), med(hist[1]), med(hist[2])];
}

/**
 * Samples the photo into the mesh's UV layout.
 *
 * A texel takes the photo's colour (bilinear, at the projection of its surface point) when its triangle faces
 * the camera (cosine above `minFacing`) and all three corners are visible. Otherwise, if the mirrored texel
 * `(size - 1 - x, y)` was taken from the photo that way, it copies it (faces are nearly symmetric; MediaPipe's
 * UV layout is symmetric about u = 0.5); otherwise, if its triangle is visible at a grazing angle, it still
 * reads the photo; otherwise it gets the median colour of the well-seen texels, as do texels outside the
 * layout. No texel is left black.
 *
 * @param image the photo (1, 3 or 4 channels; grey is replicated, alpha ignored).
 * @param mesh positions V x 3 in the camera's model frame, triangles, per-vertex `uvs` (u right, v up) whose layout
 *   is symmetric about u = 0.5 for the mirror fill to be meaningful.
 * @param camera maps mesh positions to pixels of `image`; an affine camera (orthographic / weak perspective).
 */
export function sampleFaceTexture(
  image: Image,
  mesh: Pick<Mesh, 'positions' | 'triangles' | 'uvs'>,
  camera: Camera,
  options: FaceTextureOptions = {},
): FaceTexture {
  const size = options.size ?? 512;
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`texture size must be a positive integer, got ${size}`);
  if (!mesh.uvs) throw new RangeError('the mesh has no uvs');
  const minFacing = options.minFacing ?? 0.2;
  const { positions, triangles } = mesh;
  const nt = triangles.length / 3;

  const screen = project(camera, positions);
  const vertexVisible = visibility(screen, triangles, image, options.visibilityResolution ?? 256);

  // Facing cosine per triangle in the camera frame (z towards the viewer, isotropic units); -1 when a corner is
  // hidden, so hidden and back-facing triangles are never sampled.
  const cam = toCameraSpace(camera, positions);
  const facing = new Float32Array(nt).fill(-1);
  for (let t = 0; t < nt; t++) {
    const ia = triangles[3 * t], ib = triangles[3 * t + 1], ic = triangles[3 * t + 2];
    if (!vertexVisible[ia] || !vertexVisible[ib] || !vertexVisible[ic]) continue;
    const a = 3 * ia, b = 3 * ib, c = 3 * ic;
    const e1x = cam[b] - cam[a], e1y = cam[b + 1] - cam[a + 1], e1z = cam[b + 2] - cam[a + 2];
    const e2x = cam[c] - cam[a], e2y = cam[c + 1] - cam[a + 1], e2z = cam[c + 2] - cam[a + 2];
    const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    const len = Math.hypot(nx, ny, nz);
    if (len > 0) facing[t] = nz / len;
  }

  const raster = uvRaster(mesh, size);
  const { triangleIds: ids, barycentrics: bary } = raster;
  const n = size * size;
  const texture = createImage(size, size, 3, 'u8');
  const data = texture.data;
  const source = new Uint8Array(n);
  const channels = image.channels;
  const px = new Float32Array(4);
  const sample = (p: number, t: number): boolean => {
    const a = triangles[3 * t], b = triangles[3 * t + 1], c = triangles[3 * t + 2];
    const b0 = bary[3 * p], b1 = bary[3 * p + 1], b2 = bary[3 * p + 2];
    const x = b0 * screen[3 * a] + b1 * screen[3 * b] + b2 * screen[3 * c];
    const y = b0 * screen[3 * a + 1] + b1 * screen[3 * b + 1] + b2 * screen[3 * c + 1];
    if (!(x >= 0 && x <= image.width && y >= 0 && y <= image.height)) return false;
    sampleBilinear(image, x, y, px);
    // sampleBilinear returns u8 images in [0, 1] and float images raw (colours in [0, 1] by convention).
    const r = to8(px[0]);
    data[3 * p] = r;
    data[3 * p + 1] = channels >= 3 ? to8(px[1]) : r;
    data[3 * p + 2] = channels >= 3 ? to8(px[2]) : r;
    return true;
  };

  // Pass 1: texels seen well (facing above the threshold).
  for (let p = 0; p < n; p++) {
    const t = ids[p];
    if (t >= 0 && facing[t] >= minFacing && sample(p, t)) source[p] = TexelSource.Photo;
  }
  const faceColour = medianColour(data, source);
  // Pass 2, in order of preference: the mirrored texel when it was seen well (reads pass-1 results only, so
  // the order of the loop does not matter); the photo when the texel is seen at a grazing angle (stretched, but
  // the right colour); the median face colour.
  const seenWell = source.slice();
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const p = row + x;
      if (seenWell[p]) continue;
      const t = ids[p];
      const q = row + (size - 1 - x);
      if (t >= 0 && seenWell[q]) {
        data[3 * p] = data[3 * q]; data[3 * p + 1] = data[3 * q + 1]; data[3 * p + 2] = data[3 * q + 2];
        source[p] = TexelSource.Mirrored;
      } else if (t >= 0 && facing[t] > 0 && sample(p, t)) {
        source[p] = TexelSource.Grazing;
      } else {
        data[3 * p] = faceColour[0]; data[3 * p + 1] = faceColour[1]; data[3 * p + 2] = faceColour[2];
        source[p] = t >= 0 ? TexelSource.Filled : TexelSource.Outside;
      }
    }
  }
  return { texture, source, faceColour, vertexVisible };
}
