import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  shBasis,
  shShadingBasis,
  shFactors,
  SH_ORTHONORMAL_CONSTANTS,
  SH_DECA_FACTORS,
  shadeVertices,
  shadeImage,
  solveSHLighting,
} from '../src/shading/index.js';
import { FacekitError } from '../src/util/errors.js';

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

/** N points spread evenly over the unit sphere (Fibonacci lattice), V x 3. */
function fibonacciSphere(n: number): Float32Array {
  const out = new Float32Array(n * 3);
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < n; i++) {
    const z = 1 - (2 * (i + 0.5)) / n;
    const r = Math.sqrt(1 - z * z);
    out.set([r * Math.cos(golden * i), r * Math.sin(golden * i), z], 3 * i);
  }
  return out;
}

test('the 9 real SH are orthonormal over the sphere (Fibonacci quadrature)', () => {
  const n = 40000;
  const pts = fibonacciSphere(n);
  const gram = new Float64Array(81);
  const y = new Float64Array(9);
  for (let i = 0; i < n; i++) {
    shBasis(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2], y);
    for (let a = 0; a < 9; a++) for (let b = 0; b < 9; b++) gram[9 * a + b] += (y[a] * y[b] * 4 * Math.PI) / n;
  }
  for (let a = 0; a < 9; a++) {
    for (let b = 0; b < 9; b++) {
      assert.ok(Math.abs(gram[9 * a + b] - (a === b ? 1 : 0)) < 1e-3, `<Y${a}, Y${b}> = ${gram[9 * a + b]}`);
    }
  }
});

test('constants: orthonormal 0.282095 / 0.488603 / 1.092548 / 0.546274 / 0.315392 and DECA factors', () => {
  const round = (xs: readonly number[]): number[] => xs.map((x) => Math.round(x * 1e6) / 1e6);
  assert.deepEqual(round(SH_ORTHONORMAL_CONSTANTS), [0.282095, 0.488603, 0.488603, 0.488603, 1.092548, 1.092548, 1.092548, 0.546274, 0.315392]);
  // DECA: band 0 without pi, band 1 times 2 pi / 3, band 2 times pi / 4.
  const expected = [0.282095, 0.488603 * ((2 * Math.PI) / 3), 0, 0, 1.092548 * (Math.PI / 4), 0, 0, 0.546274 * (Math.PI / 4), 0.315392 * (Math.PI / 4)];
  for (const k of [0, 1, 4, 7, 8]) assert.ok(Math.abs(SH_DECA_FACTORS[k] - expected[k]) < 1e-5, `factor ${k}`);
  assert.equal(shFactors('deca'), SH_DECA_FACTORS);
  assert.equal(shFactors('orthonormal'), SH_ORTHONORMAL_CONSTANTS);
  // The shading basis is the polynomial list [1, x, y, z, xy, xz, yz, x^2 - y^2, 3z^2 - 1] times the factors.
  const [x, y, z] = [0.36, -0.48, 0.8];
  const poly = [1, x, y, z, x * y, x * z, y * z, x * x - y * y, 3 * z * z - 1];
  const phi = shShadingBasis(x, y, z);
  for (let k = 0; k < 9; k++) assert.ok(Math.abs(phi[k] - SH_DECA_FACTORS[k] * poly[k]) < 1e-12);
  const out = new Float32Array(12);
  shBasis(x, y, z, out, 3);
  assert.equal(out[2], 0);
  assert.ok(Math.abs(out[3] - 0.282095) < 1e-6);
});

test('shadeVertices computes rho * sum_k L_k phi_k(n) per channel in both conventions', () => {
  const rand = rng(5);
  const nv = 50;
  const normals = fibonacciSphere(nv);
  const albedo = new Float32Array(nv * 3).map(() => rand());
  const L = new Float32Array(27).map(() => rand() - 0.3);
  for (const convention of ['deca', 'orthonormal'] as const) {
    const c = shadeVertices(normals, albedo, L, { convention });
    const s = shadeVertices(normals, null, L, { convention });
    for (let i = 0; i < nv; i++) {
      const phi = shShadingBasis(normals[3 * i], normals[3 * i + 1], normals[3 * i + 2], convention);
      for (let ch = 0; ch < 3; ch++) {
        let sum = 0;
        for (let k = 0; k < 9; k++) sum += L[3 * k + ch] * phi[k];
        assert.ok(Math.abs(s[3 * i + ch] - sum) < 1e-5);
        assert.ok(Math.abs(c[3 * i + ch] - sum * albedo[3 * i + ch]) < 1e-5);
      }
    }
  }
  // A constant light (band 0 only) shades every normal alike: L0 * 0.282095 in the DECA convention.
  const ambient = new Float32Array(27);
  ambient[0] = ambient[1] = ambient[2] = 2;
  const flat = shadeVertices(normals, null, ambient);
  for (const v of flat) assert.ok(Math.abs(v - 2 * 0.2820948) < 1e-6);
});

