import { loadIctFaceKit } from '@facekit/bfm/node';
import { performance } from 'node:perf_hooks';
const m = await loadIctFaceKit('/work/shared/data/ict-facekit');
const sub = m.subset({ vertexCount: 11248 });
const n = sub.mean.length;
const norms = [];
for (let k = 0; k < sub.modeCount; k++) { let s = 0; for (let i = 0; i < n; i++) s += sub.basis[k*n+i]**2; norms.push(Math.sqrt(s / (n/3)).toFixed(3)); }
console.log(norms.slice(0,100).join(' '));
console.log(norms.slice(100).join(' '));
console.log(JSON.stringify(sub.parameters.map(p => ({n: p.name, prior: p.prior, range: p.range}))));
const out = new Float32Array(n);
const id = new Float32Array(100).fill(0.5), ex = new Float32Array(53).fill(0.1);
sub.decode({identity: id, expression: ex}, out);
let t = performance.now();
for (let i = 0; i < 50; i++) sub.decode({identity: id, expression: ex}, out);
console.log('decode ms', (performance.now() - t)/50);
console.log(sub.landmarks68!.faces.length);
