import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rasterizeUV,
  bakeVertexAttributesToUV,
  sampleImageToUV,
  compositeOver,
  uvLayoutVertices,
  rasterize,
  coverageMask,
} from '../src/render/index.js';
import type { Mesh } from '../src/mesh/mesh.js';

/** An n x n grid over uv [0.05, 0.95]^2 with positions = (u, v, 0), per-vertex uvs, CCW in the y-up frame. */
function uvGrid(n: number): Mesh {
  const positions = new Float32Array((n + 1) * (n + 1) * 3);
  const uvs = new Float32Array((n + 1) * (n + 1) * 2);
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) {
      const k = j * (n + 1) + i;
      const u = 0.05 + (0.9 * i) / n;
      const v = 0.05 + (0.9 * j) / n;
      positions.set([u, v, 0], 3 * k);
      uvs.set([u, v], 2 * k);
    }
  }
  const triangles = new Uint32Array(n * n * 6);
  for (let j = 0, o = 0; j < n; j++) {
    for (let i = 0; i < n; i++, o += 6) {
      const a = j * (n + 1) + i;
      triangles.set([a, a + 1, a + n + 2, a, a + n + 2, a + n + 1], o);
    }
  }
  return { positions, triangles, uvs };
}

test('baking a function linear in uv reproduces it at every covered texel centre', () => {
  const mesh = uvGrid(7);
  const N = 64;
  const f = (u: number, v: number): number[] => [2 * u + 3 * v + 1, -u + 0.5];
  const nv = mesh.positions.length / 3;
  const attrs = new Float32Array(nv * 2);
  for (let i = 0; i < nv; i++) attrs.set(f(mesh.uvs![2 * i], mesh.uvs![2 * i + 1]), 2 * i);
  const bake = bakeVertexAttributesToUV(mesh, attrs, 2, N, { background: -1 });
  let covered = 0;
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const p = j * N + i;
      // Texel (i, j) is centred on uv ((i + 0.5) / N, 1 - (j + 0.5) / N): v up, rows down.
      const u = (i + 0.5) / N, v = 1 - (j + 0.5) / N;
      const inside = u > 0.05 && u < 0.95 && v > 0.05 && v < 0.95;
      const onBorder = Math.min(Math.abs(u - 0.05), Math.abs(u - 0.95), Math.abs(v - 0.05), Math.abs(v - 0.95)) < 1e-6;
      if (!onBorder) assert.equal(bake.mask[p], inside ? 1 : 0, `texel ${i},${j}`);
      if (bake.mask[p]) {
        covered++;
        const [a, b] = f(u, v);
        assert.ok(Math.abs(bake.data[2 * p] - a) < 1e-4 && Math.abs(bake.data[2 * p + 1] - b) < 1e-4, `texel ${i},${j}`);
      } else {
        assert.equal(bake.data[2 * p], -1);
      }
    }
  }
  // About 0.9^2 of the texture.
  assert.ok(Math.abs(covered - 0.81 * N * N) < 4 * N);
});

test('baking with uvTriangles (split seams) uses per-corner uvs and per-vertex attributes', () => {
  // Two triangles sharing vertices 0 and 2 in 3D, but laid out in two separate UV islands.
  const mesh: Mesh = {
    positions: new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]),
    triangles: new Uint32Array([0, 1, 2, 0, 2, 3]),
    uvs: new Float32Array([0.05, 0.05, 0.45, 0.05, 0.45, 0.45, 0.55, 0.55, 0.95, 0.95, 0.55, 0.95]),
    uvTriangles: new Uint32Array([0, 1, 2, 3, 4, 5]),
  };
  const attrs = new Float32Array([10, 20, 30, 40]); // per 3D vertex
  const N = 100;
  const raster = rasterizeUV(mesh, N);
  const bake = bakeVertexAttributesToUV(mesh, attrs, 1, N, { raster });
  // Within each island the value is the linear function through its corners' vertex attributes.
  // Island 0: uv (0.05,0.05)->10, (0.45,0.05)->20, (0.45,0.45)->30; texel centre (0.445, 0.055).
  const texel = (u: number, v: number): number => Math.floor((1 - v) * N) * N + Math.floor(u * N);
  const f0 = (u: number, v: number): number => 10 + ((u - 0.05) / 0.4) * 10 + ((v - 0.05) / 0.4) * 10;
  assert.ok(Math.abs(bake.data[texel(0.44, 0.06)] - f0(0.445, 0.055)) < 1e-4);
  // Island 1: uv (0.55,0.55)->10 (vertex 0), (0.95,0.95)->30 (vertex 2), (0.55,0.95)->40 (vertex 3).
  const f1 = (u: number, v: number): number => 40 - ((u - 0.55) / 0.4) * 10 - ((0.95 - v) / 0.4) * 30;
  assert.ok(Math.abs(bake.data[texel(0.56, 0.94)] - f1(0.565, 0.935)) < 1e-4);
  assert.equal(bake.mask[texel(0.3, 0.7)], 0);
});

