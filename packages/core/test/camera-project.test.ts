import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  project,
  projectPoint,
  unproject,
  toCameraSpace,
  cropCameraToImage,
  imageCameraToCrop,
  transformCameraPixels,
  projectWithImageTransform,
  weakPerspectiveToOrthographic,
  headPoseFromCamera,
  headPoseFromRotation,
  ERR_CAMERA_TRANSFORM,
  type Camera,
} from '../src/camera/index.js';
import { axisAngleToMatrix, eulerToMatrix } from '../src/math/rotations.js';
import { applyAffine, invertAffine, similarityToAffine, estimateSimilarity } from '../src/math/affine2d.js';
import { createIcosphere } from '../src/mesh/primitives.js';
import { FacekitError } from '../src/util/errors.js';

const R = Array.from(axisAngleToMatrix([0.2, -0.4, 0.1]));

const cameras: Camera[] = [
  { type: 'orthographic', scale: 50, cx: 120, cy: 90, rotation: R, translation: [0.1, -0.2, -3] },
  { type: 'weak-perspective', scale: 0.8, tx: 0.05, ty: -0.1, width: 224, height: 224, rotation: R },
  { type: 'weak-perspective', scale: 0.8, tx: 0.05, ty: -0.1, width: 320, height: 240 },
  { type: 'pinhole', fx: 800, fy: 780, cx: 320, cy: 240, rotation: R, translation: [0, 0, -5] },
];

function points(): Float32Array {
  return createIcosphere(1, { radius: 0.5 }).positions;
}

test('project follows the documented formulas', () => {
  const X = 0.3, Y = -0.2, Z = 0.1;
  const o = projectPoint({ type: 'orthographic', scale: 10, cx: 5, cy: 7 }, X, Y, Z);
  assert.deepEqual(o.map((v) => +v.toFixed(5)), [5 + 3, 7 + 2, -0.1]);
  // DECA batch_orth_proj by hand: x = s (X + tx), y = s (Y + ty); pixels u = (x + 1) 112, v = (1 - y) 112.
  const s = 0.9, tx = 0.02, ty = -0.05;
  const w = projectPoint({ type: 'weak-perspective', scale: s, tx, ty, width: 224, height: 224 }, X, Y, Z);
  assert.ok(Math.abs(w[0] - (s * (X + tx) + 1) * 112) < 1e-4);
  assert.ok(Math.abs(w[1] - (1 - s * (Y + ty)) * 112) < 1e-4);
  assert.ok(Math.abs(w[2] + Z) < 1e-7);
  // Pinhole looking down -Z: a point straight ahead at distance 2 projects to the principal point.
  const p = projectPoint({ type: 'pinhole', fx: 100, fy: 100, cx: 50, cy: 40 }, 0.2, 0.4, -2);
  assert.ok(Math.abs(p[0] - (50 + 100 * 0.1)) < 1e-4 && Math.abs(p[1] - (40 - 100 * 0.2)) < 1e-4 && p[2] === 2);
  const behind = projectPoint({ type: 'pinhole', fx: 100, fy: 100, cx: 50, cy: 40 }, 0, 0, 1);
  assert.ok(Number.isNaN(behind[0]) && behind[2] === -1);
  // Extrinsics applied first: rotation then translation.
  const rot = Array.from(eulerToMatrix({ yaw: 90, pitch: 0, roll: 0 }));
  const e = projectPoint({ type: 'orthographic', scale: 1, cx: 0, cy: 0, rotation: rot, translation: [1, 0, 0] }, 0, 0, 1);
  assert.ok(Math.abs(e[0] - 2) < 1e-6 && Math.abs(e[2]) < 1e-6);
});

test('project and unproject round trip for every camera type', () => {
  const pts = points();
  for (const cam of cameras) {
    const uvd = project(cam, pts);
    for (let i = 0; i < pts.length; i += 3) {
      const back = unproject(cam, uvd[i], uvd[i + 1], uvd[i + 2]);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(back[c] - pts[i + c]) < 1e-4, `${cam.type}: ${back} vs ${pts.subarray(i, i + 3)}`);
    }
    // out may alias the input.
    const alias = pts.slice();
    project(cam, alias, alias);
    assert.deepEqual(alias, uvd);
  }
  const cs = toCameraSpace(cameras[3], Float32Array.of(0, 0, 0));
  assert.deepEqual(Array.from(cs), [0, 0, -5]);
});

