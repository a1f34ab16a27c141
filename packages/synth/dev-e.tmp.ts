import { loadIctFaceKit } from '@facekit/bfm/node';
import { renderSyntheticFace, truthFromSynthetic, evaluateReconstruction, meanFaceBaseline } from '@facekit/synth';
const m = await loadIctFaceKit('/work/shared/data/ict-facekit');
const f = renderSyntheticFace(m, 7, { size: 256 });
const truth = truthFromSynthetic(m, f);
let t = performance.now();
const self = evaluateReconstruction(truth, f.mesh, f.landmarks3d, { landmarks2d: f.landmarks2d });
console.log('self', (performance.now() - t).toFixed(0), JSON.stringify(self));
t = performance.now();
const b = meanFaceBaseline(m, f);
const bs = evaluateReconstruction(truth, b.mesh, b.landmarks3d, { landmarks2d: b.landmarks2d });
console.log('base', (performance.now() - t).toFixed(0), JSON.stringify(bs));
// sub-mesh predicted
t = performance.now();
const fh = m.regions!.face_head;
const bs2 = evaluateReconstruction(truth, b.mesh, b.landmarks3d, { landmarks2d: b.landmarks2d, predictedTriangles: fh.triangles });
console.log('base-fh', (performance.now() - t).toFixed(0), JSON.stringify(bs2));
