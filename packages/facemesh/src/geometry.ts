/**
 * From Human's dense points (pixels + relative depth) to a metric face in a canonical frame, and the camera that
 * maps it back onto the image.
 *
 * Frames and units:
 * - **Observed frame** (pixels): `P_i = (x_i, -y_i, -k · z_i)`: x right, y up (image y flipped), z towards the
 *   camera (MediaPipe's z grows away from the camera, hence the minus). `k` converts Human's z into image pixels:
 *   the face mesh network outputs z in pixels of its 192 x 192 face crop while Human maps x/y back to the image
 *   (multiplying by crop size / 192) but leaves z in crop pixels. The crop size is not part of Human's output
 *   (its box is clamped to the image), so `k` is estimated per face: the value that lets the reference face fit
 *   the observed points best ({@link fitZScale}). On faces whose crop lies inside the image the estimate is
 *   0.85-1.15 x the crop size / 192.
 * - **Model frame** (the mesh, millimetres): `X_i = Rᵀ (P_i - c) / s`, with `c` the centroid of the 468 observed
 *   vertices (so the origin is the face centre), `R` the rotation of the reference face onto the observation
 *   (Procrustes; canonical -> camera, the head pose) and `s` pixels per millimetre. y up, z out of the face,
 *   x towards the subject's left: a frontal, upright face whatever the head pose.
 * - **Scale**: `s` = observed distance between the eye centres (centroids of the two 16-vertex eye contours,
 *   in 3D, so head rotation does not shorten it) / {@link DEFAULT_INTER_OCULAR_MM}. This assumes every face
 *   has the mean adult interpupillary distance; individual faces differ by about ±6 %.
 * - **Camera**: orthographic with `rotation = R`, `scale = s`, `cx = c_x`, `cy = -c_y`, which reproduces the
 *   detector's pixels exactly: `project(camera, X_i) = (x_i, y_i)`.
 * @module
 */
import { matrixToEuler, procrustes, type EulerAngles, type OrthographicCamera } from '@facekit/core';
import { LEFT_EYE_CONTOUR, MEDIAPIPE_VERTEX_COUNT, REFERENCE_FACE, RIGHT_EYE_CONTOUR } from './topology/index.js';

/**
 * Mean adult interpupillary distance in millimetres (about 64 mm for men, 62 mm for women; Dodgson 2004), used
 * as the distance between the centroids of the two eye contours, which sit at the pupils in a straight gaze.
 */
export const DEFAULT_INTER_OCULAR_MM = 63;

/** Options of {@link denseToFaceFrame}. */
export interface FaceFrameOptions {
  /** Distance between the eye centres the face is scaled to, in mm. Default {@link DEFAULT_INTER_OCULAR_MM}. */
  interOcularMm?: number;
  /**
   * Image pixels per unit of the detector's z. Default: estimated per face by {@link fitZScale}. Pass
   * `crop size / 192` when the Human crop size is known.
   */
  zScale?: number;
  /** Reference face, 468 x 3 (frontal, upright, y up, z towards the viewer). Default {@link REFERENCE_FACE}. */
  reference?: ArrayLike<number>;
}

/** The face in the model frame and the camera that projects it onto the image. See the module docs. */
export interface FaceFrame {
  /** `Float32Array` 468 x 3 vertex positions in millimetres, model frame (frontal, y up, z towards the viewer). */
  positions: Float32Array;
  /** `Float32Array` 10 x 3 iris points (468..477) in the same frame, when the input has 478 points. */
  iris?: Float32Array;
  /** Orthographic camera, pixels per mm, with the head rotation as extrinsics. */
  camera: OrthographicCamera;
  /** Head rotation, row-major 3x3, model frame -> camera frame (the same as `camera.rotation`). */
  rotation: Float64Array;
  /** `rotation` as yaw/pitch/roll in degrees (`math/rotations` convention). */
  pose: EulerAngles;
  /** Image pixels per millimetre (`camera.scale`). */
  pixelsPerMm: number;
  /** Image pixels per unit of the detector's z (estimated or given). */
  zScale: number;
  /** RMS distance in mm between the reference face (scaled by the fit) and the mesh: how far the face departs from it. */
  referenceRms: number;
}

/** Number of values per point of `dense` (3), checked against its length. */
function pointCount(dense: ArrayLike<number>): number {
  if (dense.length % 3 !== 0 || dense.length < MEDIAPIPE_VERTEX_COUNT * 3) {
    throw new RangeError(`dense has ${dense.length} values; expected N x 3 with N >= ${MEDIAPIPE_VERTEX_COUNT} (the MediaPipe face mesh)`);
  }
  return dense.length / 3;
}

/** Observed 468 x 3 points `(x, -y, -k z)` in pixels. */
function observed(dense: ArrayLike<number>, k: number, n = MEDIAPIPE_VERTEX_COUNT, out = new Float64Array(n * 3)): Float64Array {
  for (let i = 0; i < n; i++) {
    out[3 * i] = dense[3 * i];
    out[3 * i + 1] = -dense[3 * i + 1];
    out[3 * i + 2] = -k * dense[3 * i + 2];
  }
  return out;
}

function range(values: ArrayLike<number>, offset: number, n: number): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[3 * i + offset];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

