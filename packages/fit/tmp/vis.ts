import { loadIctFaceKit } from '@facekit/bfm/node';
import { createHumanDetector } from '@facekit/detect/node';
import { readImage, encodePng } from '@facekit/core/node';
import { project, rasterize, interpolateAttributes, shadeVertices, computeVertexNormals, toFloatImage } from '@facekit/core';
import { writeFileSync } from 'node:fs';
import { fitFace } from '../src/index.js';
const m = await loadIctFaceKit('/work/shared/data/ict-facekit');
const img = await readImage(process.argv[2] ?? '/work/main/examples/astronaut.png');
const det = await createHumanDetector();
const face = (await det.detect(img))[0];
const opts = JSON.parse(process.argv[3] ?? '{}');
const { reconstruction: r, diagnostics: d } = fitFace(img, face, m, opts);
console.log(d.photometric, r.pose, r.timings);
const W = img.width, H = img.height;
const scr = project(r.camera, r.mesh.positions);
const ras = rasterize(scr, r.mesh.triangles, W, H);
// camera-frame normals
const R = r.camera.rotation!;
const n = computeVertexNormals(r.mesh.positions, r.mesh.triangles);
const nc = new Float32Array(n.length);
for (let i = 0; i < n.length; i += 3) for (let a = 0; a < 3; a++) nc[i + a] = R[3*a]*n[i] + R[3*a+1]*n[i+1] + R[3*a+2]*n[i+2];
const col = shadeVertices(nc, r.albedo!, r.lighting!);
const shade = shadeVertices(nc, null, r.lighting!);
const rend = interpolateAttributes(ras, r.mesh.triangles, col, 3);
const rend2 = interpolateAttributes(ras, r.mesh.triangles, shade.map(v => v * 0.6), 3);
const f = toFloatImage(img);
const out = new Float32Array(W * 3 * H * 3);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
  const p = y * W + x; const o = (y * 3 * W + x) * 3 + c;
  out[o] = f.data[p * 3 + c];
  out[o + W * 3] = ras.triangleIds[p] >= 0 ? rend[p * 3 + c] : f.data[p * 3 + c];
  out[o + 2 * W * 3] = ras.triangleIds[p] >= 0 ? rend2[p * 3 + c] : f.data[p * 3 + c] * 0.5;
}
for (let k = 0; k < 68; k++) for (const [pts, cc] of [[face.landmarks68!, [0,1,0]], [r.landmarks2d!, [1,0,0]]] as const) {
  const x = Math.round(pts[2*k]), y = Math.round(pts[2*k+1]);
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) { const xx = x + dx, yy = y + dy; if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue; for (let c = 0; c < 3; c++) out[(yy * 3 * W + xx) * 3 + c] = cc[c]; }
}
writeFileSync('/tmp/fitvis.png', await encodePng({ width: 3 * W, height: H, channels: 3, data: out }));