/** Projects through the camera, then maps pixels by `m`. */
function projectThenMap(cam: Camera, pts: Float32Array, m: ArrayLike<number>): number[] {
  const uvd = project(cam, pts);
  const out: number[] = [];
  for (let i = 0; i < uvd.length; i += 3) out.push(...applyAffine(m, uvd[i], uvd[i + 1]), uvd[i + 2]);
  return out;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, msg: string): void {
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${msg} [${i}] ${a[i]} vs ${b[i]}`);
}

test('crop camera -> image camera equals projecting then mapping through the inverse crop', () => {
  const pts = points();
  // Crop made from the original photo by a rotating similarity (e.g. eye-aligned 224 crop of a 1000 px photo).
  const crop = similarityToAffine({ scale: 0.31, angle: 0.25, tx: -40, ty: 12 });
  const inv = invertAffine(crop);
  const squareCams: Camera[] = [
    cameras[0],
    cameras[1],
    { type: 'pinhole', fx: 800, fy: 800, cx: 112, cy: 112, rotation: R, translation: [0.1, 0.2, -5] },
  ];
  for (const cam of squareCams) {
    const imgCam = cropCameraToImage(cam, crop);
    assert.notEqual(imgCam.type, 'weak-perspective');
    assertClose(project(imgCam, pts), projectThenMap(cam, pts, inv), 2e-3, cam.type);
    // And back.
    assertClose(project(imageCameraToCrop(imgCam, crop), pts), project(cam, pts), 2e-3, `${cam.type} back`);
  }
  // Scale + translate crop with different x/y scale: pinhole absorbs it exactly even with fx != fy.
  const aniso = [0.5, 0, 10, 0, 0.25, -3];
  const pin = cameras[3];
  assertClose(project(cropCameraToImage(pin, aniso), pts), projectThenMap(pin, pts, invertAffine(aniso)), 2e-3, 'aniso pinhole');
});

test('transforms a camera cannot absorb throw ERR_CAMERA_TRANSFORM; CameraWithImageTransform handles them', () => {
  const shear = [1, 0.3, 0, 0, 1, 0];
  const pts = points();
  for (const cam of [cameras[0], cameras[3]]) {
    assert.throws(
      () => transformCameraPixels(cam, shear),
      (e: unknown) => e instanceof FacekitError && e.code === ERR_CAMERA_TRANSFORM,
    );
    assertClose(projectWithImageTransform({ camera: cam, imageTransform: shear }, pts), projectThenMap(cam, pts, shear), 1e-3, 'with transform');
  }
  assert.throws(() => transformCameraPixels(cameras[0], [2, 0, 0, 0, 1, 0]), FacekitError); // anisotropic ortho
  assert.throws(() => transformCameraPixels(cameras[3], similarityToAffine({ scale: 1, angle: 0.3, tx: 0, ty: 0 })), FacekitError); // fx != fy
  assert.throws(() => weakPerspectiveToOrthographic(cameras[2] as Extract<Camera, { type: 'weak-perspective' }>), FacekitError);
});

test('a crop estimated from landmarks maps the DECA camera back onto the photo', () => {
  // Landmarks in photo pixels and their template positions in the 224 crop.
  const photo = [400, 300, 520, 310, 460, 420];
  const template = [70, 90, 154, 90, 112, 170];
  const crop = estimateSimilarity(photo, template);
  const deca: Camera = { type: 'weak-perspective', scale: 7.5, tx: 0.01, ty: 0.02, width: 224, height: 224 };
  const pts = points().map((v) => v * 0.2);
  const onPhoto = project(cropCameraToImage(deca, crop), pts);
  const viaCrop = projectThenMap(deca, pts, invertAffine(crop));
  assertClose(onPhoto, viaCrop, 2e-3, 'deca');
  const wp = weakPerspectiveToOrthographic(deca as Extract<Camera, { type: 'weak-perspective' }>);
  assertClose(project(wp, pts), project(deca, pts), 1e-3, 'weak -> ortho');
});

test('head pose from a camera rotation', () => {
  const rot = Array.from(eulerToMatrix({ yaw: 25, pitch: -10, roll: 5 }));
  const pose = headPoseFromCamera({ type: 'orthographic', scale: 1, cx: 0, cy: 0, rotation: rot });
  assert.ok(Math.abs(pose.yaw - 25) < 1e-9 && Math.abs(pose.pitch + 10) < 1e-9 && Math.abs(pose.roll - 5) < 1e-9);
  assert.deepEqual(headPoseFromCamera({ type: 'orthographic', scale: 1, cx: 0, cy: 0 }), { yaw: 0, pitch: 0, roll: 0 });
  assert.deepEqual(headPoseFromRotation(rot), pose);
});
