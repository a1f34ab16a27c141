import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { computeVertexNormals, encodeGlb, encodeObj, encodePly, writeMtl, type ImageU8, type Mesh, type Reconstruction } from '@facekit/core';
import { encodePng } from '@facekit/core/node';
import { renderOverlay } from './overlay.js';
import { toResultJson, type ResultJson } from './result-json.js';

/** Mesh formats `facekit reconstruct` can write. */
export type MeshFormatName = 'obj' | 'glb' | 'ply';

/** Parses `--format obj,glb,ply`. */
export function parseFormats(text: string): MeshFormatName[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = names.filter((n) => n !== 'obj' && n !== 'glb' && n !== 'ply');
  if (bad.length || names.length === 0) throw new RangeError(`--format takes a list of obj, glb, ply; got "${text}"`);
  return [...new Set(names)] as MeshFormatName[];
}

/**
 * Writes one reconstruction into `dir`: mesh files, `overlay.png` and `result.json`. Everything is written into
 * a hidden sibling folder first and renamed into place at the end, so a failure never leaves a half-written
 * result (an earlier result in `dir` is replaced only once the new one is complete).
 */
export async function writeReconstruction(
  dir: string,
  rec: Reconstruction,
  photo: ImageU8,
  imagePath: string,
  formats: readonly MeshFormatName[],
  timings: Omit<ResultJson['timings'], 'write' | 'total'> & { start: number },
): Promise<ResultJson> {
  const t0 = performance.now();
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(tmp);
  try {
    const mesh: Mesh = { ...rec.mesh, normals: rec.mesh.normals ?? computeVertexNormals(rec.mesh.positions, rec.mesh.triangles) };
    // Both PNGs encode on libuv's thread pool while the overlay is rendered here.
    const texturePng = rec.texture && mesh.uvs ? encodePng(rec.texture) : undefined;
    const overlayPng = encodePng(renderOverlay(photo, { ...rec, mesh }));
    const texture = await texturePng;
    const files: string[] = [];
    const put = async (name: string, data: Uint8Array | string): Promise<void> => {
      await writeFile(join(tmp, name), data);
      files.push(name);
    };
    if (texture) await put('texture.png', texture);
    for (const format of formats) {
      if (format === 'obj') {
        await put('mesh.mtl', writeMtl(texture ? { name: 'face', diffuseTexture: 'texture.png' } : { name: 'face', diffuse: [0.8, 0.8, 0.8] }, 'written by facekit'));
        await put('mesh.obj', encodeObj(mesh, { mtllib: 'mesh.mtl', materialName: 'face', comment: `facekit ${rec.method}, units ${rec.units}` }));
      } else if (format === 'glb') {
        await put('mesh.glb', encodeGlb(mesh, texture ? { texture, name: rec.method } : { name: rec.method }));
      } else {
        await put('mesh.ply', encodePly(mesh));
      }
    }
    await writeFile(join(tmp, 'overlay.png'), await overlayPng);
    const write = performance.now() - t0;
    const total = performance.now() - timings.start;
    const { start: _start, ...stages } = timings;
    const result = toResultJson(rec, { path: imagePath, width: photo.width, height: photo.height }, files, {
      ...stages,
      ...Object.fromEntries(Object.entries(rec.timings).filter(([k]) => !(k in stages)).map(([k, v]) => [`predictor.${k}`, v])),
      write,
      total,
    } as ResultJson['timings']);
    await writeFile(join(tmp, 'result.json'), JSON.stringify(result, null, 2) + '\n');
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return result;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
