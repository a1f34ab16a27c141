/**
 * Camera models. Every camera maps points of the mesh frame (right-handed, y up, z towards the viewer; see
 * `math/rotations`) to image pixels `(u, v)` with u to the right and v **down**, origin at the top-left corner of
 * the top-left pixel (pixel centres at integer + 0.5).
 *
 * An optional rigid transform (`rotation`, row-major 3x3, and `translation`) is applied first:
 * `X_cam = R · X + t`. Projection then depends on the type:
 * - `orthographic`: `u = cx + s · X`, `v = cy - s · Y` (s in pixels per model unit); depth = -Z.
 * - `weak-perspective` (DECA / RingNet `cam = [s, tx, ty]`): normalised coordinates
 *   `x = s · (X + tx)`, `y = s · (Y + ty)` in [-1, 1] over the image, then
 *   `u = (x + 1) · width / 2`, `v = (1 - y) · height / 2`; depth = -Z.
 * - `pinhole` (OpenGL-style: the camera looks down -Z): `u = cx + fx · X / (-Z)`, `v = cy - fy · Y / (-Z)`;
 *   depth = -Z (positive in front of the camera).
 */
export type Camera = OrthographicCamera | WeakPerspectiveCamera | PinholeCamera;

/** Rigid part shared by all cameras: `X_cam = R · X + t`. */
export interface CameraExtrinsics {
  /** Row-major 3x3 rotation; identity when absent. */
  rotation?: number[];
  /** Translation; zero when absent. */
  translation?: [number, number, number];
}

/** Orthographic projection with a scale in pixels per model unit and a principal point. */
export interface OrthographicCamera extends CameraExtrinsics {
  type: 'orthographic';
  /** Pixels per model unit. */
  scale: number;
  cx: number;
  cy: number;
}

/** DECA / RingNet weak perspective over an image of the given size. */
export interface WeakPerspectiveCamera extends CameraExtrinsics {
  type: 'weak-perspective';
  scale: number;
  tx: number;
  ty: number;
  /** Size in pixels of the image the normalised coordinates span (the network's crop, e.g. 224). */
  width: number;
  height: number;
}

/** Pinhole perspective camera, OpenGL orientation (looks down -Z, y up), intrinsics in pixels. */
export interface PinholeCamera extends CameraExtrinsics {
  type: 'pinhole';
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}
