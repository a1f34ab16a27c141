/**
 * Projection and back-projection for the camera models of `camera.ts`, implemented exactly as documented there.
 * @module
 */

import type { Camera, CameraExtrinsics } from './camera.js';

/** Writes `R · X + t` for the camera's extrinsics into `out[0..2]`. */
function toCameraFrame(cam: CameraExtrinsics, x: number, y: number, z: number, out: Float64Array): void {
  const r = cam.rotation;
  const t = cam.translation;
  if (r) {
    out[0] = r[0] * x + r[1] * y + r[2] * z;
    out[1] = r[3] * x + r[4] * y + r[5] * z;
    out[2] = r[6] * x + r[7] * y + r[8] * z;
  } else {
    out[0] = x; out[1] = y; out[2] = z;
  }
  if (t) {
    out[0] += t[0]; out[1] += t[1]; out[2] += t[2];
  }
}

/**
 * Projects N x 3 model-frame points to pixels. Output is N x 3 `(u, v, depth)`: u right, v down, in pixels with
 * pixel centres at integer + 0.5, and `depth = -Z_cam` (positive in front of a pinhole camera; for the affine
 * cameras it orders points for z-buffering, larger = farther).
 *
 * Pinhole points with `depth <= 0` (on or behind the camera plane) get `u = v = NaN` so they cannot be drawn by
 * mistake; their depth is still written.
 *
 * @param camera any {@link Camera}.
 * @param points N x 3 positions.
 * @param out optional N x 3 output (may alias `points`).
 */
export function project(camera: Camera, points: Float32Array | Float64Array, out?: Float32Array): Float32Array {
  if (points.length % 3 !== 0) throw new RangeError(`points has length ${points.length}, which is not a multiple of 3`);
  const res = out ?? new Float32Array(points.length);
  if (res.length < points.length) throw new RangeError(`out has length ${res.length}, need ${points.length}`);
  const p = new Float64Array(3);
  const n = points.length;
  switch (camera.type) {
    case 'orthographic': {
      const { scale, cx, cy } = camera;
      for (let i = 0; i < n; i += 3) {
        toCameraFrame(camera, points[i], points[i + 1], points[i + 2], p);
        res[i] = cx + scale * p[0];
        res[i + 1] = cy - scale * p[1];
        res[i + 2] = -p[2];
      }
      return res;
    }
    case 'weak-perspective': {
      const { scale, tx, ty, width, height } = camera;
      const hw = width / 2, hh = height / 2;
      for (let i = 0; i < n; i += 3) {
        toCameraFrame(camera, points[i], points[i + 1], points[i + 2], p);
        const x = scale * (p[0] + tx);
        const y = scale * (p[1] + ty);
        res[i] = (x + 1) * hw;
        res[i + 1] = (1 - y) * hh;
        res[i + 2] = -p[2];
      }
      return res;
    }
    case 'pinhole': {
      const { fx, fy, cx, cy } = camera;
      for (let i = 0; i < n; i += 3) {
        toCameraFrame(camera, points[i], points[i + 1], points[i + 2], p);
        const depth = -p[2];
        if (depth > 0) {
          res[i] = cx + (fx * p[0]) / depth;
          res[i + 1] = cy - (fy * p[1]) / depth;
        } else {
          res[i] = Number.NaN;
          res[i + 1] = Number.NaN;
        }
        res[i + 2] = depth;
      }
      return res;
    }
    default: {
      const never: never = camera;
      throw new TypeError(`unknown camera type ${(never as { type: string }).type}`);
    }
  }
}

/** Projects a single point; returns `[u, v, depth]`. See {@link project}. */
export function projectPoint(camera: Camera, x: number, y: number, z: number): [number, number, number] {
  const r = project(camera, Float64Array.of(x, y, z));
  return [r[0], r[1], r[2]];
}

/**
 * Inverse of {@link project} for one pixel: the model-frame point that projects to `(u, v)` at the given
 * depth (`depth = -Z_cam`, as returned by `project`). Exact for every camera type; for the affine cameras depth
 * only sets Z.
 *
 * @returns `[X, Y, Z]` in the model frame (extrinsics undone: `X = Rᵀ (X_cam - t)`).
 */
export function unproject(camera: Camera, u: number, v: number, depth: number): [number, number, number] {
  let xc: number, yc: number;
  const zc = -depth;
  switch (camera.type) {
    case 'orthographic':
      xc = (u - camera.cx) / camera.scale;
      yc = (camera.cy - v) / camera.scale;
      break;
    case 'weak-perspective': {
      const x = (2 * u) / camera.width - 1;
      const y = 1 - (2 * v) / camera.height;
      xc = x / camera.scale - camera.tx;
      yc = y / camera.scale - camera.ty;
      break;
    }
    case 'pinhole':
      xc = ((u - camera.cx) * depth) / camera.fx;
      yc = ((camera.cy - v) * depth) / camera.fy;
      break;
    default: {
      const never: never = camera;
      throw new TypeError(`unknown camera type ${(never as { type: string }).type}`);
    }
  }
  const t = camera.translation ?? [0, 0, 0];
  const dx = xc - t[0], dy = yc - t[1], dz = zc - t[2];
  const r = camera.rotation;
  if (!r) return [dx, dy, dz];
  // Rotation inverse = transpose.
  return [
    r[0] * dx + r[3] * dy + r[6] * dz,
    r[1] * dx + r[4] * dy + r[7] * dz,
    r[2] * dx + r[5] * dy + r[8] * dz,
  ];
}

/**
 * Transforms N x 3 model-frame points into the camera frame (`R · X + t`), e.g. for depth maps or for lighting
 * in camera space.
 */
export function toCameraSpace(camera: Camera, points: Float32Array | Float64Array, out?: Float32Array): Float32Array {
  const res = out ?? new Float32Array(points.length);
  const p = new Float64Array(3);
  for (let i = 0; i < points.length; i += 3) {
    toCameraFrame(camera, points[i], points[i + 1], points[i + 2], p);
    res[i] = p[0]; res[i + 1] = p[1]; res[i + 2] = p[2];
  }
  return res;
}