/**
 * Estimates the detector's z scale `k` (image pixels per z unit) of one face: the value minimising the RMS
 * residual of a similarity Procrustes fit of the reference face onto `(x, -y, -k z)`. The residual is measured
 * in image pixels with x and y fixed, so it cannot shrink by flattening or stretching the observation; it is
 * unimodal in log k in practice, searched by golden section over a factor 4 either side of a first guess that
 * gives the observation the reference's depth-to-size ratio.
 *
 * @param dense N x 3 detector points (N >= 468): x, y in pixels, z relative depth.
 * @returns `k`; 1 when the detector reports no depth (all z equal).
 */
export function fitZScale(dense: ArrayLike<number>, reference: ArrayLike<number> = REFERENCE_FACE): number {
  pointCount(dense);
  const n = MEDIAPIPE_VERTEX_COUNT;
  const zr = range(dense, 2, n);
  if (!(zr > 0)) return 1;
  const refRatio = range(reference, 2, n) / Math.sqrt(range(reference, 0, n) * range(reference, 1, n));
  const k0 = (refRatio * Math.sqrt(range(dense, 0, n) * range(dense, 1, n))) / zr;
  const buf = new Float64Array(n * 3);
  const cost = (logK: number): number => procrustes(reference, observed(dense, Math.exp(logK), n, buf)).rms;
  let lo = Math.log(k0 / 4), hi = Math.log(k0 * 4);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  let f1 = cost(x1), f2 = cost(x2);
  // 24 steps shrink the bracket (ln 16 wide) to 2e-5 in log k: far below what the landmarks resolve.
  for (let it = 0; it < 24; it++) {
    if (f1 < f2) {
      hi = x2; x2 = x1; f2 = f1;
      x1 = hi - g * (hi - lo); f1 = cost(x1);
    } else {
      lo = x1; x1 = x2; f1 = f2;
      x2 = lo + g * (hi - lo); f2 = cost(x2);
    }
  }
  return Math.exp((lo + hi) / 2);
}

function centroid(p: ArrayLike<number>, indices: readonly number[]): [number, number, number] {
  let x = 0, y = 0, z = 0;
  for (const i of indices) {
    x += p[3 * i]; y += p[3 * i + 1]; z += p[3 * i + 2];
  }
  const m = indices.length;
  return [x / m, y / m, z / m];
}

/** 3D distance between the centroids of the two eye contours of a 468 x 3 (or longer) point set. */
export function interOcularDistance(points: ArrayLike<number>): number {
  const r = centroid(points, RIGHT_EYE_CONTOUR);
  const l = centroid(points, LEFT_EYE_CONTOUR);
  return Math.hypot(l[0] - r[0], l[1] - r[1], l[2] - r[2]);
}

/**
 * Turns the detector's dense points into the face in the model frame (mm) plus its camera and pose; see the
 * module docs for the frames.
 *
 * @param dense N x 3 (N = 468 or 478): x, y in image pixels (pixel centres at integer + 0.5), z relative depth
 *   in the detector's scale (Human: pixels of its 192 px face crop, growing away from the camera).
 */
export function denseToFaceFrame(dense: ArrayLike<number>, options: FaceFrameOptions = {}): FaceFrame {
  const total = pointCount(dense);
  const reference = options.reference ?? REFERENCE_FACE;
  if (reference.length !== MEDIAPIPE_VERTEX_COUNT * 3) {
    throw new RangeError(`reference has ${reference.length} values, expected ${MEDIAPIPE_VERTEX_COUNT} x 3`);
  }
  const iodMm = options.interOcularMm ?? DEFAULT_INTER_OCULAR_MM;
  if (!(iodMm > 0)) throw new RangeError(`interOcularMm must be positive, got ${iodMm}`);
  const k = options.zScale ?? fitZScale(dense, reference);
  if (!(k > 0)) throw new RangeError(`zScale must be positive, got ${k}`);

  const n = MEDIAPIPE_VERTEX_COUNT;
  const all = observed(dense, k, total);
  const p = all.subarray(0, n * 3);
  const fit = procrustes(reference, p);
  const r = fit.rotation;
  const iodPx = interOcularDistance(p);
  if (!(iodPx > 0)) throw new RangeError('the eye contours coincide; the dense points are degenerate');
  const s = iodPx / iodMm;
  const c = centroid(p, Array.from({ length: n }, (_, i) => i));

  // X = Rᵀ (P - c) / s for the mesh and the iris points.
  const toModel = (src: Float64Array, count: number): Float32Array => {
    const out = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      const dx = (src[3 * i] - c[0]) / s, dy = (src[3 * i + 1] - c[1]) / s, dz = (src[3 * i + 2] - c[2]) / s;
      out[3 * i] = r[0] * dx + r[3] * dy + r[6] * dz;
      out[3 * i + 1] = r[1] * dx + r[4] * dy + r[7] * dz;
      out[3 * i + 2] = r[2] * dx + r[5] * dy + r[8] * dz;
    }
    return out;
  };
  const positions = toModel(p, n);
  const iris = total >= n + 10 ? toModel(all.subarray(n * 3, (n + 10) * 3), 10) : undefined;

  // The Procrustes residual is in pixels of the observation; report it in mm.
  const referenceRms = fit.rms / s;
  const camera: OrthographicCamera = {
    type: 'orthographic',
    scale: s,
    cx: c[0],
    cy: -c[1],
    rotation: Array.from(r),
    translation: [0, 0, 0],
  };
  return { positions, iris, camera, rotation: Float64Array.from(r), pose: matrixToEuler(r), pixelsPerMm: s, zScale: k, referenceRms };
}
