import { readFileSync } from 'node:fs';
import { procrustes, matrixToEuler } from '@facekit/core';
type O = { file: string; tag: string; w: number; h: number; box: number[]; dense: number[] };
const obs: O[] = JSON.parse(readFileSync('/tmp/obs.json', 'utf8'));
const unclamped = obs.filter((o) => o.box[0] > 0 && o.box[1] > 0 && o.box[0] + o.box[2] < o.w && o.box[1] + o.box[3] < o.h);
console.log('unclamped', unclamped.length, unclamped.map((o) => o.file + o.tag).join(' '));
function pts(o: O, m: number): Float64Array { const p = new Float64Array(468 * 3); const k = m * o.box[2] / 192; for (let i = 0; i < 468; i++) { p[3*i] = o.dense[3*i]; p[3*i+1] = -o.dense[3*i+1]; p[3*i+2] = -o.dense[3*i+2] * k; } return p; }
function apply(T: { scale: number; rotation: ArrayLike<number>; translation: ArrayLike<number> }, p: Float64Array): Float64Array { const r = T.rotation, o = new Float64Array(p.length); for (let i = 0; i < p.length; i += 3) { for (let a = 0; a < 3; a++) o[i+a] = T.scale * (r[3*a]*p[i] + r[3*a+1]*p[i+1] + r[3*a+2]*p[i+2]) + T.translation[a]; } return o; }
function gpa(set: Float64Array[]): { mean: Float64Array; rms: number } {
  let mean = set[0].slice();
  // normalize mean: centre + unit rms
  const norm = (m: Float64Array) => { let c = [0,0,0]; for (let i = 0; i < m.length; i += 3) for (let a = 0; a < 3; a++) c[a] += m[i+a] / 468; let s = 0; for (let i = 0; i < m.length; i += 3) for (let a = 0; a < 3; a++) { m[i+a] -= c[a]; s += m[i+a]**2; } s = Math.sqrt(s / 468); for (let i = 0; i < m.length; i++) m[i] /= s; return m; };
  mean = norm(mean);
  let rms = 0;
  for (let it = 0; it < 10; it++) {
    const acc = new Float64Array(mean.length); rms = 0;
    for (const p of set) { const T = procrustes(p, mean); rms += T.rms ** 2; const q = apply(T, p); for (let i = 0; i < q.length; i++) acc[i] += q[i] / set.length; }
    const R = procrustes(acc, mean, { withScale: false }); mean = norm(apply(R, acc));
    rms = Math.sqrt(rms / set.length);
  }
  return { mean, rms };
}
for (const m of [0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0]) {
  const { rms } = gpa(unclamped.map((o) => pts(o, m)));
  console.log('m', m, 'rms', rms.toFixed(5));
}
