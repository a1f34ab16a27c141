/**
 * `@facekit/flame/node`: loading FLAME files from disk (Node only). The parsers themselves are browser-safe and
 * live in the main entry; this module adds paths, defaults and helpful errors for missing files.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { MissingFileError } from '@facekit/core';
import { parseFlameModel, type FlameModelData, type ParseFlameModelOptions } from '../io/model.js';
import {
  parseDynamicEmbedding,
  parseLandmarkEmbedding,
  parseStaticEmbedding,
  type FlameLandmarkEmbedding,
} from '../io/embedding.js';
import { parseBfmAlbedo, parseFlameTexture, type TextureOptions, type TextureSpace } from '../io/texture.js';
import { FlameModel, type FlameModelOptions } from '../model/flame-model.js';

/** Where users get FLAME. */
export const FLAME_SOURCE = 'https://flame.is.tue.mpg.de';

const HOW_TO_GET =
  `Download FLAME from ${FLAME_SOURCE} (free registration; the FLAME licence must be accepted, the files cannot be redistributed) ` +
  'and set FACEKIT_FLAME to the model file (generic_model.pkl, flame2023.pkl or an .npz with the same keys), ' +
  'or put it at ~/.facekit/models/flame/generic_model.pkl.';

/** Model file names looked for when FACEKIT_FLAME points to a folder, in order. */
export const FLAME_MODEL_FILES = ['generic_model.pkl', 'flame2023.pkl', 'FLAME2020/generic_model.pkl', 'generic_model.npz'] as const;

/** The model path facekit uses: `$FACEKIT_FLAME`, else `~/.facekit/models/flame/generic_model.pkl`. */
export function defaultFlamePath(env: Record<string, string | undefined> = process.env): string {
  const configured = env.FACEKIT_FLAME;
  if (configured) return configured;
  return join(homedir(), '.facekit', 'models', 'flame', 'generic_model.pkl');
}

/** Resolves a file or folder to a model file; a folder is searched for {@link FLAME_MODEL_FILES}. */
export async function resolveFlameModelPath(path: string = defaultFlamePath()): Promise<string> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new MissingFileError(path, 'FLAME model', HOW_TO_GET);
  }
  if (!isDir) return path;
  for (const name of FLAME_MODEL_FILES) {
    const candidate = join(path, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new MissingFileError(join(path, FLAME_MODEL_FILES[0]), 'FLAME model', HOW_TO_GET);
}

async function readBytes(path: string, what: string, howToGet: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new MissingFileError(path, what, howToGet);
    }
    throw error;
  }
}

/** Reads and parses a FLAME model file (`.pkl` or `.npz`). Missing files throw {@link MissingFileError}. */
export async function loadFlameModelData(path?: string, options: Omit<ParseFlameModelOptions, 'name'> = {}): Promise<FlameModelData> {
  const file = await resolveFlameModelPath(path);
  const bytes = await readBytes(file, 'FLAME model', HOW_TO_GET);
  return parseFlameModel(bytes, { ...options, name: file });
}

/**
 * Reads landmark embedding files (any mix of DECA's `landmark_embedding.npy`, `flame_static_embedding.pkl`,
 * `flame_dynamic_embedding.npy`) and merges them.
 */
export async function loadLandmarkEmbeddings(paths: readonly string[]): Promise<FlameLandmarkEmbedding> {
  const out: FlameLandmarkEmbedding = {};
  for (const path of paths) {
    const bytes = await readBytes(path, 'FLAME landmark embedding', `Landmark embeddings come with FLAME (${FLAME_SOURCE}), RingNet or DECA.`);
    const name = path.split(/[\\/]/).pop() ?? path;
    const part = /static/.test(name)
      ? { static: parseStaticEmbedding(bytes, path) }
      : /dynamic/.test(name)
        ? { dynamic: parseDynamicEmbedding(bytes, path) }
        : parseLandmarkEmbedding(bytes, path);
    Object.assign(out, Object.fromEntries(Object.entries(part).filter(([, v]) => v !== undefined)));
  }
  return out;
}

/** Embedding files looked for next to the model when none are given. */
export const FLAME_EMBEDDING_FILES = ['landmark_embedding.npy', 'flame_static_embedding.pkl', 'flame_dynamic_embedding.npy'] as const;

/** Options of {@link loadFlame}. */
export interface LoadFlameOptions extends Omit<FlameModelOptions, 'landmarks'> {
  /** Model file or folder (default {@link defaultFlamePath}). */
  model?: string;
  /** Landmark embedding files; default: those of {@link FLAME_EMBEDDING_FILES} found next to the model. */
  landmarks?: readonly string[];
  /** Shape components stored in the file (see {@link ParseFlameModelOptions.shapeComponents}). */
  fileShapeComponents?: number;
}

/**
 * Loads FLAME from disk as a ready {@link FlameModel}: the model file plus the landmark embeddings found next to
 * it (or given).
 */
export async function loadFlame(options: LoadFlameOptions = {}): Promise<FlameModel> {
  const file = await resolveFlameModelPath(options.model);
  const data = await loadFlameModelData(file, { shapeComponents: options.fileShapeComponents });
  const folder = dirname(file);
  const embeddingPaths = options.landmarks ?? FLAME_EMBEDDING_FILES.map((f) => join(folder, f)).filter((p) => existsSync(p));
  const landmarks = embeddingPaths.length ? await loadLandmarkEmbeddings(embeddingPaths) : undefined;
  return new FlameModel(data, { ...options, landmarks });
}

/** Reads `FLAME_texture.npz`. */
export async function loadFlameTexture(path: string, options: Omit<TextureOptions, 'name'> = {}): Promise<TextureSpace> {
  const bytes = await readBytes(path, 'FLAME texture space', `FLAME_texture.npz is a separate download at ${FLAME_SOURCE}.`);
  return parseFlameTexture(bytes, { ...options, name: path });
}

/** Reads `FLAME_albedo_from_BFM.npz`. */
export async function loadBfmAlbedo(path: string, options: Omit<TextureOptions, 'name'> = {}): Promise<TextureSpace> {
  const bytes = await readBytes(path, 'FLAME albedo (from BFM)', 'Create it with https://github.com/TimoBolkart/BFM_to_FLAME (needs the Basel Face Model licence).');
  return parseBfmAlbedo(bytes, { ...options, name: path });
}
