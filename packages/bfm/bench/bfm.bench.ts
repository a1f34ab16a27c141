/**
 * Benchmarks of @facekit/bfm on the real ICT-FaceKit model (skipped, i.e. an empty list, when the model folder
 * is absent): decode of the face+head sub-model and of the full mesh with all 153 modes non-zero, and a load
 * from the binary cache.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from '@facekit/core';
import { ICT_FACE_HEAD_VERTEX_COUNT, loadIctFaceKit } from '../src/node/index.js';
import type { LinearFaceModel } from '../src/node/index.js';

const folder = process.env.FACEKIT_ICT_DIR || fileURLToPath(new URL('../../../../shared/data/ict-facekit/', import.meta.url));
// A private cache folder: the first setup builds it (about a second), the cached-load case then reads it.
const cacheDir = join(tmpdir(), 'facekit-bench-cache');

let loaded: Promise<LinearFaceModel> | undefined;
function model(): Promise<LinearFaceModel> {
  return (loaded ??= loadIctFaceKit(folder, { cacheDir }));
}

/** Weights with every mode non-zero (the worst case: addWeightedBasis skips zero weights). */
function allModes(): { identity: Float32Array; expression: Float32Array } {
  return {
    identity: Float32Array.from({ length: 100 }, (_, i) => Math.sin(i + 1) * 0.8),
    expression: Float32Array.from({ length: 53 }, (_, i) => 0.05 + ((i * 37) % 90) / 100),
  };
}

interface DecodeState {
  model: LinearFaceModel;
  params: ReturnType<typeof allModes>;
  out: Float32Array;
}

export const benches: BenchCase[] = existsSync(join(folder, 'generic_neutral_mesh.obj'))
  ? [
      {
        name: 'bfm/ict-decode-face-head-11248',
        targetMs: 2,
        iterations: 100,
        async setup(): Promise<DecodeState> {
          const sub = (await model()).subset({ vertexCount: ICT_FACE_HEAD_VERTEX_COUNT });
          return { model: sub, params: allModes(), out: new Float32Array(sub.vertexCount * 3) };
        },
        run(state: unknown) {
          const s = state as DecodeState;
          return s.model.decode(s.params, s.out);
        },
      },
      {
        name: 'bfm/ict-decode-full-26719',
        targetMs: 5,
        iterations: 60,
        async setup(): Promise<DecodeState> {
          const m = await model();
          return { model: m, params: allModes(), out: new Float32Array(m.vertexCount * 3) };
        },
        run(state: unknown) {
          const s = state as DecodeState;
          return s.model.decode(s.params, s.out);
        },
      },
      {
        name: 'bfm/ict-load-cached',
        targetMs: 300,
        iterations: 10,
        async setup() {
          await model(); // makes sure the cache file exists
        },
        async run() {
          return loadIctFaceKit(folder, { cacheDir });
        },
      },
    ]
  : [];
