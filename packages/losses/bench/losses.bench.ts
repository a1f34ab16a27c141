/**
 * Benchmarks of @facekit/losses on the tfjs `cpu` backend (value + gradient, the work of one optimiser step):
 * 68-landmark reprojection (B = 1), masked photometric loss on 1 x 256 x 256 x 3, and Laplacian smoothness
 * |L d|_1 of a per-vertex displacement on a 10242-vertex icosphere (cotangent Laplacian, ~71k non-zeros).
 */
import * as tf from '@tensorflow/tfjs';
import { cotangentLaplacian, createIcosphere, type BenchCase } from '@facekit/core';
import { laplacianSmoothnessLoss, landmarkLoss, photometricLoss, toSparseOperator } from '../src/index.js';

/** The benches compare to each other on the deterministic CPU backend, whatever an earlier bench selected. */
async function useCpu(): Promise<void> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
}

/** Deterministic pseudo-random floats in [0, 1). */
function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}

/** Value and gradient of `f` at `x`; reads both so the (synchronous CPU) work is complete and counted. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor): number {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(f)(x);
    return value.dataSync()[0] + grad.dataSync()[0];
  });
}

interface State {
  x: tf.Tensor;
  f: (x: tf.Tensor) => tf.Scalar;
}

export const benches: BenchCase[] = [
  {
    name: 'losses/landmark-68-grad',
    iterations: 200,
    async setup(): Promise<State> {
      await useCpu();
      const loss = landmarkLoss({ norm: 'l2', imageSize: 224 });
      const target = tf.tensor3d(noise(136, 1).map((v) => v * 224), [1, 68, 2]);
      const confidence = tf.tensor2d(noise(68, 2), [1, 68]);
      const x = tf.tensor3d(noise(136, 3).map((v) => v * 224), [1, 68, 2]);
      return { x, f: (p) => loss.compute({ pred: p, target, confidence }) as tf.Scalar };
    },
    async run(state: unknown) {
      await useCpu();
      const s = state as State;
      return valueAndGrad(s.f, s.x);
    },
  },
  {
    name: 'losses/photometric-256-grad',
    iterations: 30,
    async setup(): Promise<State> {
      await useCpu();
      const loss = photometricLoss();
      const image = tf.tensor4d(noise(256 * 256 * 3, 4), [1, 256, 256, 3]);
      const mask = tf.tensor3d(noise(256 * 256, 5).map((v) => (v < 0.4 ? 0 : 1)), [1, 256, 256]);
      const x = tf.tensor4d(noise(256 * 256 * 3, 6), [1, 256, 256, 3]);
      return { x, f: (r) => loss.compute({ rendered: r, image, mask }) as tf.Scalar };
    },
    async run(state: unknown) {
      await useCpu();
      const s = state as State;
      return valueAndGrad(s.f, s.x);
    },
  },
  {
    name: 'losses/laplacian-smoothness-10k-grad',
    iterations: 30,
    async setup(): Promise<State> {
      await useCpu();
      const sphere = createIcosphere(5); // 10242 vertices
      const n = sphere.positions.length / 3;
      const laplacian = toSparseOperator(cotangentLaplacian(sphere.positions, sphere.triangles));
      const loss = laplacianSmoothnessLoss({ laplacian, norm: 'l1' });
      const x = tf.tensor2d(noise(n, 7).map((v) => (v - 0.5) * 0.01), [1, n]);
      return { x, f: (d) => loss.compute({ field: d }) as tf.Scalar };
    },
    async run(state: unknown) {
      await useCpu();
      const s = state as State;
      return valueAndGrad(s.f, s.x);
    },
  },
];
