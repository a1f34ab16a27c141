/**
 * Computes and caches the dense-landmark correspondence of a face model (see `../dense.ts`): the model's
 * neutral mean face is rendered frontally with a skin albedo and soft frontal lighting (core rasterizer), the
 * detector runs on the render, and each detected dense point is back-projected onto the surface through the
 * raster's triangle id and barycentrics at its pixel. Points that land off the fitting region are marked
 * invalid. The result is cached as JSON per model id in `FACEKIT_CACHE_DIR` or `~/.cache/facekit`.
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  computeVertexNormals,
  interpolateAttributes,
  rasterize,
  shadeVertices,
  type Detector,
  type FaceModel,
  type ImageF32,
} from '@facekit/core';
import { MEAN_SKIN_ALBEDO } from '../albedo.js';
import { denseFromJson, denseToJson, type DenseCorrespondence, type DenseCorrespondenceJson } from '../dense.js';
import { linearizeModel } from '../linearize.js';

/** The folder of fit's caches: env `FACEKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/facekit`, else `~/.cache/facekit`. */
export function fitCacheDir(): string {
  const env = process.env.FACEKIT_CACHE_DIR;
  if (env && env.trim()) return env;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.trim() ? xdg : join(homedir(), '.cache'), 'facekit');
}

/** Options of {@link computeDenseCorrespondence}. */
export interface DenseCorrespondenceOptions {
  /** Render size, px (default 512). */
  size?: number;
}

/**
 * Renders the model's mean face and maps the detector's dense points onto it. Returns undefined when the
 * detector finds no face or gives no dense points on the render.
 */
export async function computeDenseCorrespondence(
  model: FaceModel,
  detector: Detector,
  options: DenseCorrespondenceOptions = {},
): Promise<DenseCorrespondence | undefined> {
  const lin = linearizeModel(model);
  const size = options.size ?? 512;
  const V = lin.vertexCount;
  const pos = lin.mean;
  // Frame the landmarks' extent (the face, not the whole head) to about half the image.
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < V; i++) {
    if (!lin.fitMask[i]) continue;
    x0 = Math.min(x0, pos[3 * i]);
    x1 = Math.max(x1, pos[3 * i]);
    y0 = Math.min(y0, pos[3 * i + 1]);
    y1 = Math.max(y1, pos[3 * i + 1]);
  }
  const scale = (0.55 * size) / Math.max(x1 - x0, y1 - y0);
  const cx = size / 2 - scale * (x0 + x1) / 2, cy = size / 2 + scale * (y0 + y1) / 2;
  const screen = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) {
    screen[3 * i] = cx + scale * pos[3 * i];
    screen[3 * i + 1] = cy - scale * pos[3 * i + 1];
    screen[3 * i + 2] = -scale * pos[3 * i + 2];
  }
  const raster = rasterize(screen, lin.triangles, size, size);
  const normals = computeVertexNormals(pos, lin.triangles);
  const albedo = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) albedo[3 * i + c] = MEAN_SKIN_ALBEDO[c];
  const light = new Float32Array(27);
  for (let c = 0; c < 3; c++) {
    light[c] = 2.2; // ambient
    light[9 + c] = 0.45; // frontal (z)
    light[6 + c] = 0.15; // from above (y)
  }
  const colors = shadeVertices(normals, albedo, light);
  const pixels = interpolateAttributes(raster, lin.triangles, colors, 3, { background: [0.35, 0.35, 0.38] });
  // Eye and mouth openings show the background: darken them to read as eyes/mouth.
  for (let p = 0; p < size * size; p++) {
    if (raster.triangleIds[p] >= 0) continue;
    const x = p % size, y = (p / size) | 0;
    const u = (x + 0.5 - cx) / scale, v = (cy - y - 0.5) / scale;
    if (u > x0 && u < x1 && v > y0 && v < y1) for (let c = 0; c < 3; c++) pixels[3 * p + c] = 0.08;
  }
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(1, Math.max(0, pixels[i]));
  const image: ImageF32 = { width: size, height: size, channels: 3, data: pixels };
  const faces = await detector.detect(image);
  const face = faces[0];
  if (!face?.dense) return undefined;
  const M = face.dense.length / 3;
  const vertices = new Uint32Array(3 * M);
  const weights = new Float32Array(3 * M);
  const valid = new Uint8Array(M);
  for (let m = 0; m < M; m++) {
    const x = Math.floor(face.dense[3 * m]), y = Math.floor(face.dense[3 * m + 1]);
    if (x < 0 || y < 0 || x >= size || y >= size) continue;
    const p = y * size + x;
    const t = raster.triangleIds[p];
    if (t < 0) continue;
    for (let j = 0; j < 3; j++) {
      vertices[3 * m + j] = lin.regionVertices[lin.triangles[3 * t + j]];
      weights[3 * m + j] = raster.barycentrics[3 * p + j];
    }
    valid[m] = 1;
  }
  return { modelId: model.id, count: M, vertices, weights, valid };
}

/**
 * The cached correspondence of a model (computed with `detector` and written to the cache on a miss).
 * Cache file: `<cacheDir>/fit-dense-<model id>-<vertex count>.json`.
 */
export async function denseCorrespondence(
  model: FaceModel,
  detector: Detector,
  options: DenseCorrespondenceOptions & { cacheDir?: string } = {},
): Promise<DenseCorrespondence | undefined> {
  const dir = options.cacheDir ?? fitCacheDir();
  const file = join(dir, `fit-dense-${model.id.replace(/[^a-z0-9._-]/gi, '_')}-${model.topology.vertexCount}.json`);
  try {
    return denseFromJson(JSON.parse(await readFile(file, 'utf8')) as DenseCorrespondenceJson);
  } catch {
    // Missing or stale cache: compute below.
  }
  const dc = await computeDenseCorrespondence(model, detector, options);
  if (dc) {
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(file, JSON.stringify(denseToJson(dc)));
    } catch {
      // A read-only cache folder only costs a recomputation next time.
    }
  }
  return dc;
}
