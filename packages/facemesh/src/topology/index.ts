/**
 * The MediaPipe face mesh topology as facekit typed arrays, plus the vertex groups the predictor uses (eye
 * contours, left-right mirror pairs).
 * @module
 */
import type { Mesh } from '@facekit/core';
import { MEDIAPIPE_TRIANGLES, MEDIAPIPE_UVS, MEDIAPIPE_VERTEX_COUNT } from './mediapipe-topology.js';

export {
  MEDIAPIPE_TRIANGLE_COUNT,
  MEDIAPIPE_TRIANGLES,
  MEDIAPIPE_UVS,
  MEDIAPIPE_VERTEX_COUNT,
  MOUTH_TRIANGLE_START,
} from './mediapipe-topology.js';
export { REFERENCE_FACE, REFERENCE_INTER_OCULAR_MM } from './reference-face.js';

/** Number of points of Human's dense output: 468 mesh vertices + 10 iris points. */
export const DENSE_POINT_COUNT = 478;

/** Indices of the 10 iris points in the 478-point output: subject's right iris 468..472 (centre first), left 473..477. */
export const IRIS_POINTS: readonly number[] = Object.freeze([468, 469, 470, 471, 472, 473, 474, 475, 476, 477]);

/**
 * Contour of the subject's right eye (image left in a frontal photo): upper lid 246..173 then lower lid 33..133,
 * 16 vertices (MediaPipe `rightEyeUpper0` + `rightEyeLower0`). Its centroid is the "eye centre" of the
 * inter-ocular distance: it does not depend on where the iris looks.
 */
export const RIGHT_EYE_CONTOUR: readonly number[] = Object.freeze([
  246, 161, 160, 159, 158, 157, 173, 33, 7, 163, 144, 145, 153, 154, 155, 133,
]);

/** Contour of the subject's left eye, vertex-for-vertex the mirror of {@link RIGHT_EYE_CONTOUR}. */
export const LEFT_EYE_CONTOUR: readonly number[] = Object.freeze([
  466, 388, 387, 386, 385, 384, 398, 263, 249, 390, 373, 374, 380, 381, 382, 362,
]);

/** Fresh `Uint32Array` 898 x 3 of the face mesh triangles (counter-clockwise seen from the front, y up). */
export function mediapipeTriangles(): Uint32Array {
  return Uint32Array.from(MEDIAPIPE_TRIANGLES);
}

/** Fresh `Float32Array` 468 x 2 of per-vertex UVs (u right, v up, in [0, 1]). */
export function mediapipeUVs(): Float32Array {
  return Float32Array.from(MEDIAPIPE_UVS);
}

/** A face mesh with the MediaPipe topology and UVs around the given 468 x 3 positions (not copied). */
export function mediapipeMesh(positions: Float32Array): Mesh {
  if (positions.length !== MEDIAPIPE_VERTEX_COUNT * 3) {
    throw new RangeError(`positions has length ${positions.length}, expected ${MEDIAPIPE_VERTEX_COUNT} x 3`);
  }
  return { positions, triangles: mediapipeTriangles(), uvs: mediapipeUVs() };
}

let mirror: Uint16Array | undefined;

/**
 * Left-right mirror of every vertex: `map[i]` is the vertex on the other side of the face (itself for the 28
 * vertices on the midline). Derived from the UV layout, which is symmetric about u = 0.5 to 1e-3: the mirror of
 * vertex i is the vertex whose uv is nearest to `(1 - u_i, v_i)`.
 */
export function mirrorVertexMap(): Uint16Array {
  if (mirror) return mirror;
  const uv = MEDIAPIPE_UVS;
  const n = MEDIAPIPE_VERTEX_COUNT;
  const map = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const mu = 1 - uv[2 * i], mv = uv[2 * i + 1];
    let best = i, bestD = Infinity;
    for (let j = 0; j < n; j++) {
      const du = uv[2 * j] - mu, dv = uv[2 * j + 1] - mv;
      const d = du * du + dv * dv;
      if (d < bestD) { bestD = d; best = j; }
    }
    map[i] = best;
  }
  return (mirror = map);
}
