/**
 * Moving cameras between pixel spaces: a camera estimated on a network's crop (e.g. DECA's 224 x 224 face crop,
 * made from the photo by a similarity or scale+translate transform) re-expressed in the photo's pixels, so
 * projecting a reconstruction lands on the original image.
 *
 * All 2D transforms are {@link Affine2D} matrices over facekit's continuous pixel coordinates (pixel centres at
 * integer + 0.5), the same ones `image/warp` uses, so "warp with A, predict, convert back with A" is consistent.
 * @module
 */

import type { Camera, OrthographicCamera, PinholeCamera, WeakPerspectiveCamera } from './camera.js';
import { project } from './project.js';
import { affineToSimilarity, applyAffineToPoints, invertAffine, type Affine2D } from '../math/affine2d.js';
import { multiplyMatrices3 } from '../math/rotations.js';
import { FacekitError } from '../util/errors.js';

/** Error code thrown when a pixel transform cannot be folded exactly into a camera. */
export const ERR_CAMERA_TRANSFORM = 'ERR_CAMERA_TRANSFORM';

/**
 * A camera followed by a 2D affine on its pixels: `pixel = imageTransform · project(camera, X)`. This represents
 * every crop exactly (shear and anisotropic scale included), for the cases {@link cropCameraToImage} cannot fold
 * into the camera itself.
 */
export interface CameraWithImageTransform {
  camera: Camera;
  /** 2x3 affine applied to `(u, v)` after projection; depth passes through. */
  imageTransform: Affine2D;
}

/** Projects N x 3 points through a {@link CameraWithImageTransform}; output N x 3 `(u, v, depth)`. */
export function projectWithImageTransform(
  camera: CameraWithImageTransform,
  points: Float32Array | Float64Array,
  out?: Float32Array,
): Float32Array {
  const res = project(camera.camera, points, out);
  return applyAffineToPoints(camera.imageTransform, res, 3, res);
}

/**
 * Converts a DECA / RingNet weak-perspective camera into the equivalent orthographic camera (same pixels):
 * `scale = s · W / 2`, `cx = W / 2 + scale · tx`, `cy = H / 2 - scale · ty`. Requires a square image
 * (`width === height`), because weak perspective over a non-square image scales x and y differently.
 */
export function weakPerspectiveToOrthographic(camera: WeakPerspectiveCamera): OrthographicCamera {
  if (camera.width !== camera.height) {
    throw new FacekitError(
      ERR_CAMERA_TRANSFORM,
      `weak-perspective camera over a ${camera.width} x ${camera.height} image has different x and y pixel scales; ` +
        'only square images convert to an orthographic camera (use CameraWithImageTransform instead)',
    );
  }
  const scale = (camera.scale * camera.width) / 2;
  const out: OrthographicCamera = {
    type: 'orthographic',
    scale,
    cx: camera.width / 2 + scale * camera.tx,
    cy: camera.height / 2 - scale * camera.ty,
  };
  if (camera.rotation) out.rotation = camera.rotation.slice();
  if (camera.translation) out.translation = [camera.translation[0], camera.translation[1], camera.translation[2]];
  return out;
}

/**
 * Rotates the extrinsics about the camera's optical axis by `-angle` (image angle, y down): rotating pixels by
 * `angle` about the principal point equals rotating the camera frame by `-angle` about z.
 */
function foldImageRotation(camera: Camera, angle: number): { rotation?: number[]; translation?: [number, number, number] } {
  if (angle === 0) {
    return {
      rotation: camera.rotation?.slice(),
      translation: camera.translation ? [camera.translation[0], camera.translation[1], camera.translation[2]] : undefined,
    };
  }
  const c = Math.cos(-angle), s = Math.sin(-angle);
  const rz = [c, -s, 0, s, c, 0, 0, 0, 1];
  const r = camera.rotation ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const rotation = Array.from(multiplyMatrices3(rz, r));
  const t = camera.translation;
  const translation: [number, number, number] | undefined = t ? [c * t[0] - s * t[1], s * t[0] + c * t[1], t[2]] : undefined;
  return { rotation, translation };
}

function withExtrinsics<T extends Camera>(cam: T, ext: { rotation?: number[]; translation?: [number, number, number] }): T {
  if (ext.rotation) cam.rotation = ext.rotation;
  if (ext.translation) cam.translation = ext.translation;
  return cam;
}