test('sampling an image into UV space reads the image at the interpolated positions', () => {
  const mesh = uvGrid(5);
  const W = 80, H = 60;
  // A float RGB image whose channels are linear in the pixel position (bilinear sampling is then exact).
  const img = new Float32Array(W * H * 3);
  const g = (x: number, y: number): number[] => [x / W, y / H, 0.25 + (0.5 * x) / W];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.set(g(x + 0.5, y + 0.5), 3 * (y * W + x));
  // Per-vertex image positions: an affine map of the uvs, kept away from the borders (no clamping).
  const nv = mesh.positions.length / 3;
  const pts = new Float32Array(nv * 2);
  const toImage = (u: number, v: number): number[] => [10 + 50 * u + 5 * v, 45 - 30 * v + 3 * u];
  for (let i = 0; i < nv; i++) pts.set(toImage(mesh.uvs![2 * i], mesh.uvs![2 * i + 1]), 2 * i);
  const N = 32;
  const { texture, mask } = sampleImageToUV(mesh, { width: W, height: H, channels: 3, data: img }, pts, N);
  assert.equal(texture.channels, 3);
  let n = 0;
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const p = j * N + i;
      if (!mask[p]) continue;
      n++;
      const [x, y] = toImage((i + 0.5) / N, 1 - (j + 0.5) / N);
      const want = g(x, y);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(texture.data[3 * p + c] - want[c]) < 1e-4, `texel ${i},${j} c${c}`);
    }
  }
  assert.ok(n > 0.7 * N * N);

  // Per-vertex visibility removes the texels of triangles touching hidden vertices.
  const hidden = new Uint8Array(nv).fill(1);
  hidden[0] = 0;
  const partial = sampleImageToUV(mesh, { width: W, height: H, channels: 3, data: img }, pts, N, { vertexVisible: hidden });
  const count = (m: Uint8Array): number => m.reduce((a, b) => a + b, 0);
  assert.ok(count(partial.mask) < count(mask));
  assert.ok(count(partial.mask) > count(mask) - N * N * 0.05);
});

test('sampleImageToUV depth test against an image raster drops occluded texels', () => {
  const mesh = uvGrid(4);
  const nv = mesh.positions.length / 3;
  const W = 64, H = 64;
  const img = { width: W, height: H, channels: 1 as const, data: new Uint8Array(W * H).fill(200) };
  // Screen vertices: the grid over the image at depth 5; an occluder quad at depth 1 covers the left half.
  const screen = new Float32Array(nv * 3);
  for (let i = 0; i < nv; i++) screen.set([mesh.uvs![2 * i] * W, (1 - mesh.uvs![2 * i + 1]) * H, 5], 3 * i);
  const occ = new Float32Array([0, 0, 1, 32, 0, 1, 32, 64, 1, 0, 64, 1]);
  const all = new Float32Array([...screen, ...occ]);
  const tris = new Uint32Array([...mesh.triangles, nv, nv + 1, nv + 2, nv, nv + 2, nv + 3]);
  const imageRaster = rasterize(all, tris, W, H);
  const res = sampleImageToUV(mesh, img, screen, 32, { imageRaster });
  for (let j = 0; j < 32; j++) {
    for (let i = 0; i < 32; i++) {
      const p = j * 32 + i;
      if (i < 14) assert.equal(res.mask[p], 0, `texel ${i},${j} is behind the occluder`);
      if (res.mask[p]) assert.ok(Math.abs(res.texture.data[p] - 200 / 255) < 1e-6);
    }
  }
  assert.ok(res.mask.reduce((a, b) => a + b, 0) > 300);
});

test('uvLayoutVertices flips v into image rows', () => {
  const v = uvLayoutVertices(new Float32Array([0, 0, 1, 1, 0.25, 0.75]), 8);
  assert.deepEqual(Array.from(v), [0, 8, 1, 8, 0, 1, 2, 2, 1]);
});

test('compositeOver blends covered pixels only, in the background value type', () => {
  const bg = { width: 2, height: 1, channels: 4 as const, data: new Uint8Array([10, 20, 30, 255, 40, 50, 60, 128]) };
  const fg = new Float32Array([1, 0, 0.5, 0, 1, 1]);
  const out = compositeOver(bg, fg, 3, new Uint8Array([1, 0]), { opacity: 0.5 });
  assert.deepEqual(Array.from(out.data), [Math.round(10 + 0.5 * 245), 10, Math.round(30 + 0.5 * (127.5 - 30)), 255, 40, 50, 60, 128]);
  assert.notEqual(out.data, bg.data);
  const f = { width: 1, height: 1, channels: 3 as const, data: new Float32Array([0.2, 0.2, 0.2]) };
  const r = compositeOver(f, new Float32Array([0.8, 2, -1]), 3, coverageMask({ width: 1, height: 1, triangleIds: new Int32Array([0]), depth: new Float32Array(1), barycentrics: new Float32Array(3) }), { inPlace: true });
  assert.equal(r.data, f.data);
  assert.deepEqual(Array.from(r.data).map((x) => Math.round(x * 1e6) / 1e6), [0.8, 1, 0]);
});
