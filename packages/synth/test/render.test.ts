import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eulerToMatrix, shadeVertices } from '@facekit/core';
import { ICT_LANDMARK_VERTICES } from '@facekit/bfm';
import { lightToSH, renderSyntheticFace, sampleParameters, Sampler, createRandom, deriveSeed } from '@facekit/synth';
import { ict, skipWithoutIct } from './helpers.js';

describe('lighting', () => {
  it('projects ambient + directional light onto SH exactly (DECA convention)', () => {
    const d: [number, number, number] = [0.48, 0.6, 0.64];
    const L = lightToSH({ ambient: [0.6, 0.5, 0.4], direction: d, intensity: [0.4, 0.3, 0.2] });
    // The band-0..2 projection of max(0, cos) is 1/4 + cos/2 + (5/16) P2(cos): 1.0625 facing, 0.0625 opposite.
    const n = Float32Array.of(...d, -d[0], -d[1], -d[2], 0.8, -0.6, 0);
    const c = shadeVertices(n, null, L);
    const lobe = (cos: number): number => 0.25 + cos / 2 + (5 / 32) * (3 * cos * cos - 1);
    const cos3 = 0.8 * d[0] - 0.6 * d[1];
    const amb = [0.6, 0.5, 0.4], int = [0.4, 0.3, 0.2];
    for (let ch = 0; ch < 3; ch++) {
      assert.ok(Math.abs(c[ch] - (amb[ch] + int[ch] * lobe(1))) < 1e-5);
      assert.ok(Math.abs(c[3 + ch] - (amb[ch] + int[ch] * lobe(-1))) < 1e-5);
      assert.ok(Math.abs(c[6 + ch] - (amb[ch] + int[ch] * lobe(cos3))) < 1e-5);
    }
  });

  it('seeds are reproducible and sample seeds are independent of the count', () => {
    const a = new Sampler(createRandom(5)), b = new Sampler(createRandom(5));
    for (let i = 0; i < 10; i++) assert.equal(a.gauss(), b.gauss());
    assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
    assert.equal(deriveSeed(1, 3), deriveSeed(1, 3));
  });
});

