import type { Camera } from './camera.js';
import { matrixToEuler, type EulerAngles } from '../math/rotations.js';

/**
 * Head pose (yaw, pitch, roll in degrees; convention of `math/rotations`) from a row-major rotation matrix.
 * Alias of `matrixToEuler`, named for what reports show.
 */
export function headPoseFromRotation(rotation: ArrayLike<number>): EulerAngles {
  return matrixToEuler(rotation);
}

/** Head pose of a camera's extrinsic rotation (model frame -> camera frame); zero angles when it has none. */
export function headPoseFromCamera(camera: Camera): EulerAngles {
  return camera.rotation ? matrixToEuler(camera.rotation) : { yaw: 0, pitch: 0, roll: 0 };
}