test('shadeImage equals shadeVertices per pixel and honours the mask', () => {
  const rand = rng(9);
  const W = 37, H = 23;
  const n = W * H;
  const normals = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    const x = rand() * 2 - 1, y = rand() * 2 - 1, z = rand();
    const len = Math.hypot(x, y, z);
    normals.set([x / len, y / len, z / len], 3 * p);
  }
  const albedo = new Float32Array(n * 3).map(() => rand());
  const L = new Float32Array(27).map(() => rand() - 0.5);
  const img = shadeImage(normals, albedo, L);
  const ref = shadeVertices(normals, albedo, L);
  assert.deepEqual(img, ref);
  const mask = new Uint8Array(n).map(() => (rand() < 0.5 ? 1 : 0));
  const out = new Float32Array(n * 3);
  const masked = shadeImage(normals, albedo, L, { mask, background: -1, out });
  assert.equal(masked, out);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) assert.equal(masked[3 * p + c], mask[p] ? ref[3 * p + c] : -1);
  }
});

test('solveSHLighting recovers known coefficients from synthetic shading', () => {
  const rand = rng(11);
  const nv = 3000;
  const normals = fibonacciSphere(nv);
  const albedo = new Float32Array(nv * 3).map(() => 0.3 + 0.6 * rand());
  for (const convention of ['deca', 'orthonormal'] as const) {
    const L = new Float32Array(27).map(() => rand() - 0.5);
    L[0] += 2;
    L[1] += 2;
    L[2] += 2;
    const colors = shadeVertices(normals, albedo, L, { convention });
    const exact = solveSHLighting(colors, normals, albedo, { convention });
    for (let i = 0; i < 27; i++) assert.ok(Math.abs(exact[i] - L[i]) < 1e-4, `${convention} L[${i}]: ${exact[i]} vs ${L[i]}`);
    // With noise (sigma 0.01 on colours of about 0.5) the estimate stays close.
    const noisy = colors.map((c) => c + 0.01 * (rand() + rand() + rand() - 1.5) * 2);
    const est = solveSHLighting(noisy, normals, albedo, { convention });
    for (let i = 0; i < 27; i++) assert.ok(Math.abs(est[i] - L[i]) < 0.05, `${convention} noisy L[${i}]: ${est[i]} vs ${L[i]}`);
  }
});

test('solveSHLighting: weights, hemisphere data and regularisation', () => {
  const rand = rng(13);
  // Normals over the front hemisphere only (as on a face) still determine the 9 coefficients.
  const all = fibonacciSphere(4000);
  const front: number[] = [];
  for (let i = 0; i < 4000; i++) if (all[3 * i + 2] > 0) front.push(all[3 * i], all[3 * i + 1], all[3 * i + 2]);
  const normals = new Float32Array(front);
  const nv = normals.length / 3;
  const L = new Float32Array(27).map(() => rand() - 0.5);
  const colors = shadeVertices(normals, null, L);
  const est = solveSHLighting(colors, normals, null);
  for (let i = 0; i < 27; i++) assert.ok(Math.abs(est[i] - L[i]) < 1e-3, `L[${i}]`);
  // Zero weight on corrupted samples removes their influence.
  const corrupted = colors.slice();
  const weights = new Float32Array(nv).fill(1);
  for (let i = 0; i < nv; i += 7) {
    corrupted[3 * i] = 100;
    weights[i] = 0;
  }
  const weighted = solveSHLighting(corrupted, normals, null, { weights });
  for (let i = 0; i < 27; i++) assert.ok(Math.abs(weighted[i] - L[i]) < 1e-3);
  // A ridge term shrinks the solution towards zero.
  const ridge = solveSHLighting(colors, normals, null, { regularization: 0.5 });
  let n0 = 0, n1 = 0;
  for (let i = 0; i < 27; i++) {
    n0 += est[i] * est[i];
    n1 += ridge[i] * ridge[i];
  }
  assert.ok(n1 < n0);
});

test('solveSHLighting rejects degenerate input with a clear error', () => {
  const same = new Float32Array(30).fill(0);
  for (let i = 0; i < 10; i++) same[3 * i + 2] = 1; // ten identical normals
  const colors = new Float32Array(30).fill(0.5);
  assert.throws(
    () => solveSHLighting(colors, same, null),
    (e: unknown) => e instanceof FacekitError && e.code === 'ERR_DEGENERATE_LIGHTING' && /singular/.test(e.message),
  );
  const few = fibonacciSphere(5);
  assert.throws(
    () => solveSHLighting(new Float32Array(15), few, null),
    (e: unknown) => e instanceof FacekitError && /at least 9 samples/.test(e.message),
  );
  const normals = fibonacciSphere(100);
  assert.throws(
    () => solveSHLighting(new Float32Array(300), normals, new Float32Array(300)),
    (e: unknown) => e instanceof FacekitError && /zero albedo/.test(e.message),
  );
  assert.throws(() => solveSHLighting(new Float32Array(3), normals, null), RangeError);
  // Identical normals become solvable (if not meaningful) with regularisation.
  const reg = solveSHLighting(colors, same, null, { regularization: 1e-3 });
  assert.equal(reg.length, 27);
  assert.throws(() => shadeVertices(normals, null, new Float32Array(9)), /27/);
});
