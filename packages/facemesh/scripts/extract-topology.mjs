#!/usr/bin/env node
/**
 * Regenerates src/topology/mediapipe-topology.ts from the installed @vladmandic/human package
 * (src/face/facemeshcoords.ts: UV468 and TRI468, MediaPipe's canonical face mesh topology).
 *
 * What it changes on the way (and why):
 * - UVs: Human stores v pointing down (image rows); facekit meshes use v up, so v' = 1 - v.
 * - Triangles: reoriented so that every triangle is counter-clockwise in the UV layout (u right, v up). The UV
 *   layout is a frontal projection of the face (u grows to image right, v up), so CCW in UV = CCW when the face
 *   is seen from the camera in facekit's y-up frame, which is what facekit's `Mesh.triangles` promises.
 *
 * Run from the repository root: node packages/facemesh/scripts/extract-topology.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// The package's `exports` map hides package.json and src/; walk up from the resolved main file instead.
let root = dirname(require.resolve('@vladmandic/human'));
while (!isHumanRoot(root)) {
  if (dirname(root) === root) throw new Error('@vladmandic/human package root not found');
  root = dirname(root);
}
function isHumanRoot(dir) {
  try { return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === '@vladmandic/human'; } catch { return false; }
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const src = readFileSync(join(root, 'src/face/facemeshcoords.ts'), 'utf8');

function block(name) {
  const start = src.indexOf(`export const ${name}`);
  if (start < 0) throw new Error(`${name} not found`);
  const open = src.indexOf('= [', start) + 2;
  const end = src.indexOf('];', open);
  return src.slice(open, end + 1);
}
const uvPairs = JSON.parse(block('UV468').replace(/,\s*\]$/, ']'));
const tris = JSON.parse(block('TRI468').replace(/,\s*\]$/, ']'));
if (uvPairs.length !== 468) throw new Error(`expected 468 uvs, got ${uvPairs.length}`);
if (tris.length !== 880 * 3) throw new Error(`expected Human's 880 triangles, got ${tris.length / 3}`);

// Human's TRI468 leaves the mouth open (a 20-vertex hole between the inner lip contours); MediaPipe's canonical
// face model closes it, giving 898 triangles. Close it the same way: a strip between the upper and lower inner
// lip contours (shared corners 78 and 308), 1 + 8 x 2 + 1 = 18 triangles, appended after Human's 880 so callers
// can drop them (MOUTH_TRIANGLE_START) for an open mouth.
const upper = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
const lower = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308];
for (let i = 0; i < 10; i++) {
  if (i > 0) tris.push(upper[i], lower[i], lower[i + 1]);
  if (i < 9) tris.push(upper[i], lower[i + 1], upper[i + 1]);
}
if (tris.length !== 898 * 3) throw new Error(`expected 898 triangles after closing the mouth, got ${tris.length / 3}`);

const uv = uvPairs.flatMap(([u, v]) => [u, 1 - v]);
const nt = tris.length / 3;
const uvArea = (t) => {
  const [a, b, c] = [tris[3 * t], tris[3 * t + 1], tris[3 * t + 2]];
  return (uv[2 * b] - uv[2 * a]) * (uv[2 * c + 1] - uv[2 * a + 1]) - (uv[2 * b + 1] - uv[2 * a + 1]) * (uv[2 * c] - uv[2 * a]);
};
const before = Array.from({ length: nt }, (_, t) => uvArea(t) < 0).filter(Boolean).length;

// Consistent orientation by propagation: across every interior edge the two triangles must traverse it in
// opposite directions. Thin triangles (the closed mouth, eye corners) have UV areas near zero, so their sign in
// UV is not trusted; the global sign is then chosen so most of the UV area is counter-clockwise.
const edgeTris = new Map();
for (let t = 0; t < nt; t++) {
  for (let k = 0; k < 3; k++) {
    const a = tris[3 * t + k], b = tris[3 * t + (k + 1) % 3];
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (!edgeTris.has(key)) edgeTris.set(key, []);
    edgeTris.get(key).push(t);
  }
}
const hasDirectedEdge = (t, a, b) => {
  for (let k = 0; k < 3; k++) if (tris[3 * t + k] === a && tris[3 * t + (k + 1) % 3] === b) return true;
  return false;
};
const flip = (t) => { const b = tris[3 * t + 1]; tris[3 * t + 1] = tris[3 * t + 2]; tris[3 * t + 2] = b; };
const done = new Uint8Array(nt);
const queue = [0];
done[0] = 1;
while (queue.length) {
  const t = queue.shift();
  for (let k = 0; k < 3; k++) {
    const a = tris[3 * t + k], b = tris[3 * t + (k + 1) % 3];
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    for (const o of edgeTris.get(key)) {
      if (o === t) continue;
      if (done[o]) {
        if (hasDirectedEdge(o, a, b)) throw new Error('the mesh is not orientable');
        continue;
      }
      if (hasDirectedEdge(o, a, b)) flip(o);
      done[o] = 1;
      queue.push(o);
    }
  }
}
if (done.some((d) => d === 0)) throw new Error('the mesh is not connected');
let signedArea = 0;
for (let t = 0; t < nt; t++) signedArea += uvArea(t);
if (signedArea < 0) for (let t = 0; t < nt; t++) flip(t);
const flipped = Array.from({ length: nt }, (_, t) => uvArea(t) < 0).filter(Boolean).length;
console.log(`clockwise in UV: ${before} before, ${flipped} after`);

const fmtRows = (arr, per, fmt) => {
  const rows = [];
  for (let i = 0; i < arr.length; i += per) rows.push('  ' + arr.slice(i, i + per).map(fmt).join(', ') + ',');
  return rows.join('\n');
};
const out = `/**
 * MediaPipe face mesh topology: the 468-vertex canonical face mesh triangulation (898 triangles) and its
 * canonical UV layout, as used by the MediaPipe Face Mesh / Face Landmarker models.
 *
 * GENERATED by packages/facemesh/scripts/extract-topology.mjs from @vladmandic/human ${pkg.version}
 * (src/face/facemeshcoords.ts, arrays TRI468 and UV468). Do not edit by hand.
 *
 * Licences: the topology and UVs are Google's MediaPipe canonical face model (Apache-2.0,
 * https://github.com/google-ai-edge/mediapipe); @vladmandic/human, which ships them, is MIT
 * (Copyright (c) Vladimir Mandic).
 *
 * Changes from the source:
 * - v is flipped (v' = 1 - v): Human stores v pointing down, facekit UVs point up.
 * - Triangles 880..897 are added here: Human's TRI468 (880 triangles) leaves the mouth open, MediaPipe's
 *   canonical model closes it with 18 triangles between the inner lip contours. They are a strip between the
 *   upper (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308) and lower (78, 95, 88, 178, 87, 14, 317, 402, 318,
 *   324, 308) inner lip contours; drop them (slice to {@link MOUTH_TRIANGLE_START}) for an open mouth.
 * - Orientation made consistent (every interior edge traversed in opposite directions by its two triangles),
 *   with the global sign chosen so that the UV layout (a frontal projection of the face, u right, v up) is
 *   counter-clockwise: front faces are counter-clockwise seen from the camera in facekit's y-up frame
 *   (checked on detected meshes in test/topology.test.ts). Clockwise in UV: ${before} triangles before this
 *   step, ${flipped} after.
 * @module
 */

