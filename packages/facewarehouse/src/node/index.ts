/**
 * Node-only helpers of `@facekit/facewarehouse`: save and load `.fkbl` files (atomically), read FaceWarehouse's
 * `shape.bs` files from disk, and register a model file. The package's main entry stays free of Node built-ins
 * so it bundles for the browser.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingFileError } from '@facekit/core';
import { writeFileAtomic } from '@facekit/core/node';
import type { BilinearFaceModel } from '../bilinear-model.js';
import { parseFaceWarehouseBlendshapes, type FaceWarehouseBlendshapes } from '../facewarehouse-bs.js';
import { decodeBilinearModel, encodeBilinearModel, type DecodeOptions } from '../format.js';
import { configureFaceWarehouse } from '../register.js';

/**
 * Writes a model as a `.fkbl` file; readers never see a partial file (temporary file + rename).
 *
 * @param path destination.
 * @param model the model.
 */
export async function saveBilinearModel(path: string, model: BilinearFaceModel): Promise<void> {
  await writeFileAtomic(path, encodeBilinearModel(model));
}

/**
 * Reads a `.fkbl` file.
 *
 * @param path the file.
 * @param options `verify` (CRC-32 check, default true).
 * @throws MissingFileError when the file does not exist; FormatError when it is not a valid model.
 */
export async function loadBilinearModel(path: string, options: Omit<DecodeOptions, 'source'> = {}): Promise<BilinearFaceModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MissingFileError(path, 'bilinear face model', 'Build one with buildBilinearModel + saveBilinearModel (FaceWarehouse data needs a licence from its authors).');
    }
    throw error;
  }
  return decodeBilinearModel(bytes, { ...options, source: path });
}

/**
 * Reads `Tester_<k>/Blendshape/shape.bs` for the given testers (1-based, as in the release) under a
 * FaceWarehouse root folder.
 *
 * @param root the folder holding `Tester_1` ... `Tester_150`.
 * @param testers 1-based tester numbers (default 1..150).
 */
export async function readFaceWarehouseBlendshapes(root: string, testers?: readonly number[]): Promise<FaceWarehouseBlendshapes[]> {
  const list = testers ?? Array.from({ length: 150 }, (_, i) => i + 1);
  const out: FaceWarehouseBlendshapes[] = [];
  for (const t of list) {
    const path = join(root, `Tester_${t}`, 'Blendshape', 'shape.bs');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new MissingFileError(path, `FaceWarehouse blendshapes of tester ${t}`, 'FaceWarehouse is distributed by its authors under a licence; point root at the unpacked release.');
      }
      throw error;
    }
    out.push(parseFaceWarehouseBlendshapes(bytes, path));
  }
  return out;
}

/**
 * Makes the registered `facewarehouse` model load from a `.fkbl` file (read lazily, on first use).
 *
 * @param path the file.
 */
export function registerFaceWarehouseFile(path: string): void {
  configureFaceWarehouse({ load: () => loadBilinearModel(path), description: path });
}
