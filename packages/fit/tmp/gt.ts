import { loadIctFaceKit } from '@facekit/bfm/node';
import { prepareModel, buildPyramid, fitCoarse, cameraNormals, evaluateAlbedo, photometricError, frameGeometry } from '../src/index.js';
import { renderSynthetic, ICT_DIR } from '../test/helpers.js';
const m = await loadIctFaceKit(ICT_DIR);
const syn = renderSynthetic(m, { expression: { jawOpen: 0.3, mouthSmile_L: 0.5, mouthSmile_R: 0.5 } });
const ctx = prepareModel(m);
const pyr = buildPyramid(syn.image, 3);
const frame = { pyramid: pyr, landmarks: Float64Array.from(syn.face.landmarks68!), faceSize: Math.sqrt(syn.face.box[2] * syn.face.box[3]) };
const init = { id: syn.z.slice(0, ctx.Ki), frames: [{ R: syn.R, s: syn.s, tx: syn.tx, ty: syn.ty, exp: syn.z.slice(ctx.Ki), light: syn.light, albedo: new Float64Array(ctx.albedo.size) }] };
const all = Uint32Array.from({ length: ctx.lin.vertexCount }, (_, i) => i);
// error at GT with GT albedo
const geo = frameGeometry(ctx, init.id, init.frames[0], 256, 256, 1);
console.log('GT err (gt albedo)', photometricError(pyr[0], geo.screen, geo.visible, cameraNormals(syn.R, geo.normals, all), syn.albedo, syn.light, ctx.lin.fitMask));
const c = fitCoarse(ctx, [frame], { initial: init, schedule: { landmarkIterations: 0 }, weights: { contour: 0 } });
const fs = c.state.frames[0];
console.log('history', c.history.map(e => e.toExponential(2)).join(' '));
console.log('after: err', photometricError(pyr[0], c.geometry[0].screen, c.geometry[0].visible, cameraNormals(fs.R, c.geometry[0].normals, all), evaluateAlbedo(ctx.albedo, fs.albedo), fs.light, ctx.lin.fitMask));
const geo2 = frameGeometry(ctx, init.id, init.frames[0], 256, 256, 1);
console.log('GT geo with fitted albedo/light', photometricError(pyr[0], geo2.screen, geo2.visible, cameraNormals(syn.R, geo2.normals, all), evaluateAlbedo(ctx.albedo, fs.albedo), fs.light, ctx.lin.fitMask));
console.log(Array.from(fs.light).map(v => v.toFixed(2)).join(' '));
{
  const { buildFrameSystem, DEFAULT_COARSE_WEIGHTS } = await import('../src/index.js');
  const fs0 = { ...init.frames[0], light: Float32Array.from(syn.light), albedo: new Float64Array(ctx.albedo.size) };
  const g0 = frameGeometry(ctx, init.id, fs0, 256, 256, 1);
  for (const rounds of [1, 3, 10, 30]) {
    const f = { ...fs0, light: Float32Array.from(syn.light), albedo: new Float64Array(ctx.albedo.size) };
    buildFrameSystem(ctx, frame, init.id, f, g0, { weights: DEFAULT_COARSE_WEIGHTS, level: pyr[0], maxSamples: 1500, lightingRounds: rounds });
    console.log('rounds', rounds, photometricError(pyr[0], g0.screen, g0.visible, cameraNormals(syn.R, g0.normals, all), evaluateAlbedo(ctx.albedo, f.albedo), f.light, ctx.lin.fitMask), f.light[0].toFixed(2), f.light[9].toFixed(2));
  }
}
{
  const { solveSHLighting } = await import('@facekit/core');
  const { sampleLevel } = await import('../src/index.js');
  const g0 = frameGeometry(ctx, init.id, init.frames[0], 256, 256, 1);
  const ids: number[] = []; const cols: number[] = []; const tmp = new Float64Array(9);
  for (const i of ctx.lin.fitOrder) { if (!g0.visible[i]) continue; if (ids.length > 1500) break; sampleLevel(pyr[0], g0.screen[3*i], g0.screen[3*i+1], tmp); ids.push(i); cols.push(tmp[0], tmp[1], tmp[2]); }
  const idx = Uint32Array.from(ids);
  const alb = new Float32Array(ids.length * 3); ids.forEach((i, j) => { for (let c = 0; c < 3; c++) alb[3*j+c] = syn.albedo[3*i+c]; });
  const L = solveSHLighting(Float32Array.from(cols), cameraNormals(syn.R, g0.normals, idx), alb);
  console.log('L solved with GT albedo', Array.from(L.slice(0, 12)).map(v => v.toFixed(2)).join(' '));
  console.log('GT L', Array.from(syn.light.slice(0, 12)).map(v => v.toFixed(2)).join(' '));
  // sample raw image instead of level0
}