/** Vertices of the face mesh (the 10 iris points 468..477 of the 478-point output are not part of it). */
export const MEDIAPIPE_VERTEX_COUNT = 468;

/** Triangles of the face mesh (880 from Human + 18 closing the mouth). */
export const MEDIAPIPE_TRIANGLE_COUNT = 898;

/** Index of the first of the 18 mouth-closing triangles (880); MEDIAPIPE_TRIANGLES.slice(0, 3 * 880) keeps the mouth open. */
export const MOUTH_TRIANGLE_START = 880;

/** 898 x 3 vertex indices (< 468), counter-clockwise seen from the front in a y-up frame. */
export const MEDIAPIPE_TRIANGLES: readonly number[] = Object.freeze([
${fmtRows(tris, 24, (x) => String(x))}
]);

/** 468 x 2 per-vertex texture coordinates (u right, v up, in [0, 1]); the layout is left-right symmetric about u = 0.5. */
export const MEDIAPIPE_UVS: readonly number[] = Object.freeze([
${fmtRows(uv, 8, (x) => String(+x.toFixed(6)))}
]);
`;
const dest = join(dirname(fileURLToPath(import.meta.url)), '../src/topology/mediapipe-topology.ts');
writeFileSync(dest, out);
console.log(`wrote ${dest}: 468 uvs, 898 triangles`);
