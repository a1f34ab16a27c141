/**
 * Loaders for FLAME's landmark embeddings (each landmark = a triangle index + barycentric weights):
 * - `flame_static_embedding.pkl` (RingNet / TF_FLAME): `lmk_face_idx` (51), `lmk_b_coords` (51 x 3): the 51
 *   inner-face points of the 68-point Multi-PIE scheme (eyebrows, nose, eyes, mouth);
 * - `flame_dynamic_embedding.npy` (a pickled dict saved with `np.save`): `lmk_face_idx` (79 x 17),
 *   `lmk_b_coords` (79 x 17 x 3): the 17 jaw-contour points for each of 79 head-yaw bins;
 * - DECA's `landmark_embedding.npy`: both of the above as `static_lmk_*` and `dynamic_lmk_*` (the dynamic ones
 *   pickled as torch tensors), plus `full_lmk_faces_idx` (1 x 68) / `full_lmk_bary_coords` (1 x 68 x 3), a fixed
 *   68-point embedding.
 * @module
 */
import { FormatError, type LandmarkEmbedding } from '@facekit/core';
import { describe, expectShape, readPickledFile, toDense, toFloat32, type DenseArray } from './arrays.js';
import { isPlainDict } from './pickle.js';

/** The yaw-dependent jaw contour: `bins` alternatives of `points` landmarks each. */
export interface DynamicLandmarkEmbedding {
  /** Number of yaw bins (79 upstream). */
  bins: number;
  /** Landmarks per bin (17 upstream). */
  points: number;
  /** bins x points triangle indices. */
  faces: Uint32Array;
  /** bins x points x 3 barycentric weights. */
  barycentrics: Float32Array;
}

/** Everything FLAME knows about landmarks; any part may be missing depending on the files loaded. */
export interface FlameLandmarkEmbedding {
  /** The 51 static inner-face landmarks (68-point indices 17..67). */
  static?: LandmarkEmbedding;
  /** The jaw contour per yaw bin (68-point indices 0..16). */
  dynamic?: DynamicLandmarkEmbedding;
  /** A fixed 68-point embedding (DECA's `full_lmk_*`). */
  full?: LandmarkEmbedding;
}

/** Parses `flame_static_embedding.pkl` (or any dict with `lmk_face_idx` (L) and `lmk_b_coords` (L x 3)). */
export function parseStaticEmbedding(bytes: Uint8Array, name = 'flame_static_embedding.pkl'): LandmarkEmbedding {
  const dict = readDict(bytes, name);
  return flatEmbedding(dict, 'lmk_face_idx', 'lmk_b_coords', name);
}

/** Parses `flame_dynamic_embedding.npy`: `lmk_face_idx` (bins x points), `lmk_b_coords` (bins x points x 3). */
export function parseDynamicEmbedding(bytes: Uint8Array, name = 'flame_dynamic_embedding.npy'): DynamicLandmarkEmbedding {
  const dict = readDict(bytes, name);
  return dynamicEmbedding(dict, 'lmk_face_idx', 'lmk_b_coords', name);
}

/** Parses DECA's `landmark_embedding.npy` (static, dynamic and full 68-point embeddings in one dict). */
export function parseDecaEmbedding(bytes: Uint8Array, name = 'landmark_embedding.npy'): FlameLandmarkEmbedding {
  const dict = readDict(bytes, name);
  const out: FlameLandmarkEmbedding = {
    static: flatEmbedding(dict, 'static_lmk_faces_idx', 'static_lmk_bary_coords', name),
    dynamic: dynamicEmbedding(dict, 'dynamic_lmk_faces_idx', 'dynamic_lmk_bary_coords', name),
  };
  if ('full_lmk_faces_idx' in dict) out.full = flatEmbedding(dict, 'full_lmk_faces_idx', 'full_lmk_bary_coords', name);
  return out;
}

/**
 * Parses any of the three embedding files, recognised by their keys. Throws {@link FormatError} when the dict
 * holds none of the known key sets.
 */
export function parseLandmarkEmbedding(bytes: Uint8Array, name = 'landmark_embedding'): FlameLandmarkEmbedding {
  const dict = readDict(bytes, name);
  if ('static_lmk_faces_idx' in dict) return parseDecaEmbedding(bytes, name);
  if ('lmk_face_idx' in dict) {
    const idx = toDense(dict.lmk_face_idx, 'lmk_face_idx', name);
    return idx.shape.length === 2 ? { dynamic: parseDynamicEmbedding(bytes, name) } : { static: parseStaticEmbedding(bytes, name) };
  }
  throw new FormatError(
    `${name}: not a FLAME landmark embedding (expected keys lmk_face_idx/lmk_b_coords or static_lmk_faces_idx/...; found ${Object.keys(dict).join(', ') || 'none'})`,
  );
}

function readDict(bytes: Uint8Array, name: string): Record<string, unknown> {
  const value = readPickledFile(bytes, name);
  if (!isPlainDict(value)) throw new FormatError(`${name}: holds a ${describe(value)}, not a dict — is this a FLAME landmark embedding?`);
  return value;
}

function need(dict: Record<string, unknown>, key: string, name: string): DenseArray {
  if (!(key in dict)) throw new FormatError(`${name}: key '${key}' missing — is this a FLAME landmark embedding?`);
  return toDense(dict[key], key, name);
}

function faceIndices(arr: DenseArray, key: string, name: string): Uint32Array {
  const out = new Uint32Array(arr.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = arr.data[i];
    if (!Number.isInteger(v) || v < 0) throw new FormatError(`${name}: '${key}' holds ${v}, not a triangle index`);
    out[i] = v;
  }
  return out;
}

function flatEmbedding(dict: Record<string, unknown>, faceKey: string, baryKey: string, name: string): LandmarkEmbedding {
  const idx = need(dict, faceKey, name);
  const bary = need(dict, baryKey, name);
  // DECA keeps a leading batch axis of 1 on the full 68-point embedding.
  if (idx.shape.length === 2 && idx.shape[0] === 1) idx.shape = idx.shape.slice(1);
  if (bary.shape.length === 3 && bary.shape[0] === 1) bary.shape = bary.shape.slice(1);
  const [L] = expectShape(idx, [-1], faceKey, name);
  expectShape(bary, [L, 3], baryKey, name);
  return { faces: faceIndices(idx, faceKey, name), barycentrics: toFloat32(bary.data) };
}

function dynamicEmbedding(dict: Record<string, unknown>, faceKey: string, baryKey: string, name: string): DynamicLandmarkEmbedding {
  const idx = need(dict, faceKey, name);
  const bary = need(dict, baryKey, name);
  const [bins, points] = expectShape(idx, [-1, -1], faceKey, name);
  expectShape(bary, [bins, points, 3], baryKey, name);
  return { bins, points, faces: faceIndices(idx, faceKey, name), barycentrics: toFloat32(bary.data) };
}
