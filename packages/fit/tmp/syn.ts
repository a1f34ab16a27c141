import { loadIctFaceKit } from '@facekit/bfm/node';
import { procrustes, applySimilarity, pointToSurface } from '@facekit/core';
import { fitFace } from '../src/index.js';
import { renderSynthetic, ICT_DIR } from '../test/helpers.js';
const m = await loadIctFaceKit(ICT_DIR);
const syn = renderSynthetic(m, { expression: { jawOpen: 0.3, mouthSmile_L: 0.5, mouthSmile_R: 0.5 } });
const lin = syn.lin;
function lm3(pos: Float32Array) { const out = new Float32Array(204); const lv = lin.landmarkVertices!, lw = lin.landmarkWeights!; for (let k = 0; k < 68; k++) for (let j = 0; j < 3; j++) for (let c = 0; c < 3; c++) out[3*k+c] += lw[3*k+j] * pos[3*lv[3*k+j]+c]; return out; }
function err(pos: Float32Array) {
  const T = procrustes(lm3(pos), lm3(syn.positions));
  const al = applySimilarity(pos, T) as Float32Array;
  const q: number[] = []; for (let i = 0; i < lin.vertexCount; i++) if (lin.fitMask[i]) q.push(syn.positions[3*i], syn.positions[3*i+1], syn.positions[3*i+2]);
  const r = pointToSurface(Float32Array.from(q), { positions: Float32Array.from(al), triangles: lin.triangles });
  let s = 0; for (const d of r.distances) s += d; return 10 * s / r.distances.length;
}
const opts = JSON.parse(process.argv[2] ?? '{}');
const t = performance.now();
const { reconstruction: r, diagnostics: d } = fitFace(syn.image, syn.face, m, opts);
console.log('ms', performance.now() - t, r.timings);
console.log('pose gt', syn.pose, 'fit', r.pose);
console.log('err fit mm', err(r.mesh.positions), 'mean', err(lin.mean));
console.log(d.photometric, d.detailEnergy);
