/**
 * `normalBasis`: the sample normals and their derivatives w.r.t. the model coefficients, against core's
 * `computeVertexNormals` (an independent area-weighted implementation) and its central finite differences.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeVertexNormals, type FaceModel } from '@facekit/core';
import { loadIctFaceKit } from '@facekit/bfm/node';
import { decodeLinear, normalBasis, prepareModel } from '../src/index.js';
import { ICT_DIR, SKIP_ICT } from './helpers.js';

let model: FaceModel;
before(async () => {
  if (!SKIP_ICT) model = await loadIctFaceKit(ICT_DIR);
});

test('normalBasis matches computeVertexNormals and its finite differences', { skip: SKIP_ICT }, () => {
  const ctx = prepareModel(model, { identityModes: 20 });
  const { lin, K } = ctx;
  const z = new Float64Array(K).map((_, k) => 0.3 * Math.sin(1.7 * k + 0.4));
  // Interior face vertices spread over the mesh, plus the last one (ring sizes vary).
  const vertices = Uint32Array.from([...lin.fitOrder.subarray(0, 60), lin.fitOrder[lin.fitOrder.length - 1]]);
  const n = vertices.length;
  const n0 = new Float64Array(3 * n), nb = new Float64Array(3 * n * K);
  normalBasis(ctx, decodeLinear(lin, z), vertices, n0, nb);
  const normalsAt = (zz: Float64Array): Float32Array => computeVertexNormals(decodeLinear(lin, zz), lin.triangles);
  const ref = normalsAt(z);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(n0[3 * p + c] - ref[3 * vertices[p] + c]) < 1e-5, `normal ${p}.${c}`);
  }
  const h = 1e-2;
  let worst = 0, scale = 0;
  for (const k of [0, 1, 7, 19, 20, 25, K - 1]) {
    const zp = z.slice(), zm = z.slice();
    zp[k] += h;
    zm[k] -= h;
    const np = normalsAt(zp), nm = normalsAt(zm);
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < 3; c++) {
        const fd = (np[3 * vertices[p] + c] - nm[3 * vertices[p] + c]) / (2 * h);
        const an = nb[p * K * 3 + 3 * k + c];
        worst = Math.max(worst, Math.abs(fd - an));
        scale = Math.max(scale, Math.abs(an));
      }
    }
  }
  assert.ok(scale > 1e-3, `the derivatives are not all ~0 (${scale})`);
  assert.ok(worst < 2e-3 * scale, `worst derivative error ${worst} against a largest derivative ${scale}`);
});
