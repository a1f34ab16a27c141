import { readFileSync } from 'node:fs';
import { procrustes, matrixToEuler } from '@facekit/core';
import { MEDIAPIPE_UVS as uv } from './src/topology/mediapipe-topology.js';
type O = { file: string; tag: string; w: number; h: number; box: number[]; dense: number[] };
const obs: O[] = JSON.parse(readFileSync('/tmp/obs.json', 'utf8'));
const mirror: number[] = [];
for (let i = 0; i < 468; i++) { let best = -1, bd = 1e9; for (let j = 0; j < 468; j++) { const d = Math.hypot(1 - uv[2*i] - uv[2*j], uv[2*i+1] - uv[2*j+1]); if (d < bd) { bd = d; best = j; } } mirror.push(best); }
function pts(o: O, k: number): Float64Array { const p = new Float64Array(468 * 3); for (let i = 0; i < 468; i++) { p[3*i] = o.dense[3*i]; p[3*i+1] = -o.dense[3*i+1]; p[3*i+2] = -o.dense[3*i+2] * k; } return p; }
function apply(T: { scale: number; rotation: ArrayLike<number>; translation: ArrayLike<number> }, p: Float64Array): Float64Array { const r = T.rotation, o = new Float64Array(p.length); for (let i = 0; i < p.length; i += 3) { for (let a = 0; a < 3; a++) o[i+a] = T.scale * (r[3*a]*p[i] + r[3*a+1]*p[i+1] + r[3*a+2]*p[i+2]) + T.translation[a]; } return o; }
const a = obs.find((o) => o.file === 'astronaut.png' && o.tag === '')!;
console.log('nose z', a.dense[3*1+2], 'cheek 234 z', a.dense[3*234+2], 'box', a.box);
let S = pts(a, a.box[2] / 192);
// symmetrize
const M = new Float64Array(S.length); for (let i = 0; i < 468; i++) { const j = mirror[i]; M[3*i] = -S[3*j]; M[3*i+1] = S[3*j+1]; M[3*i+2] = S[3*j+2]; }
const T = procrustes(M, S, { withScale: false }); const Ma = apply(T, M);
for (let i = 0; i < S.length; i++) S[i] = (S[i] + Ma[i]) / 2;
// frame
const ex = [0,0,0]; for (let i = 0; i < 468; i++) if (uv[2*i] > 0.5 + 1e-3) { const j = mirror[i]; for (let c = 0; c < 3; c++) ex[c] += S[3*i+c] - S[3*j+c]; }
let n = Math.hypot(...ex); for (let c = 0; c < 3; c++) ex[c] /= n;
let ey = [0,1,0]; const d = ey[0]*ex[0]+ey[1]*ex[1]+ey[2]*ex[2]; ey = ey.map((v, c) => v - d * ex[c]); n = Math.hypot(...ey); ey = ey.map((v) => v / n);
const ez = [ex[1]*ey[2]-ex[2]*ey[1], ex[2]*ey[0]-ex[0]*ey[2], ex[0]*ey[1]-ex[1]*ey[0]];
console.log('ex', ex, 'ez', ez);
const ref = new Float64Array(S.length); const cen = [0,0,0]; for (let i = 0; i < 468; i++) for (let c = 0; c < 3; c++) cen[c] += S[3*i+c] / 468;
for (let i = 0; i < 468; i++) { const q = [0,1,2].map((c) => S[3*i+c] - cen[c]); ref[3*i] = q[0]*ex[0]+q[1]*ex[1]+q[2]*ex[2]; ref[3*i+1] = q[0]*ey[0]+q[1]*ey[1]+q[2]*ey[2]; ref[3*i+2] = q[0]*ez[0]+q[1]*ez[1]+q[2]*ez[2]; }
// eye centroid IOD
const RE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173];
const LE = RE.map((i) => mirror[i]);
console.log('LE', LE.join(','));
const cent = (p: Float64Array, ix: number[]) => [0,1,2].map((c) => ix.reduce((s, i) => s + p[3*i+c], 0) / ix.length);
const iod = (p: Float64Array) => { const r = cent(p, RE), l = cent(p, LE); return Math.hypot(l[0]-r[0], l[1]-r[1], l[2]-r[2]); };
const sc = 63 / iod(ref); for (let i = 0; i < ref.length; i++) ref[i] *= sc;
console.log('ref nose', ref[3], ref[4], ref[5], 'ref width 234-454', ref[3*454]-ref[3*234], 'depth range', Math.max(...ref.filter((_, i) => i % 3 === 2)) - Math.min(...ref.filter((_, i) => i % 3 === 2)));
function fitK(o: O): { k: number; rms: number; R: ArrayLike<number> } {
  const f = (lk: number) => procrustes(ref, pts(o, Math.exp(lk)));
  let lo = Math.log(0.05), hi = Math.log(20); const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = f(x1).rms, f2 = f(x2).rms;
  for (let it = 0; it < 40; it++) { if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = f(x1).rms; } else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = f(x2).rms; } }
  const k = Math.exp((lo + hi) / 2); const r = f(Math.log(k)); return { k, rms: r.rms, R: r.rotation };
}
for (const o of obs) {
  const { k, rms, R } = fitK(o);
  const kb = o.box[2] / 192; const rb = procrustes(ref, pts(o, kb));
  const e = matrixToEuler(R); const eb = matrixToEuler(rb.rotation);
  console.log(o.file.slice(0, 22).padEnd(22), o.tag.padEnd(4), 'kfit/kbox', (k / kb).toFixed(2), 'rms', rms.toFixed(2), rb.rms.toFixed(2), 'ypr', [e.yaw, e.pitch, e.roll].map((x) => x.toFixed(1)).join(' '), '| box', [eb.yaw, eb.pitch, eb.roll].map((x) => x.toFixed(1)).join(' '), 'iodmm', (63 * 0 + iod(pts(o, k)) / rb.scale).toFixed(1));
}
