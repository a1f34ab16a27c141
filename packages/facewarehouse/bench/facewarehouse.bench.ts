/**
 * Decode benchmarks of the bilinear model at FaceWarehouse size: 11510 vertices, a 50 x 25 core (random values;
 * speed does not depend on them). No target: the figures are reported for comparison.
 */
import type { BenchCase } from '@facekit/core';
import { BilinearFaceModel } from '../src/index.js';

const V = 11510;
const I = 50;
const E = 25;

interface State {
  model: BilinearFaceModel;
  out: Float32Array;
  identities: Float32Array[];
  expressions: Float32Array[];
  step: number;
}

/** A random 50 x 25 core (uniform values from a seeded LCG: filling 43M floats with Box-Muller would dominate setup). */
function setup(): State {
  let seed = 12345;
  const next = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const core = new Float32Array(I * E * 3 * V);
  for (let k = 0; k < core.length; k++) core[k] = next();
  const model = new BilinearFaceModel({ vertexCount: V, identitySize: I, expressionSize: E, core });
  return {
    model,
    out: new Float32Array(3 * V),
    identities: Array.from({ length: 4 }, () => Float32Array.from({ length: I }, next)),
    expressions: Array.from({ length: 8 }, () => Float32Array.from({ length: E }, next)),
    step: 0,
  };
}

export const benches: BenchCase[] = [
  {
    name: 'facewarehouse/decode-11510-50x25-expression-only',
    setup,
    // Identity fixed, expression changes every call: the cached expression basis is reused (an E x 3V blend).
    run(state) {
      const s = state as State;
      s.step++;
      return s.model.decode({ identity: s.identities[0], expression: s.expressions[s.step % s.expressions.length] }, s.out);
    },
    iterations: 200,
  },
  {
    name: 'facewarehouse/decode-11510-50x25-full',
    setup,
    // Identity changes every call: the I x E x 3V identity contraction runs each time.
    run(state) {
      const s = state as State;
      s.step++;
      return s.model.decode({ identity: s.identities[s.step % s.identities.length], expression: s.expressions[s.step % s.expressions.length] }, s.out);
    },
    iterations: 30,
  },
];
