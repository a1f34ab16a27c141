/**
 * Rotations in the four forms face models use: axis-angle (Rodrigues vectors, as FLAME and DECA store pose),
 * Euler head angles (yaw/pitch/roll in degrees, as reports show them), unit quaternions (glTF / three.js order
 * `[x, y, z, w]`) and 3x3 matrices, **row-major** (`m[r * 3 + c]`, the order of three.js `Matrix3.set`).
 *
 * Frame: right-handed, x to the subject's left as seen by a camera in front (image right), y up, z out of the
 * face towards the camera (FLAME, ICT-FaceKit and OpenGL use it). All angles are right-hand rotations about
 * those axes.
 *
 * Euler convention: `R = Ry(yaw) · Rx(pitch) · Rz(roll)` (intrinsic yaw, then pitch, then roll).
 * - positive **yaw** turns the nose towards +x (image right: the subject turns to their left),
 * - positive **pitch** turns the nose towards -y (the subject looks down),
 * - positive **roll** turns the top of the head towards -x (image left: a counter-clockwise tilt in the image).
 */

/** A 3x3 rotation matrix, row-major. */
export type Matrix3 = Float64Array | Float32Array | number[];

/** Head angles in degrees; see the module docs for the convention. */
export interface EulerAngles {
  yaw: number;
  pitch: number;
  roll: number;
}

const DEG = Math.PI / 180;

/**
 * Rodrigues: axis-angle vector `(rx, ry, rz)` (direction = axis, norm = angle in radians) to a row-major matrix.
 * Exact near zero (uses the series form below 1e-8 rad).
 */
export function axisAngleToMatrix(
  aa: ArrayLike<number>,
  out: Float64Array | Float32Array = new Float64Array(9),
  inOffset = 0,
  outOffset = 0,
): Float64Array | Float32Array {
  const x = aa[inOffset], y = aa[inOffset + 1], z = aa[inOffset + 2];
  const theta2 = x * x + y * y + z * z;
  const theta = Math.sqrt(theta2);
  let a: number, b: number, c: number;
  if (theta < 1e-8) {
    a = 1 - theta2 / 6; // sin(t)/t
    b = 0.5 - theta2 / 24; // (1-cos t)/t^2
    c = 1 - theta2 / 2; // cos t
  } else {
    a = Math.sin(theta) / theta;
    b = (1 - Math.cos(theta)) / theta2;
    c = Math.cos(theta);
  }
  const o = outOffset;
  out[o] = c + b * x * x;
  out[o + 1] = b * x * y - a * z;
  out[o + 2] = b * x * z + a * y;
  out[o + 3] = b * x * y + a * z;
  out[o + 4] = c + b * y * y;
  out[o + 5] = b * y * z - a * x;
  out[o + 6] = b * x * z - a * y;
  out[o + 7] = b * y * z + a * x;
  out[o + 8] = c + b * z * z;
  return out;
}

/** Batched Rodrigues: `aa` holds N x 3 axis-angle vectors, `out` receives N x 9 row-major matrices. */
export function axisAnglesToMatrices(aa: ArrayLike<number>, out?: Float32Array | Float64Array): Float32Array | Float64Array {
  if (aa.length % 3 !== 0) throw new RangeError(`axis-angle array length ${aa.length} is not a multiple of 3`);
  const n = aa.length / 3;
  const dst = out ?? new Float64Array(n * 9);
  if (dst.length < n * 9) throw new RangeError(`output holds ${dst.length} values, need ${n * 9}`);
  for (let i = 0; i < n; i++) axisAngleToMatrix(aa, dst, i * 3, i * 9);
  return dst;
}

/** Inverse Rodrigues: rotation matrix to axis-angle vector (angle in [0, pi]). */
export function matrixToAxisAngle(m: ArrayLike<number>, out: Float64Array = new Float64Array(3), mOffset = 0): Float64Array {
  const q = matrixToQuaternion(m, new Float64Array(4), mOffset);
  return quaternionToAxisAngle(q, out);
}

/** Batched inverse Rodrigues: N x 9 matrices to N x 3 axis-angle vectors. */
export function matricesToAxisAngles(m: ArrayLike<number>): Float64Array {
  if (m.length % 9 !== 0) throw new RangeError(`matrix array length ${m.length} is not a multiple of 9`);
  const n = m.length / 9;
  const out = new Float64Array(n * 3);
  const tmp = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    matrixToAxisAngle(m, tmp, i * 9);
    out.set(tmp, i * 3);
  }
  return out;
}

