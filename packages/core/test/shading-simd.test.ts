import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shadeImage, shadeVertices, shShadingBasis, SHShader, shSimdAvailable, foldSHCoefficients } from '../src/shading/index.js';

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

interface Inputs {
  normals: Float32Array;
  albedo: Float32Array;
  mask: Uint8Array;
  L: Float32Array;
}

function inputs(n: number, seed: number): Inputs {
  const rand = rng(seed);
  const normals = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    const x = rand() * 2 - 1, y = rand() * 2 - 1, z = rand() * 2 - 1;
    const len = Math.hypot(x, y, z) || 1;
    normals.set([x / len, y / len, z / len], 3 * p);
  }
  const albedo = new Float32Array(n * 3).map(() => rand());
  // Nonzero mask bytes of any value count as "shade"; runs of zeros cover whole 4-pixel groups too.
  const mask = new Uint8Array(n).map((_, p) => ((p >> 3) % 3 === 0 ? 0 : rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 255)));
  const L = new Float32Array(27).map(() => rand() - 0.5);
  L[0] += 2;
  L[1] += 2;
  L[2] += 2;
  return { normals, albedo, mask, L };
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    const tol = 1e-6 * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol) && !(Object.is(actual[i], expected[i]))) {
      assert.fail(`${what}: [${i}] ${actual[i]} vs ${expected[i]}`);
    }
  }
}

test('the WebAssembly SIMD kernel is available on this runtime', () => {
  assert.equal(shSimdAvailable(), true);
  assert.equal(SHShader.create(8).backend, 'simd');
  assert.equal(SHShader.create(8, { simd: false }).backend, 'js');
});

test('SIMD and scalar shading agree on random inputs, with and without mask and albedo', () => {
  // Sizes below the SIMD threshold, with partial 4-pixel groups, and across the copy-through chunks (8192).
  for (const n of [1, 7, 16, 17, 1001, 8192, 8195, 20003]) {
    const { normals, albedo, mask, L } = inputs(n, n);
    for (const convention of ['deca', 'orthonormal'] as const) {
      for (const alb of [albedo, null]) {
        for (const msk of [mask, undefined]) {
          const what = `n=${n} ${convention} albedo=${alb !== null} mask=${msk !== undefined}`;
          const js = shadeImage(normals, alb, L, { convention, mask: msk, background: -0.25, simd: false });
          const simd = shadeImage(normals, alb, L, { convention, mask: msk, background: -0.25 });
          assertClose(simd, js, what);
          if (msk) {
            for (let p = 0; p < n; p++) {
              if (msk[p] === 0) for (let c = 0; c < 3; c++) assert.equal(simd[3 * p + c], -0.25, `${what} bg ${p}`);
            }
          }
          // The zero-copy shader on the same buffers.
          const shader = SHShader.create(n);
          shader.normals.set(normals);
          shader.albedo.set(albedo);
          shader.mask.set(mask);
          const out = shader.shade(L, { convention, useAlbedo: alb !== null, useMask: msk !== undefined, background: -0.25 });
          assert.equal(out, shader.out);
          assertClose(out, js, `SHShader ${what}`);
        }
      }
    }
  }
});

test('SIMD shading matches the f64 reference sum_k L_k phi_k(n) * albedo', () => {
  const n = 999;
  const { normals, albedo, L } = inputs(n, 3);
  const img = shadeImage(normals, albedo, L);
  const verts = shadeVertices(normals, albedo, L);
  assert.deepEqual(img, verts);
  for (let p = 0; p < n; p++) {
    const phi = shShadingBasis(normals[3 * p], normals[3 * p + 1], normals[3 * p + 2]);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < 9; k++) sum += L[3 * k + c] * phi[k];
      assert.ok(Math.abs(img[3 * p + c] - sum * albedo[3 * p + c]) < 1e-5);
    }
  }
});

test('SHShader: JS backend, reuse, in-place out and errors', () => {
  const n = 4097;
  const { normals, albedo, mask, L } = inputs(n, 21);
  const simd = SHShader.create(n);
  const js = SHShader.create(n, { simd: false });
  for (const s of [simd, js]) {
    assert.equal(s.pixels, n);
    assert.equal(s.normals.length, 3 * n);
    assert.equal(s.albedo.length, 3 * n);
    assert.equal(s.mask.length, n);
    assert.equal(s.out.length, 3 * n);
    s.normals.set(normals);
    s.albedo.set(albedo);
    s.mask.set(mask);
  }
  const L2 = L.map((v) => -v);
  for (const light of [L, L2, L]) {
    const a = simd.shade(light, { useMask: true, background: 0.5 });
    const b = js.shade(light, { useMask: true, background: 0.5 });
    assertClose(a, b, 'simd vs js shader');
    assertClose(a, shadeImage(normals, albedo, light, { mask, background: 0.5, simd: false }), 'shader vs shadeImage');
  }
  // shadeImage may write over its own inputs.
  const inPlace = normals.slice();
  const expected = shadeImage(normals, null, L, { simd: false });
  assert.equal(shadeImage(inPlace, null, L, { out: inPlace }), inPlace);
  assertClose(inPlace, expected, 'in place');
  assert.throws(() => simd.shade(new Float32Array(9)), RangeError);
  assert.throws(() => shadeImage(normals, null, L, { convention: 'bogus' as never }), RangeError);
  assert.throws(() => SHShader.create(-1), RangeError);
  const empty = SHShader.create(0);
  assert.equal(empty.shade(L).length, 0);
  assert.equal(shadeImage(new Float32Array(0), null, L).length, 0);
});

test('foldSHCoefficients folds the convention factors into the polynomial basis', () => {
  const { L } = inputs(1, 5);
  const C = foldSHCoefficients(L, 'deca');
  // sum_k C_k Q_k(n) with Q = [1, x, y, z, xy, xz, yz, x^2 - y^2, z^2] equals sum_k L_k phi_k(n).
  const [x, y, z] = [0.36, -0.48, 0.8];
  const Q = [1, x, y, z, x * y, x * z, y * z, x * x - y * y, z * z];
  const phi = shShadingBasis(x, y, z, 'deca');
  for (let c = 0; c < 3; c++) {
    let a = 0, b = 0;
    for (let k = 0; k < 9; k++) {
      a += C[3 * k + c] * Q[k];
      b += L[3 * k + c] * phi[k];
    }
    assert.ok(Math.abs(a - b) < 1e-12);
  }
});
