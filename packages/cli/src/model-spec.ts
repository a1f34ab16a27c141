import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FormatError, registries, type FaceModel } from '@facekit/core';
import { loadPlugins } from './plugins.js';
import { CliError } from './util/cli-error.js';

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const ascii = (b: Uint8Array, n: number): string => String.fromCharCode(...b.subarray(0, n));

/** What kind of model file a path holds, from its first bytes (never from the extension alone). */
export type ModelFileKind = 'folder' | 'flame-pickle' | 'flame-npz' | 'bilinear' | 'mat5' | 'hdf5' | 'unknown';

/** Detects the model format of a file or folder from its content. */
export async function detectModelFile(path: string): Promise<ModelFileKind> {
  const s = await stat(path);
  if (s.isDirectory()) return 'folder';
  if (s.size === 0) throw new FormatError(`${path} is empty (0 bytes); expected a face-model file`);
  const head = await readHead(path, 128);
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'flame-pickle';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'flame-npz';
  if (ascii(head, 8) === 'FKBILIN\n') return 'bilinear';
  if (ascii(head, 10) === 'MATLAB 5.0') return 'mat5';
  if (head[0] === 0x89 && ascii(head.subarray(1), 3) === 'HDF') return 'hdf5';
  return 'unknown';
}

/**
 * Resolves a model spec: a file or folder path (format detected from content) or a registered model id
 * (`flame`, `ict-facekit`, ...). Errors say what was tried and what to do.
 */
export async function loadModelSpec(spec: string): Promise<FaceModel> {
  const path = resolve(spec);
  let kind: ModelFileKind | undefined;
  try {
    kind = await detectModelFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (kind !== undefined) {
    switch (kind) {
      case 'folder':
      case 'mat5':
      case 'hdf5': {
        const { loadLinearModel } = await import('@facekit/bfm/node');
        return loadLinearModel(path);
      }
      case 'flame-pickle':
      case 'flame-npz': {
        const { loadFlame } = await import('@facekit/flame/node');
        return loadFlame({ model: path });
      }
      case 'bilinear': {
        const { loadBilinearModel } = await import('@facekit/facewarehouse/node');
        return loadBilinearModel(path);
      }
      default:
        throw new FormatError(
          `cannot tell which face model ${spec} holds: it is not a FLAME pickle/npz, a MATLAB v5 or HDF5 Basel model, ` +
            `a facekit bilinear (.fkbl) file, or an ICT-FaceKit folder`,
        );
    }
  }
  await loadPlugins();
  if (registries.models.has(spec)) return registries.models.get(spec);
  const ids = registries.models.names();
  throw new CliError(`"${spec}" is neither an existing file or folder nor a registered model id (${ids.join(', ') || 'none'})`);
}