describe('renderSyntheticFace (ICT-FaceKit)', { skip: skipWithoutIct }, () => {
  it('is deterministic for a seed and differs between seeds', async () => {
    const m = await ict();
    const a = renderSyntheticFace(m, 42, { size: 96 });
    const b = renderSyntheticFace(m, 42, { size: 96 });
    const c = renderSyntheticFace(m, 43, { size: 96 });
    assert.deepEqual(a.image.data, b.image.data);
    assert.deepEqual(a.params, b.params);
    assert.deepEqual(a.camera, b.camera);
    assert.deepEqual(a.lighting, b.lighting);
    assert.notDeepEqual(a.image.data, c.image.data);
    assert.equal(a.image.width, 96);
    assert.equal(a.image.channels, 3);
  });

  it('samples identity ~ N(0, 1), a few moderate blendshapes and poses within range', async () => {
    const m = await ict();
    let sumSq = 0, n = 0;
    for (let seed = 0; seed < 30; seed++) {
      const s = new Sampler(createRandom(seed));
      const p = sampleParameters(m, s);
      for (const v of p.identity) {
        sumSq += v * v;
        n++;
      }
      const active = Array.from(p.expression).filter((w) => w !== 0);
      assert.ok(active.length >= 1 && active.length <= 3, `${active.length} active blendshapes`);
      for (const w of active) assert.ok(w >= 0.2 - 1e-6 && w <= 0.7 + 1e-6, `weight ${w}`);
    }
    const std = Math.sqrt(sumSq / n);
    assert.ok(std > 0.9 && std < 1.1, `identity std ${std}`);
    for (let seed = 0; seed < 8; seed++) {
      const f = renderSyntheticFace(m, seed, { size: 32, supersample: 1 });
      assert.ok(Math.abs(f.pose.yaw) <= 30 && Math.abs(f.pose.pitch) <= 15 && Math.abs(f.pose.roll) <= 10);
      // The landmark box fills about half the frame.
      const side = Math.max(f.box[2], f.box[3]) / 32;
      assert.ok(side >= 0.44 && side <= 0.59, `landmark box side ${side}`);
    }
  });

  it('projects the true 3D landmarks (the ICT landmark vertices) onto landmarks2d, for both cameras', async () => {
    const m = await ict();
    for (const camera of ['orthographic', 'weak-perspective'] as const) {
      const f = renderSyntheticFace(m, 9, { size: 128, camera });
      const P = f.mesh.positions;
      const R = eulerToMatrix(f.pose);
      const cam = f.camera;
      assert.deepEqual(Array.from(cam.rotation!), Array.from(R));
      for (let l = 0; l < 68; l++) {
        const v = ICT_LANDMARK_VERTICES[l];
        for (let c = 0; c < 3; c++) assert.equal(f.landmarks3d[3 * l + c], P[3 * v + c]);
        const X = [0, 1, 2].map((r) => R[3 * r] * P[3 * v] + R[3 * r + 1] * P[3 * v + 1] + R[3 * r + 2] * P[3 * v + 2] + cam.translation![r]);
        let u: number, w: number;
        if (cam.type === 'orthographic') {
          u = cam.cx + cam.scale * X[0];
          w = cam.cy - cam.scale * X[1];
        } else if (cam.type === 'weak-perspective') {
          u = ((cam.scale * (X[0] + cam.tx) + 1) * cam.width) / 2;
          w = ((1 - cam.scale * (X[1] + cam.ty)) * cam.height) / 2;
        } else throw new Error('unexpected camera');
        assert.ok(Math.abs(u - f.landmarks2d[2 * l]) < 1e-3 && Math.abs(w - f.landmarks2d[2 * l + 1]) < 1e-3, `landmark ${l} (${camera})`);
      }
    }
    const a = renderSyntheticFace(m, 9, { size: 128, camera: 'orthographic' });
    const b = renderSyntheticFace(m, 9, { size: 128, camera: 'weak-perspective' });
    assert.deepEqual(a.image.data, b.image.data);
  });

  it('colours a face pixel as albedo x SH shading of its normal (independent recomputation, 2x supersampling)', async () => {
    const m = await ict();
    const f = renderSyntheticFace(m, 21, { size: 128, supersample: 2 });
    const P = f.mesh.positions;
    const T = m.topology.triangles;
    // Own area-weighted vertex normals.
    const N = new Float64Array(P.length);
    for (let t = 0; t < T.length; t += 3) {
      const a = 3 * T[t], b = 3 * T[t + 1], c = 3 * T[t + 2];
      const e1 = [P[b] - P[a], P[b + 1] - P[a + 1], P[b + 2] - P[a + 2]];
      const e2 = [P[c] - P[a], P[c + 1] - P[a + 1], P[c + 2] - P[a + 2]];
      const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
      for (const v of [a, b, c]) for (let k = 0; k < 3; k++) N[v + k] += n[k];
    }
    // Own projection (orthographic, as documented in core camera.ts).
    const cam = f.camera;
    assert.equal(cam.type, 'orthographic');
    if (cam.type !== 'orthographic') return;
    const R = cam.rotation!, t = cam.translation!;
    const V = P.length / 3;
    const su = new Float64Array(V), sv = new Float64Array(V), sd = new Float64Array(V);
    for (let i = 0; i < V; i++) {
      const X = [0, 1, 2].map((r) => R[3 * r] * P[3 * i] + R[3 * r + 1] * P[3 * i + 1] + R[3 * r + 2] * P[3 * i + 2] + t[r]);
      su[i] = cam.cx + cam.scale * X[0];
      sv[i] = cam.cy - cam.scale * X[1];
      sd[i] = -X[2];
    }
    // DECA SH factors, written out.
    const PI = Math.PI;
    const k = [1 / Math.sqrt(4 * PI), (2 * PI / 3) * Math.sqrt(3 / (4 * PI)), (PI / 4) * 3 * Math.sqrt(5 / (12 * PI)), (PI / 4) * 1.5 * Math.sqrt(5 / (12 * PI)), (PI / 4) * 0.5 * Math.sqrt(5 / (4 * PI))];
    const L = f.lighting;
    const shade = (x: number, y: number, z: number, c: number): number => {
      const B = [k[0], k[1] * x, k[1] * y, k[1] * z, k[2] * x * y, k[2] * x * z, k[2] * y * z, k[3] * (x * x - y * y), k[4] * (3 * z * z - 1)];
      return B.reduce((s, b, j) => s + b * L[3 * j + c], 0);
    };
    const tris = f.renderTriangles;
    const colourAt = (px: number, py: number): number[] | null => {
      let best = -1, bestDepth = Infinity, w0 = 0, w1 = 0, w2 = 0;
      for (let q = 0; q < tris.length; q += 3) {
        const a = tris[q], b = tris[q + 1], c = tris[q + 2];
        if (Math.max(su[a], su[b], su[c]) < px || Math.min(su[a], su[b], su[c]) > px) continue;
        if (Math.max(sv[a], sv[b], sv[c]) < py || Math.min(sv[a], sv[b], sv[c]) > py) continue;
        const det = (su[b] - su[a]) * (sv[c] - sv[a]) - (sv[b] - sv[a]) * (su[c] - su[a]);
        if (det === 0) continue;
        const l1 = ((px - su[a]) * (sv[c] - sv[a]) - (py - sv[a]) * (su[c] - su[a])) / det;
        const l2 = ((su[b] - su[a]) * (py - sv[a]) - (sv[b] - sv[a]) * (px - su[a])) / det;
        const l0 = 1 - l1 - l2;
        if (l0 < 0 || l1 < 0 || l2 < 0) continue;
        const d = l0 * sd[a] + l1 * sd[b] + l2 * sd[c];
        if (d < bestDepth) {
          bestDepth = d;
          best = q;
          w0 = l0; w1 = l1; w2 = l2;
        }
      }
      if (best < 0) return null;
      const [a, b, c] = [tris[best], tris[best + 1], tris[best + 2]];
      const nm = [0, 1, 2].map((j) => w0 * N[3 * a + j] / Math.hypot(N[3 * a], N[3 * a + 1], N[3 * a + 2]) + w1 * N[3 * b + j] / Math.hypot(N[3 * b], N[3 * b + 1], N[3 * b + 2]) + w2 * N[3 * c + j] / Math.hypot(N[3 * c], N[3 * c + 1], N[3 * c + 2]));
      const nc = [0, 1, 2].map((r) => R[3 * r] * nm[0] + R[3 * r + 1] * nm[1] + R[3 * r + 2] * nm[2]);
      const len = Math.hypot(nc[0], nc[1], nc[2]);
      return [0, 1, 2].map((ch) => {
        const albedo = w0 * f.albedo[3 * a + ch] + w1 * f.albedo[3 * b + ch] + w2 * f.albedo[3 * c + ch];
        return Math.min(1, Math.max(0, albedo * shade(nc[0] / len, nc[1] / len, nc[2] / len, ch)));
      });
    };
    const lm = f.landmarks2d;
    const probes = [[27], [28], [29], [33], [36, 48], [45, 54], [19, 37], [24, 44], [8, 57]].map((ix) => [
      Math.floor(ix.reduce((s, i) => s + lm[2 * i], 0) / ix.length),
      Math.floor(ix.reduce((s, i) => s + lm[2 * i + 1], 0) / ix.length),
    ]);
    let checked = 0;
    for (const [x, y] of probes) {
      const subs = [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]].map(([dx, dy]) => colourAt(x + dx, y + dy));
      if (subs.some((s) => s === null)) continue;
      for (let ch = 0; ch < 3; ch++) {
        const expected = (255 * subs.reduce((s, c) => s + c![ch], 0)) / 4;
        const got = f.image.data[3 * (y * 128 + x) + ch];
        assert.ok(Math.abs(got - expected) <= 1, `pixel (${x}, ${y}) channel ${ch}: image ${got}, recomputed ${expected.toFixed(2)}`);
      }
      checked++;
    }
    assert.ok(checked >= 6, `only ${checked} probe pixels were fully covered`);
  });
});