/**
 * Returns a camera whose projections are `pixelTransform · project(camera, X)`, folding the 2D transform into
 * the camera's parameters:
 * - orthographic / weak-perspective (returned as orthographic, see {@link weakPerspectiveToOrthographic}):
 *   exact for similarities (uniform scale, rotation, translation);
 * - pinhole: exact for axis-aligned scale + translation (`fx`, `fy`, `cx`, `cy` change) and for similarities
 *   with rotation when `fx === fy`.
 *
 * A rotation in the transform is folded into the extrinsic rotation as a rotation about the optical axis
 * (`R' = Rz(-angle) · R`, `t' = Rz(-angle) · t`); depth is unchanged. Shear, reflection, or anisotropic scale
 * on an orthographic camera cannot be expressed: those throw {@link FacekitError} `ERR_CAMERA_TRANSFORM`; use a
 * {@link CameraWithImageTransform} instead.
 *
 * @param camera camera producing pixels in the source space.
 * @param pixelTransform 2x3 affine from source pixels to target pixels.
 */
export function transformCameraPixels(camera: Camera, pixelTransform: Affine2D): Camera {
  const m = pixelTransform;
  const cam: OrthographicCamera | PinholeCamera = camera.type === 'weak-perspective' ? weakPerspectiveToOrthographic(camera) : camera;
  const tol = 1e-9;
  const scaleRef = Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
  const axisAligned = Math.abs(m[1]) <= tol * scaleRef && Math.abs(m[3]) <= tol * scaleRef;
  if (cam.type === 'pinhole' && axisAligned) {
    const out: PinholeCamera = {
      type: 'pinhole',
      fx: m[0] * cam.fx,
      fy: m[4] * cam.fy,
      cx: m[0] * cam.cx + m[2],
      cy: m[4] * cam.cy + m[5],
    };
    return withExtrinsics(out, foldImageRotation(cam, 0));
  }
  const sim = affineToSimilarity(m, 1e-7);
  if (!sim) {
    throw new FacekitError(
      ERR_CAMERA_TRANSFORM,
      `pixel transform [${Array.from(m).join(', ')}] is not a similarity (it shears, reflects or scales x and y ` +
        `differently), which a ${camera.type} camera cannot absorb; use CameraWithImageTransform instead`,
    );
  }
  const angle = Math.abs(sim.angle) < 1e-12 ? 0 : sim.angle;
  const ccx = m[0] * cam.cx + m[1] * cam.cy + m[2];
  const ccy = m[3] * cam.cx + m[4] * cam.cy + m[5];
  if (cam.type === 'orthographic') {
    return withExtrinsics<OrthographicCamera>(
      { type: 'orthographic', scale: sim.scale * cam.scale, cx: ccx, cy: ccy },
      foldImageRotation(cam, angle),
    );
  }
  if (Math.abs(cam.fx - cam.fy) > 1e-9 * Math.abs(cam.fx)) {
    throw new FacekitError(
      ERR_CAMERA_TRANSFORM,
      `a rotating pixel transform needs fx === fy on a pinhole camera (got fx = ${cam.fx}, fy = ${cam.fy}); ` +
        'use CameraWithImageTransform instead',
    );
  }
  return withExtrinsics<PinholeCamera>(
    { type: 'pinhole', fx: sim.scale * cam.fx, fy: sim.scale * cam.fy, cx: ccx, cy: ccy },
    foldImageRotation(cam, angle),
  );
}

/**
 * Re-expresses a camera defined on a crop in the pixels of the original image. `cropTransform` is the 2x3 affine
 * that made the crop, mapping original pixels to crop pixels (`crop = A · orig`, the matrix given to
 * `warpAffine`); the result projects to `A⁻¹ · project(camera, X)`. Limits as in {@link transformCameraPixels}.
 *
 * @example DECA: `cropCameraToImage({ type: 'weak-perspective', scale, tx, ty, width: 224, height: 224 }, A)`
 * returns an orthographic camera in photo pixels.
 */
export function cropCameraToImage(camera: Camera, cropTransform: Affine2D): Camera {
  return transformCameraPixels(camera, invertAffine(cropTransform));
}

/** Inverse of {@link cropCameraToImage}: a camera in original pixels re-expressed in crop pixels (`A · pixel`). */
export function imageCameraToCrop(camera: Camera, cropTransform: Affine2D): Camera {
  return transformCameraPixels(camera, cropTransform);
}