/** Unit quaternion `[x, y, z, w]` from a rotation matrix (Shepperd's method, stable for every angle). */
export function matrixToQuaternion(m: ArrayLike<number>, out: Float64Array = new Float64Array(4), o = 0): Float64Array {
  const m00 = m[o], m01 = m[o + 1], m02 = m[o + 2];
  const m10 = m[o + 3], m11 = m[o + 4], m12 = m[o + 5];
  const m20 = m[o + 6], m21 = m[o + 7], m22 = m[o + 8];
  const trace = m00 + m11 + m22;
  let x: number, y: number, z: number, w: number;
  if (trace > 0) {
    const s = 0.5 / Math.sqrt(trace + 1);
    w = 0.25 / s;
    x = (m21 - m12) * s;
    y = (m02 - m20) * s;
    z = (m10 - m01) * s;
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    w = (m21 - m12) / s;
    x = 0.25 * s;
    y = (m01 + m10) / s;
    z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    w = (m02 - m20) / s;
    x = (m01 + m10) / s;
    y = 0.25 * s;
    z = (m12 + m21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    w = (m10 - m01) / s;
    x = (m02 + m20) / s;
    y = (m12 + m21) / s;
    z = 0.25 * s;
  }
  const n = Math.hypot(x, y, z, w);
  out[0] = x / n;
  out[1] = y / n;
  out[2] = z / n;
  out[3] = w / n;
  return out;
}

/** Row-major rotation matrix from a quaternion `[x, y, z, w]` (normalised first). */
export function quaternionToMatrix(q: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  if (n === 0) throw new RangeError('quaternion has zero length');
  const x = q[0] / n, y = q[1] / n, z = q[2] / n, w = q[3] / n;
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - z * w);
  out[2] = 2 * (x * z + y * w);
  out[3] = 2 * (x * y + z * w);
  out[4] = 1 - 2 * (x * x + z * z);
  out[5] = 2 * (y * z - x * w);
  out[6] = 2 * (x * z - y * w);
  out[7] = 2 * (y * z + x * w);
  out[8] = 1 - 2 * (x * x + y * y);
  return out;
}

/** Quaternion `[x, y, z, w]` from an axis-angle vector. */
export function axisAngleToQuaternion(aa: ArrayLike<number>, out: Float64Array = new Float64Array(4)): Float64Array {
  const theta = Math.hypot(aa[0], aa[1], aa[2]);
  if (theta < 1e-12) {
    out[0] = aa[0] / 2;
    out[1] = aa[1] / 2;
    out[2] = aa[2] / 2;
    out[3] = 1;
    return out;
  }
  const s = Math.sin(theta / 2) / theta;
  out[0] = aa[0] * s;
  out[1] = aa[1] * s;
  out[2] = aa[2] * s;
  out[3] = Math.cos(theta / 2);
  return out;
}

/** Axis-angle vector (angle in [0, pi]) from a quaternion `[x, y, z, w]`. */
export function quaternionToAxisAngle(q: ArrayLike<number>, out: Float64Array = new Float64Array(3)): Float64Array {
  let x = q[0], y = q[1], z = q[2], w = q[3];
  if (w < 0) {
    x = -x; y = -y; z = -z; w = -w;
  }
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) {
    out[0] = 2 * x;
    out[1] = 2 * y;
    out[2] = 2 * z;
    return out;
  }
  const angle = 2 * Math.atan2(s, w);
  out[0] = (x / s) * angle;
  out[1] = (y / s) * angle;
  out[2] = (z / s) * angle;
  return out;
}

/** Hamilton product `a * b` of quaternions `[x, y, z, w]` (apply b, then a). */
export function multiplyQuaternions(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array = new Float64Array(4)): Float64Array {
  const ax = a[0], ay = a[1], az = a[2], aw = a[3];
  const bx = b[0], by = b[1], bz = b[2], bw = b[3];
  out[0] = aw * bx + ax * bw + ay * bz - az * by;
  out[1] = aw * by - ax * bz + ay * bw + az * bx;
  out[2] = aw * bz + ax * by - ay * bx + az * bw;
  out[3] = aw * bw - ax * bx - ay * by - az * bz;
  return out;
}

