/**
 * Node wrappers of the loaders: paths in, {@link LinearFaceModel} out, with errors that say where to get a
 * missing model.
 * @module
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FormatError, MissingFileError } from '@facekit/core';
import type { LinearFaceModel } from '../linear-model.js';
import { BFM2017_SOURCE, bfm2017FromH5, isHdf5 } from '../loaders/bfm2017.js';
import type { H5FileLike } from '../loaders/bfm2017.js';
import { detectContainer, parseLinearModel } from '../loaders/detect.js';
import type { LinearModelFormat } from '../loaders/detect.js';
import { BFM2009_SOURCE, DEEP3D_SOURCE, parseBfm2009, parseDeep3dBfm } from '../loaders/mat-models.js';
import type { Deep3dLoadOptions, LinearModelLoadOptions } from '../loaders/mat-models.js';
import { ICT_NEUTRAL_FILE } from '../ict/ict-model.js';
import { loadIctFaceKit } from './ict-loader.js';
import type { IctLoadOptions } from './ict-loader.js';

async function readModelFile(path: string, what: string, source: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MissingFileError(path, what, `Get it from ${source} and pass its path.`);
    throw error;
  }
}

/** Loads the Basel Face Model 2009 `01_MorphableModel.mat` (see `parseBfm2009`). */
export async function loadBfm2009File(path: string, options: LinearModelLoadOptions = {}): Promise<LinearFaceModel> {
  return parseBfm2009(await readModelFile(path, 'Basel Face Model 2009 (01_MorphableModel.mat)', BFM2009_SOURCE), options);
}

/** Loads Deep3DFaceRecon's `BFM_model_front.mat` (see `parseDeep3dBfm`). */
export async function loadDeep3dBfmFile(path: string, options: Deep3dLoadOptions = {}): Promise<LinearFaceModel> {
  return parseDeep3dBfm(await readModelFile(path, 'Deep3DFaceRecon BFM (BFM_model_front.mat)', DEEP3D_SOURCE), options);
}

/**
 * Loads a BFM 2017 `.h5`. h5wasm's Node build reads the file in place (no copy of the 300+ MB file into
 * WebAssembly memory).
 */
export async function loadBfm2017File(path: string, options: LinearModelLoadOptions = {}): Promise<LinearFaceModel> {
  const abs = resolve(path);
  const head = await readHead(abs, 'Basel Face Model 2017 (.h5)', BFM2017_SOURCE);
  if (!isHdf5(head)) throw new FormatError(`${abs} is not an HDF5 file (no \\x89HDF signature); BFM 2017 models are .h5 files`);
  const h5 = (await import('h5wasm/node')).default;
  await h5.ready;
  let file: H5FileLike & { close(): unknown };
  try {
    file = new h5.File(abs, 'r');
  } catch (error) {
    throw new FormatError(`${abs}: HDF5 file could not be opened (damaged or truncated?): ${(error as Error).message}`, { cause: error });
  }
  try {
    return bfm2017FromH5(file, options);
  } finally {
    file.close();
  }
}

async function readHead(path: string, what: string, source: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MissingFileError(path, what, `Get it from ${source} and pass its path.`);
    throw error;
  }
  try {
    const head = new Uint8Array(2056);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Which model a path holds, from its content (a folder with generic_neutral_mesh.obj is ICT-FaceKit). */
export async function detectModelPath(path: string): Promise<LinearModelFormat | 'mat5' | 'unknown'> {
  const abs = resolve(path);
  const s = await statOrMissing(abs);
  if (s.isDirectory()) return (await exists(join(abs, ICT_NEUTRAL_FILE))) ? 'ict-facekit' : 'unknown';
  const container = detectContainer(await readHead(abs, 'face model file', 'its provider'));
  return container === 'hdf5' ? 'bfm2017' : container;
}

/**
 * Loads any supported linear model, detected from content: a folder with `generic_neutral_mesh.obj`
 * (ICT-FaceKit, cached), a MAT-file (BFM 2009 or Deep3DFaceRecon's BFM_model_front.mat) or an HDF5 file
 * (BFM 2017).
 * @throws MissingFileError when the path does not exist; FormatError when the content is none of these.
 */
export async function loadLinearModel(path: string, options: Deep3dLoadOptions & IctLoadOptions = {}): Promise<LinearFaceModel> {
  const abs = resolve(path);
  const s = await statOrMissing(abs);
  if (s.isDirectory()) {
    if (await exists(join(abs, ICT_NEUTRAL_FILE))) return loadIctFaceKit(abs, options);
    throw new FormatError(`${abs} is a folder without ${ICT_NEUTRAL_FILE}: not an ICT-FaceKit model folder (FaceXModel)`);
  }
  const head = await readHead(abs, 'face model file', 'its provider');
  if (detectContainer(head) === 'hdf5') return loadBfm2017File(abs, options);
  return parseLinearModel(await readFile(abs), options);
}

async function statOrMissing(path: string): Promise<import('node:fs').Stats> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MissingFileError(
        path,
        'face model',
        `Pass a BFM 2009 01_MorphableModel.mat (${BFM2009_SOURCE}), a BFM 2017 .h5 (${BFM2017_SOURCE}), ` +
          `a Deep3DFaceRecon BFM_model_front.mat, or an ICT-FaceKit FaceXModel folder (https://github.com/ICT-VGL/ICT-FaceKit).`,
      );
    }
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
