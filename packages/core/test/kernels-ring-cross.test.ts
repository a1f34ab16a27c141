import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RING, RingCrossBasis } from '../src/kernels/index.js';

/** A mode-major basis (K x 3V) with values in [-1, 1), from a fixed sequence. */
function basis(V: number, K: number): Float32Array {
  return Float32Array.from({ length: 3 * V * K }, (_, i) => Math.sin(0.37 * i + 0.1 * (i % 7)));
}

/** The sum in double precision, straight from the mode-major layout. */
function reference(b: Float32Array, V: number, K: number, ring: number[], e: number[]): Float64Array {
  const out = new Float64Array(3 * K);
  ring.forEach((v, r) => {
    const [ex, ey, ez] = [e[3 * r], e[3 * r + 1], e[3 * r + 2]];
    for (let k = 0; k < K; k++) {
      const o = k * 3 * V + 3 * v;
      const [bx, by, bz] = [b[o], b[o + 1], b[o + 2]];
      out[k] += by * ez - bz * ey;
      out[K + k] += bz * ex - bx * ez;
      out[2 * K + k] += bx * ey - by * ex;
    }
  });
  return out;
}

for (const simd of [true, false]) {
  test(`ringCross (${simd ? 'SIMD' : 'JS'}) matches a double-precision reference`, () => {
    // K = 13 leaves a partial f32x4 block; a ring repeating a vertex and one of length 1 are covered.
    for (const [V, K] of [[20, 13], [50, 4], [9, 1]] as const) {
      const b = basis(V, K);
      const rc = RingCrossBasis.create(b, V, K, { simd });
      if (simd && rc.backend !== 'simd') return; // no WebAssembly SIMD here: the JS case covers the contract
      for (const ring of [[3, 0, V - 1, 7 % V, 3], [V - 1], Array.from({ length: V }, (_, i) => i)]) {
        const e = ring.flatMap((_, r) => [Math.cos(r + 1), 0.5 - r / ring.length, Math.sin(2 * r)]);
        // The rings sit at an offset inside a longer list, as the fitter passes them.
        const list = [V - 1, V - 1, ...ring];
        const out = new Float64Array(3 * K + 2).fill(9);
        rc.ringCross(list, 2, ring.length, e, out);
        const want = reference(b, V, K, ring, e);
        for (let i = 0; i < 3 * K; i++) assert.ok(Math.abs(out[i] - want[i]) < 1e-5 * (1 + ring.length), `V ${V} K ${K} ring ${ring.length} [${i}]: ${out[i]} vs ${want[i]}`);
        assert.equal(out[3 * K], 9, 'wrote past 3K');
      }
    }
  });
}

test('ringCross rejects rings outside the basis, oversized rings and short outputs', () => {
  const rc = RingCrossBasis.create(basis(4, 2), 4, 2);
  assert.throws(() => rc.ringCross([0, 4], 0, 2, [1, 0, 0, 0, 1, 0], new Float64Array(6)), /ring vertex 4 is outside the basis's 4 vertices/);
  assert.throws(() => rc.ringCross([0], 0, 1, [1, 0, 0], new Float64Array(5)), /need 3 x 2/);
  assert.throws(() => rc.ringCross(new Array(MAX_RING + 1).fill(0), 0, MAX_RING + 1, [], new Float64Array(6)), /exceeds/);
  assert.throws(() => RingCrossBasis.create(new Float32Array(5), 4, 2), /need 2 x 4 x 3/);
});
