import { mkdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  compositeOver,
  computeVertexNormals,
  createIcosphere,
  shadeImage,
  shadeVertices,
  solveSHLighting,
  toFloatImage,
  type Box,
  type OrthographicCamera,
} from '@facekit/core';
import { readImage, writeFileAtomic, writeGlbFile, writeImage, writeObjFiles } from '@facekit/core/node';
import { renderNormals } from '../reconstruct/overlay.js';
import { CliError } from '../util/cli-error.js';
import type { Command } from '../main.js';

function parseBox(text: string, width: number, height: number): Box {
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v)) || parts[2] <= 0 || parts[3] <= 0) {
    throw new CliError(`--box must be "x,y,width,height" in pixels, got "${text}"`);
  }
  const [x, y, w, h] = parts;
  if (x < 0 || y < 0 || x + w > width || y + h > height) {
    throw new CliError(`--box ${text} reaches outside the ${width} x ${height} image`);
  }
  return [x, y, w, h];
}

/**
 * `facekit relight`: estimates the spherical-harmonics lighting of a photo region by treating it as a lit sphere
 * (a stand-in for the head until a face fit is available), then renders that sphere with the estimated lighting
 * over the photo and writes the mesh files. Exercises decode, rasterize, SH solve, shade and the writers.
 */
export const relightCommand: Command = {
  name: 'relight',
  summary: 'estimate SH lighting from a photo region and render a lit sphere over it (quick-start job)',
  usage: [
    'usage: facekit relight <image> [--out <dir>] [--box x,y,w,h]',
    '',
    'Treats the region (default: a centred square of half the shorter side, a little above the middle, where a',
    'portrait has the face) as a lit sphere, solves the 9x3 spherical-harmonics lighting by least squares, and',
    'writes <out>/overlay.png, sphere.obj/.mtl, sphere.glb and result.json (lighting, residual, timings).',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: 'string' }, box: { type: 'string' } },
      strict: true,
    });
    if (positionals.length !== 1) throw new CliError('expected exactly one image path');
    const input = positionals[0];
    const outDir = resolve(values.out ?? join('out', basename(input, extname(input))));
    const timings: Record<string, number> = {};
    const t0 = performance.now();

    const image = await readImage(input);
    timings.decode = performance.now() - t0;
    const { width, height } = image;
    const side = Math.min(width, height) / 2;
    const box = values.box
      ? parseBox(values.box, width, height)
      : ([width / 2 - side / 2, height * 0.42 - side / 2, side, side] as Box);

    const t1 = performance.now();
    const sphere = createIcosphere(5);
    const normals = computeVertexNormals(sphere.positions, sphere.triangles);
    const camera: OrthographicCamera = {
      type: 'orthographic',
      scale: Math.min(box[2], box[3]) / 2,
      cx: box[0] + box[2] / 2,
      cy: box[1] + box[3] / 2,
    };
    const { mask, pixelNormals } = renderNormals({ ...sphere, normals }, camera, width, height);
    timings.render = performance.now() - t1;

    const t2 = performance.now();
    const photo = toFloatImage(image);
    let count = 0;
    for (let p = 0; p < mask.length; p++) count += mask[p];
    if (count < 50) throw new CliError(`the region covers only ${count} pixels; give a larger --box`);
    const colors = new Float32Array(count * 3);
    const sampleNormals = new Float32Array(count * 3);
    for (let p = 0, i = 0; p < mask.length; p++) {
      if (!mask[p]) continue;
      for (let c = 0; c < 3; c++) {
        colors[3 * i + c] = photo.data[p * photo.channels + c];
        sampleNormals[3 * i + c] = pixelNormals[3 * p + c];
      }
      i++;
    }
    // Albedo and lighting colour are inseparable from one view; fold the albedo into L (rho = 1).
    const lighting = solveSHLighting(colors, sampleNormals, null, { regularization: 1e-4 });
    const predicted = shadeVertices(sampleNormals, null, lighting);
    let sq = 0;
    for (let i = 0; i < predicted.length; i++) sq += (predicted[i] - colors[i]) ** 2;
    const rms = Math.sqrt(sq / predicted.length);
    timings.solve = performance.now() - t2;

    const t3 = performance.now();
    const shaded = shadeImage(pixelNormals, null, lighting, { mask });
    for (let i = 0; i < shaded.length; i++) shaded[i] = Math.min(1, Math.max(0, shaded[i]));
    const overlay = compositeOver(image, shaded, 3, mask);
    const vertexColors = shadeVertices(normals, null, lighting);
    for (let i = 0; i < vertexColors.length; i++) vertexColors[i] = Math.min(1, Math.max(0, vertexColors[i]));
    const mesh = { ...sphere, normals, colors: vertexColors };

    await mkdir(outDir, { recursive: true });
    await writeImage(join(outDir, 'overlay.png'), overlay);
    const obj = await writeObjFiles(join(outDir, 'sphere.obj'), mesh);
    await writeGlbFile(join(outDir, 'sphere.glb'), mesh);
    timings.write = performance.now() - t3;
    timings.total = performance.now() - t0;

    const result = {
      command: 'relight',
      image: { path: input, width, height },
      box,
      lighting: { convention: 'deca', coefficients: Array.from(lighting, (v) => +v.toFixed(6)) },
      residualRms: +rms.toFixed(6),
      pixels: count,
      mesh: {
        vertices: sphere.positions.length / 3,
        triangles: sphere.triangles.length / 3,
        units: 'arbitrary',
        files: [basename(obj.obj), basename(obj.mtl), 'sphere.glb'],
      },
      timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, +v.toFixed(2)])),
    };
    await writeFileAtomic(join(outDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    io.out(`${input}: lighting from ${count} pixels, residual RMS ${rms.toFixed(4)}, wrote ${outDir}/{overlay.png, sphere.obj, sphere.glb, result.json} in ${timings.total.toFixed(0)} ms`);
    return 0;
  },
};
