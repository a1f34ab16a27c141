import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  axisAngleToMatrix,
  axisAnglesToMatrices,
  matrixToAxisAngle,
  matricesToAxisAngles,
  matrixToQuaternion,
  quaternionToMatrix,
  axisAngleToQuaternion,
  quaternionToAxisAngle,
  multiplyQuaternions,
  eulerToMatrix,
  matrixToEuler,
  multiplyMatrices3,
  transposeMatrix3,
  transformPoints,
} from '../src/math/rotations.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomAxisAngle(r: () => number, maxAngle = Math.PI - 1e-3): number[] {
  let x: number, y: number, z: number, n: number;
  do {
    x = 2 * r() - 1; y = 2 * r() - 1; z = 2 * r() - 1;
    n = Math.hypot(x, y, z);
  } while (n < 0.1 || n > 1);
  const angle = r() * maxAngle;
  return [(x / n) * angle, (y / n) * angle, (z / n) * angle];
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, msg = ''): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `${msg} [${i}] ${a[i]} vs ${b[i]} (tol ${tol})`);
  }
}

function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

function assertRotation(m: ArrayLike<number>, tol = 1e-12): void {
  const mtm = multiplyMatrices3(transposeMatrix3(m), m);
  close(mtm, [1, 0, 0, 0, 1, 0, 0, 0, 1], tol, 'R^T R');
  assert.ok(Math.abs(det3(m) - 1) < tol, `det ${det3(m)}`);
}

/** Matrix exponential of the skew matrix [w]x by Taylor series (independent of Rodrigues' formula). */
function expSkew(w: number[]): number[] {
  const k = [0, -w[2], w[1], w[2], 0, -w[0], -w[1], w[0], 0];
  let term = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const sum = term.slice();
  for (let n = 1; n < 40; n++) {
    term = Array.from(multiplyMatrices3(term, k)).map((v) => v / n);
    for (let i = 0; i < 9; i++) sum[i] += term[i];
  }
  return sum;
}