/** Rotation matrix from head angles in degrees: `R = Ry(yaw) · Rx(pitch) · Rz(roll)`. */
export function eulerToMatrix(angles: EulerAngles, out: Float64Array = new Float64Array(9)): Float64Array {
  const cy = Math.cos(angles.yaw * DEG), sy = Math.sin(angles.yaw * DEG);
  const cp = Math.cos(angles.pitch * DEG), sp = Math.sin(angles.pitch * DEG);
  const cr = Math.cos(angles.roll * DEG), sr = Math.sin(angles.roll * DEG);
  // Ry * Rx
  // Ry = [cy 0 sy; 0 1 0; -sy 0 cy], Rx = [1 0 0; 0 cp -sp; 0 sp cp], Rz = [cr -sr 0; sr cr 0; 0 0 1]
  const a00 = cy, a01 = sy * sp, a02 = sy * cp;
  const a10 = 0, a11 = cp, a12 = -sp;
  const a20 = -sy, a21 = cy * sp, a22 = cy * cp;
  out[0] = a00 * cr + a01 * sr;
  out[1] = -a00 * sr + a01 * cr;
  out[2] = a02;
  out[3] = a10 * cr + a11 * sr;
  out[4] = -a10 * sr + a11 * cr;
  out[5] = a12;
  out[6] = a20 * cr + a21 * sr;
  out[7] = -a20 * sr + a21 * cr;
  out[8] = a22;
  return out;
}

/**
 * Head angles in degrees from a rotation matrix (inverse of {@link eulerToMatrix}). Pitch lies in [-90, 90];
 * at the gimbal lock (|pitch| = 90) roll is set to 0 and the whole in-plane angle goes to yaw.
 */
export function matrixToEuler(m: ArrayLike<number>): EulerAngles {
  // m12 = -sin(pitch); m02 = sy cp; m22 = cy cp; m10 = cp sr; m11 = cp cr
  const sp = Math.max(-1, Math.min(1, -m[5]));
  const pitch = Math.asin(sp);
  let yaw: number, roll: number;
  if (Math.abs(sp) < 1 - 1e-9) {
    yaw = Math.atan2(m[2], m[8]);
    roll = Math.atan2(m[3], m[4]);
  } else {
    roll = 0;
    yaw = Math.atan2(-m[6], m[0]);
  }
  return { yaw: yaw / DEG, pitch: pitch / DEG, roll: roll / DEG };
}

/** Row-major 3x3 product `a · b`. */
export function multiplyMatrices3(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const r0 = a[0] * b[0] + a[1] * b[3] + a[2] * b[6];
  const r1 = a[0] * b[1] + a[1] * b[4] + a[2] * b[7];
  const r2 = a[0] * b[2] + a[1] * b[5] + a[2] * b[8];
  const r3 = a[3] * b[0] + a[4] * b[3] + a[5] * b[6];
  const r4 = a[3] * b[1] + a[4] * b[4] + a[5] * b[7];
  const r5 = a[3] * b[2] + a[4] * b[5] + a[5] * b[8];
  const r6 = a[6] * b[0] + a[7] * b[3] + a[8] * b[6];
  const r7 = a[6] * b[1] + a[7] * b[4] + a[8] * b[7];
  const r8 = a[6] * b[2] + a[7] * b[5] + a[8] * b[8];
  out[0] = r0; out[1] = r1; out[2] = r2;
  out[3] = r3; out[4] = r4; out[5] = r5;
  out[6] = r6; out[7] = r7; out[8] = r8;
  return out;
}

/** Transpose (= inverse, for a rotation) of a row-major 3x3 matrix. */
export function transposeMatrix3(m: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const m1 = m[1], m2 = m[2], m5 = m[5];
  out[0] = m[0]; out[4] = m[4]; out[8] = m[8];
  out[1] = m[3]; out[3] = m1;
  out[2] = m[6]; out[6] = m2;
  out[5] = m[7]; out[7] = m5;
  return out;
}

/**
 * Applies `p' = scale · R · p + t` to N x 3 points in place of `out` (which may be `points` itself).
 * `translation` defaults to zero and `scale` to 1.
 */
export function transformPoints(
  points: Float32Array,
  rotation: ArrayLike<number>,
  translation: ArrayLike<number> = [0, 0, 0],
  scale = 1,
  out: Float32Array = new Float32Array(points.length),
): Float32Array {
  const r0 = rotation[0] * scale, r1 = rotation[1] * scale, r2 = rotation[2] * scale;
  const r3 = rotation[3] * scale, r4 = rotation[4] * scale, r5 = rotation[5] * scale;
  const r6 = rotation[6] * scale, r7 = rotation[7] * scale, r8 = rotation[8] * scale;
  const tx = translation[0], ty = translation[1], tz = translation[2];
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    out[i] = r0 * x + r1 * y + r2 * z + tx;
    out[i + 1] = r3 * x + r4 * y + r5 * z + ty;
    out[i + 2] = r6 * x + r7 * y + r8 * z + tz;
  }
  return out;
}
