/**
 * FLAME decode on a synthetic full-size model (5023 vertices, 9976 triangles, 300 + 100 blendshapes,
 * 36 pose correctives, 5 joints): the numbers a real generic_model.pkl would give, without the licensed file.
 */
import type { BenchCase } from '@facekit/core';
import { FlameModel, type FlameModelData } from '../src/index.js';

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A FLAME-sized model with random but valid arrays. */
export function syntheticFlame(seed = 1): FlameModelData {
  const r = rng(seed);
  const V = 5023, J = 5, K = 400, P = 36, F = 9976;
  const vTemplate = new Float32Array(V * 3).map(() => (r() - 0.5) * 0.2);
  const shapedirs = new Float32Array(V * 3 * K).map(() => (r() - 0.5) * 0.002);
  const posedirs = new Float32Array(V * 3 * P).map(() => (r() - 0.5) * 0.002);
  const faces = new Uint32Array(F * 3);
  for (let f = 0; f < F; f++) {
    const a = Math.floor(r() * (V - 2));
    faces[f * 3] = a;
    faces[f * 3 + 1] = a + 1;
    faces[f * 3 + 2] = a + 2;
  }
  // Like FLAME: most vertices follow one joint, a band blends two.
  const weights = new Float32Array(V * J);
  for (let v = 0; v < V; v++) {
    const j = Math.floor(r() * J);
    if (r() < 0.7) weights[v * J + j] = 1;
    else {
      const k = (j + 1) % J, w = r();
      weights[v * J + j] = w;
      weights[v * J + k] = 1 - w;
    }
  }
  const jRegressor = new Float64Array(J * V);
  for (let j = 0; j < J; j++) for (let i = 0; i < 40; i++) jRegressor[j * V + Math.floor(r() * V)] += 1 / 40;
  return {
    vertexCount: V, jointCount: J, vTemplate, shapedirs, shapeCount: 300, expressionCount: 100, posedirs,
    jRegressor, weights, parents: Int32Array.from([-1, 0, 1, 1, 1]), faces,
  };
}

interface State {
  model: FlameModel;
  params: { shape: Float32Array; expression: Float32Array; pose: Float32Array; translation: Float32Array };
  out: Float32Array;
}

function setup(simd: boolean): State {
  const model = new FlameModel(syntheticFlame(), { simd });
  const r = rng(7);
  const params = {
    shape: new Float32Array(100).map(() => r() * 2 - 1),
    expression: new Float32Array(50).map(() => r() * 2 - 1),
    pose: new Float32Array(15).map(() => (r() - 0.5) * 0.4),
    translation: Float32Array.of(0.01, -0.02, 0.3),
  };
  return { model, params, out: new Float32Array(model.vertexCount * 3) };
}

export const benches: BenchCase[] = [
  {
    name: 'flame/decode-100shape-50exp-pose',
    targetMs: 1.0,
    iterations: 200,
    setup: () => setup(true),
    run: (state) => {
      const s = state as State;
      return s.model.decode(s.params, s.out);
    },
  },
  {
    name: 'flame/decode-100shape-50exp-pose-js',
    iterations: 50,
    setup: () => setup(false),
    run: (state) => {
      const s = state as State;
      return s.model.decode(s.params, s.out);
    },
  },
  {
    name: 'flame/landmarks68',
    iterations: 200,
    setup: () => {
      const s = setup(true);
      const L = 51, B = 79, Pn = 17;
      const faces = (n: number) => Uint32Array.from({ length: n }, (_, i) => (i * 7919) % 9976);
      const bary = (n: number) => new Float32Array(n * 3).fill(1 / 3);
      const model = new FlameModel(syntheticFlame(), {
        landmarks: { static: { faces: faces(L), barycentrics: bary(L) }, dynamic: { bins: B, points: Pn, faces: faces(B * Pn), barycentrics: bary(B * Pn) } },
      });
      return { ...s, model, lmk: new Float32Array(204) };
    },
    run: (state) => {
      const s = state as State & { lmk: Float32Array };
      s.model.decode(s.params, s.out);
      return s.model.landmarks68For(s.params, s.out, s.lmk);
    },
  },
];
