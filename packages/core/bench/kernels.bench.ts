/**
 * Benchmarks of the WebAssembly SIMD kernels against their JS fallbacks, on the fitter's sizes: the upper-triangle
 * Gram of 4500 rows x 160 columns (one `accurate` photometric pass: 1500 samples x 3 channels over identity,
 * pose and expression; ~59 M multiply-adds counting the diagonal tiles whole) and 2000 one-ring cross sums of a
 * 153-mode basis (rings of 9 vertices).
 */
import type { BenchCase } from '../src/util/bench.js';
import { DenseWorkspace } from '../src/kernels/dense-workspace.js';
import { RingCrossBasis } from '../src/kernels/ring-cross.js';

const ROWS = 4500, COLS = 160;

function gramCase(simd: boolean): BenchCase {
  return {
    name: `core/gemm-gram-4500x160-${simd ? 'simd' : 'js'}`,
    iterations: 10,
    setup: () => {
      const ws = DenseWorkspace.create({ simd });
      const c = ws.alloc(COLS * COLS), a = ws.alloc(ROWS * COLS);
      const x = ws.values;
      for (let i = 0; i < ROWS * COLS; i++) x[a + i] = Math.sin(0.37 * i);
      return { ws, c, a };
    },
    run: (s) => {
      const { ws, c, a } = s as { ws: DenseWorkspace; c: number; a: number };
      ws.values.fill(0, c, c + COLS * COLS);
      ws.gemmTN(c, COLS, a, COLS, a, COLS, COLS, COLS, ROWS, true);
    },
  };
}

const V = 12000, K = 153, RING = 9, SAMPLES = 2000;

function ringCase(simd: boolean): BenchCase {
  return {
    name: `core/ring-cross-2000x153-${simd ? 'simd' : 'js'}`,
    iterations: 10,
    setup: () => {
      const basis = Float32Array.from({ length: 3 * V * K }, (_, i) => Math.sin(0.11 * i));
      // Rings of nearby vertices (as a mesh's index order gives), spread over the basis.
      const ring = Uint32Array.from({ length: SAMPLES * RING }, (_, i) => ((Math.floor(i / RING) * 5 + (i % RING) * 3) % V));
      const e = Float64Array.from({ length: 3 * RING }, (_, i) => Math.cos(i));
      return { rc: RingCrossBasis.create(basis, V, K, { simd }), ring, e, out: new Float64Array(3 * K) };
    },
    run: (s) => {
      const { rc, ring, e, out } = s as { rc: RingCrossBasis; ring: Uint32Array; e: Float64Array; out: Float64Array };
      for (let p = 0; p < SAMPLES; p++) rc.ringCross(ring, p * RING, RING, e, out);
    },
  };
}

export const benches: BenchCase[] = [gramCase(true), gramCase(false), ringCase(true), ringCase(false)];