function apply(m: ArrayLike<number>, v: number[]): number[] {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

test('Rodrigues matrices are orthonormal with det 1 and match the matrix exponential', () => {
  const r = rng(1);
  for (let i = 0; i < 200; i++) {
    const aa = randomAxisAngle(r);
    const m = axisAngleToMatrix(aa);
    assertRotation(m);
    close(m, expSkew(aa), 1e-10, 'exp');
  }
});

test('axis-angle -> matrix -> axis-angle round trip', () => {
  const r = rng(2);
  for (let i = 0; i < 300; i++) {
    const aa = randomAxisAngle(r);
    close(matrixToAxisAngle(axisAngleToMatrix(aa)), aa, 1e-9, 'aa');
  }
});

test('small angles and zero are exact', () => {
  close(axisAngleToMatrix([0, 0, 0]), [1, 0, 0, 0, 1, 0, 0, 0, 1], 0);
  const tiny = [1e-10, -2e-10, 3e-10];
  close(axisAngleToMatrix(tiny), expSkew(tiny), 1e-15);
  close(matrixToAxisAngle(axisAngleToMatrix(tiny)), tiny, 1e-15);
  close(quaternionToAxisAngle(axisAngleToQuaternion(tiny)), tiny, 1e-18);
});

test('angles near pi round trip up to the sign ambiguity', () => {
  const r = rng(3);
  for (let i = 0; i < 50; i++) {
    const aa = randomAxisAngle(r);
    const n = Math.hypot(aa[0], aa[1], aa[2]);
    const near = aa.map((v) => (v / n) * (Math.PI - 1e-7));
    const m = axisAngleToMatrix(near);
    close(axisAngleToMatrix(matrixToAxisAngle(m)), m, 1e-9, 'near pi');
  }
});

test('matrix <-> quaternion round trips, and the quaternion product matches the matrix product', () => {
  const r = rng(4);
  for (let i = 0; i < 300; i++) {
    const a = randomAxisAngle(r), b = randomAxisAngle(r);
    const ma = axisAngleToMatrix(a), mb = axisAngleToMatrix(b);
    const qa = matrixToQuaternion(ma);
    assert.ok(Math.abs(Math.hypot(...qa) - 1) < 1e-12);
    close(quaternionToMatrix(qa), ma, 1e-12, 'q->m');
    close(quaternionToMatrix(axisAngleToQuaternion(a)), ma, 1e-12, 'aa->q->m');
    const qab = multiplyQuaternions(qa, matrixToQuaternion(mb));
    close(quaternionToMatrix(qab), multiplyMatrices3(ma, mb), 1e-12, 'q product');
  }
});

test('euler -> matrix -> euler round trip (away from gimbal lock)', () => {
  const r = rng(5);
  for (let i = 0; i < 300; i++) {
    const e = { yaw: r() * 358 - 179, pitch: r() * 170 - 85, roll: r() * 358 - 179 };
    const m = eulerToMatrix(e);
    assertRotation(m);
    const back = matrixToEuler(m);
    close([back.yaw, back.pitch, back.roll], [e.yaw, e.pitch, e.roll], 1e-8, 'euler');
  }
});

test('euler convention: R = Ry(yaw) Rx(pitch) Rz(roll) built from axis-angles', () => {
  const r = rng(6);
  const d = Math.PI / 180;
  for (let i = 0; i < 50; i++) {
    const e = { yaw: r() * 180 - 90, pitch: r() * 180 - 90, roll: r() * 180 - 90 };
    const expected = multiplyMatrices3(
      multiplyMatrices3(axisAngleToMatrix([0, e.yaw * d, 0]), axisAngleToMatrix([e.pitch * d, 0, 0])),
      axisAngleToMatrix([0, 0, e.roll * d]),
    );
    close(eulerToMatrix(e), expected, 1e-12);
  }
});

test('euler signs: yaw +90 maps +z to +x, pitch > 0 turns +z to -y, roll > 0 turns +y to -x', () => {
  close(apply(eulerToMatrix({ yaw: 90, pitch: 0, roll: 0 }), [0, 0, 1]), [1, 0, 0], 1e-12, 'yaw');
  const p = apply(eulerToMatrix({ yaw: 0, pitch: 30, roll: 0 }), [0, 0, 1]);
  assert.ok(p[1] < -0.49 && Math.abs(p[0]) < 1e-12, `pitch nose ${p}`);
  const q = apply(eulerToMatrix({ yaw: 0, pitch: 0, roll: 30 }), [0, 1, 0]);
  assert.ok(q[0] < -0.49 && Math.abs(q[2]) < 1e-12, `roll top ${q}`);
});

test('gimbal lock returns a valid decomposition', () => {
  for (const pitch of [90, -90]) {
    const m = eulerToMatrix({ yaw: 20, pitch, roll: 10 });
    const e = matrixToEuler(m);
    assert.ok(Math.abs(Math.abs(e.pitch) - 90) < 1e-3);
    assert.equal(e.roll, 0);
    close(eulerToMatrix(e), m, 1e-6, 'gimbal');
  }
});

test('batched conversions match the single versions', () => {
  const r = rng(7);
  const aa = new Float64Array(30);
  for (let i = 0; i < 10; i++) aa.set(randomAxisAngle(r), i * 3);
  const ms = axisAnglesToMatrices(aa);
  for (let i = 0; i < 10; i++) close(ms.subarray(i * 9, i * 9 + 9), axisAngleToMatrix(aa.subarray(i * 3, i * 3 + 3)), 0);
  close(matricesToAxisAngles(ms), aa, 1e-9);
  assert.throws(() => axisAnglesToMatrices([1, 2]), RangeError);
});

test('transformPoints applies s R p + t', () => {
  const m = axisAngleToMatrix([0.3, -0.2, 0.9]);
  const pts = Float32Array.of(1, 2, 3, -1, 0.5, 2);
  const out = transformPoints(pts, m, [1, 2, 3], 2);
  for (let i = 0; i < 2; i++) {
    const e = apply(m, Array.from(pts.subarray(i * 3, i * 3 + 3))).map((v, k) => 2 * v + [1, 2, 3][k]);
    close(out.subarray(i * 3, i * 3 + 3), e, 1e-5);
  }
});
