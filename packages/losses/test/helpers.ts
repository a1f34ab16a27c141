// Shared test helpers: seeded random inputs, a finite-difference gradient checker, and float64 references.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

await tf.setBackend('cpu');
await tf.ready();

/** Deterministic uniform [0, 1) generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller), as float32-representable float64 values. */
export function randn(n: number, random: () => number, scale = 1, offset = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(random(), 1e-12), v = random();
    out[i] = Math.fround(offset + scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

export function randu(n: number, random: () => number, lo = 0, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(lo + (hi - lo) * random());
  return out;
}

export function t(data: ArrayLike<number>, shape: number[]): tf.Tensor {
  return tf.tensor(Float32Array.from(data), shape, 'float32');
}

/** Reads a scalar loss value. */
export function value(x: tf.Tensor): number {
  const v = x.dataSync()[0];
  x.dispose();
  return v;
}

/** |actual - expected| <= rtol * |expected| + atol. */
export function close(actual: number, expected: number, rtol = 1e-4, atol = 1e-6, what = 'value'): void {
  assert.ok(Number.isFinite(actual), `${what}: ${actual} is not finite`);
  assert.ok(
    Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol,
    `${what}: ${actual} vs expected ${expected} (diff ${Math.abs(actual - expected)})`,
  );
}

/**
 * Compares tf.grad of `f` at `x0` with central differences (eps in float32) on up to `samples` coordinates.
 * Tolerance: |analytic - numeric| <= rtol * max|analytic| + atol, i.e. relative to the gradient's scale (float32
 * differences are noisy for coordinates whose own derivative is tiny).
 */
export function gradCheck(
  f: (x: tf.Tensor) => tf.Tensor,
  x0: ArrayLike<number>,
  shape: number[],
  opts: { eps?: number; rtol?: number; atol?: number; samples?: number; seed?: number } = {},
): void {
  const eps = opts.eps ?? 1e-3;
  const rtol = opts.rtol ?? 1e-2;
  const atol = opts.atol ?? 1e-5;
  const base = Float32Array.from(x0);
  const analytic = Float32Array.from(tf.tidy(() => tf.grad((x: tf.Tensor) => f(x) as tf.Scalar)(tf.tensor(base, shape)).dataSync()));
  assert.equal(analytic.length, base.length);
  const scale = analytic.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(Number.isFinite(scale), 'gradient is not finite');
  const random = rng(opts.seed ?? 7);
  const n = Math.min(opts.samples ?? 24, base.length);
  const picks = new Set<number>();
  while (picks.size < n) picks.add(Math.floor(random() * base.length));
  const evalAt = (data: Float32Array): number => tf.tidy(() => f(tf.tensor(data, shape)).dataSync()[0]);
  for (const i of picks) {
    const plus = base.slice();
    plus[i] += eps;
    const minus = base.slice();
    minus[i] -= eps;
    const numeric = (evalAt(plus) - evalAt(minus)) / (plus[i] - minus[i]);
    assert.ok(
      Math.abs(analytic[i] - numeric) <= rtol * scale + atol,
      `d/dx[${i}]: analytic ${analytic[i]} vs numeric ${numeric} (gradient scale ${scale})`,
    );
  }
}

/**
 * Computes a loss on inputs and asserts the computation keeps no tensor besides its result (losses run inside
 * optimiser loops, so a leak per call would grow without bound). Returns the value; disposes everything.
 */
export function leakFree<I>(loss: { compute(inputs: I): tf.Tensor }, inputs: I): number {
  const before = tf.memory().numTensors;
  const out = loss.compute(inputs);
  assert.equal(tf.memory().numTensors, before + 1, `leaked ${tf.memory().numTensors - before - 1} tensors`);
  const v = value(out);
  return v;
}
