// Benchmarks of the CPU rasterizer and SH shading (run by scripts/run-benches.mjs).
import type { BenchCase } from '../src/util/bench.js';
import { rasterize, createRasterBuffers, type RasterBuffers } from '../src/render/rasterize.js';
import { shadeImage } from '../src/shading/sh-lighting.js';
import { SHShader } from '../src/shading/sh-shader.js';

/** Icosphere of the given subdivision level (level 5: 10242 vertices, 20480 triangles), unit radius. */
function icosphere(level: number): { positions: Float32Array; triangles: Uint32Array } {
  const t = (1 + Math.sqrt(5)) / 2;
  const pts: number[] = [-1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, 0, 0, -1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, t, 0, -1, t, 0, 1, -t, 0, -1, -t, 0, 1];
  let tris: number[] = [0, 11, 5, 0, 5, 1, 0, 1, 7, 0, 7, 10, 0, 10, 11, 1, 5, 9, 5, 11, 4, 11, 10, 2, 10, 7, 6, 7, 1, 8, 3, 9, 4, 3, 4, 2, 3, 2, 6, 3, 6, 8, 3, 8, 9, 4, 9, 5, 2, 4, 11, 6, 2, 10, 8, 6, 7, 9, 8, 1];
  for (let l = 0; l < level; l++) {
    const cache = new Map<number, number>();
    const mid = (a: number, b: number): number => {
      const key = a < b ? a * 1e6 + b : b * 1e6 + a;
      let m = cache.get(key);
      if (m === undefined) {
        m = pts.length / 3;
        pts.push((pts[3 * a] + pts[3 * b]) / 2, (pts[3 * a + 1] + pts[3 * b + 1]) / 2, (pts[3 * a + 2] + pts[3 * b + 2]) / 2);
        cache.set(key, m);
      }
      return m;
    };
    const next: number[] = [];
    for (let i = 0; i < tris.length; i += 3) {
      const a = tris[i], b = tris[i + 1], c = tris[i + 2];
      const ab = mid(a, b), bc = mid(b, c), ca = mid(c, a);
      next.push(a, ab, ca, b, bc, ab, c, ca, bc, ab, bc, ca);
    }
    tris = next;
  }
  const positions = new Float32Array(pts);
  for (let i = 0; i < positions.length; i += 3) {
    const n = Math.hypot(positions[i], positions[i + 1], positions[i + 2]);
    positions[i] /= n;
    positions[i + 1] /= n;
    positions[i + 2] /= n;
  }
  return { positions, triangles: new Uint32Array(tris) };
}

/** Pinhole projection of a unit sphere 5 units in front of a 512 x 512 camera: about 200 px radius. */
function projectedSphere(): { screen: Float32Array; triangles: Uint32Array } {
  const { positions, triangles } = icosphere(5);
  const screen = new Float32Array(positions.length);
  const f = 1000;
  for (let i = 0; i < positions.length; i += 3) {
    const depth = 5 - positions[i + 2];
    screen[i] = 256 + (f * positions[i]) / depth;
    screen[i + 1] = 256 - (f * positions[i + 1]) / depth;
    screen[i + 2] = depth;
  }
  return { screen, triangles };
}

/**
 * A 101 x 101-vertex grid (20000 triangles), tilted 30 degrees about the x axis and seen by a pinhole
 * camera, covering about 420 x 370 pixels of a 512 x 512 image: an open surface like a face mesh.
 */
function projectedGrid(): { screen: Float32Array; triangles: Uint32Array } {
  const n = 100;
  const screen = new Float32Array((n + 1) * (n + 1) * 3);
  const tilt = Math.PI / 6;
  const f = 1000;
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) {
      const x = (i / n - 0.5) * 2;
      const y0 = (0.5 - j / n) * 2;
      const y = y0 * Math.cos(tilt);
      const depth = 5 + y0 * Math.sin(tilt);
      const o = 3 * (j * (n + 1) + i);
      screen[o] = 256 + (f * x) / depth;
      screen[o + 1] = 256 - (f * y) / depth;
      screen[o + 2] = depth;
    }
  }
  const triangles = new Uint32Array(n * n * 6);
  for (let j = 0, o = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i;
      const b = a + 1;
      const c = a + n + 1;
      const d = c + 1;
      // Counter-clockwise in the y-up frame.
      triangles.set([a, c, b, b, c, d], o);
      o += 6;
    }
  }
  return { screen, triangles };
}

/**
 * Puts the process in the state `npm run bench` leaves it in before the rasterizer cases, so that standalone
 * figures match the full run: the rasterizer has been called with other option combinations and sizes (as
 * the CLI overlay, fit, synth and facemesh do), and an ArrayBuffer has been detached. The latter matters most:
 * a `WebAssembly.Memory.grow` (any WASM module, tfjs, the SH kernel) detaches the old buffer, after which V8
 * checks for detached buffers on every optimised typed-array access for the rest of the process (~10-15% on
 * the rasterizer's per-pixel loops).
 */
function mixedProcessWarmUp(screen: Float32Array, triangles: Uint32Array): void {
  const memory = new WebAssembly.Memory({ initial: 1 });
  memory.grow(1);
  const shrunk = screen.map((v, i) => (i % 3 === 2 ? v : v * 0.6));
  for (let r = 0; r < 5; r++) {
    rasterize(shrunk, triangles, 320, 240, { perspective: false, cullBackFaces: true });
    rasterize(screen, triangles, 512, 512);
    rasterize(shrunk, triangles, 256, 256, { cullBackFaces: true, frontFace: 'ccw' });
    rasterize(screen, triangles, 640, 480, { perspective: true, cullBackFaces: true });
  }
}

interface RasterState {
  screen: Float32Array;
  triangles: Uint32Array;
  buffers: RasterBuffers;
}

interface ShadeState {
  normals: Float32Array;
  albedo: Float32Array;
  L: Float32Array;
  out: Float32Array;
}

/** A 512 x 512 hemisphere of normals (as a face render would give), constant albedo, a DECA-like light. */
function shadeSetup(): ShadeState {
  const n = 512 * 512;
  const normals = new Float32Array(n * 3);
  const albedo = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    const x = ((p % 512) + 0.5) / 256 - 1;
    const y = 1 - (Math.floor(p / 512) + 0.5) / 256;
    const z = Math.sqrt(Math.max(0, 1 - x * x - y * y));
    const len = Math.hypot(x, y, z);
    normals[3 * p] = x / len;
    normals[3 * p + 1] = y / len;
    normals[3 * p + 2] = z / len;
    albedo[3 * p] = 0.8;
    albedo[3 * p + 1] = 0.6;
    albedo[3 * p + 2] = 0.5;
  }
  const L = new Float32Array(27);
  for (let i = 0; i < 27; i++) L[i] = 0.1 * Math.sin(i + 1);
  L[0] = L[1] = L[2] = 2;
  return { normals, albedo, L, out: new Float32Array(n * 3) };
}

export const benches: BenchCase[] = [
  {
    // The target case: a 20k-triangle open surface (like a face) over most of the frame, perspective-correct.
    name: 'core/rasterize-20k-512',
    targetMs: 4,
    setup(): RasterState {
      const { screen, triangles } = projectedGrid();
      mixedProcessWarmUp(screen, triangles);
      return { screen, triangles, buffers: createRasterBuffers(512, 512) };
    },
    run(state: unknown): unknown {
      const s = state as RasterState;
      return rasterize(s.screen, s.triangles, 512, 512, { perspective: true, buffers: s.buffers });
    },
  },
  {
    // A closed 20480-triangle sphere (radius ~200 px) with both hemispheres drawn: twice the fragments.
    name: 'core/rasterize-sphere20k-512-nocull',
    setup(): RasterState {
      const { screen, triangles } = projectedSphere();
      return { screen, triangles, buffers: createRasterBuffers(512, 512) };
    },
    run(state: unknown): unknown {
      const s = state as RasterState;
      return rasterize(s.screen, s.triangles, 512, 512, { perspective: true, buffers: s.buffers });
    },
  },
  {
    name: 'core/rasterize-sphere20k-512-culled',
    setup(): RasterState {
      const { screen, triangles } = projectedSphere();
      return { screen, triangles, buffers: createRasterBuffers(512, 512) };
    },
    run(state: unknown): unknown {
      const s = state as RasterState;
      return rasterize(s.screen, s.triangles, 512, 512, { perspective: true, cullBackFaces: true, buffers: s.buffers });
    },
  },
  {
    // The target case: copies the G-buffers through wasm memory in cache-sized chunks (SIMD kernel).
    name: 'core/sh-shade-512',
    targetMs: 2,
    setup: shadeSetup,
    run(state: unknown): unknown {
      const s = state as ShadeState;
      return shadeImage(s.normals, s.albedo, s.L, { out: s.out });
    },
  },
  {
    // The scalar (Float64) fallback, for comparison.
    name: 'core/sh-shade-512-js',
    setup: shadeSetup,
    run(state: unknown): unknown {
      const s = state as ShadeState;
      return shadeImage(s.normals, s.albedo, s.L, { out: s.out, simd: false });
    },
  },
  {
    // G-buffers already in wasm memory (SHShader): the kernel alone, no copies.
    name: 'core/sh-shade-512-shader',
    setup(): ShadeState & { shader: SHShader } {
      const s = shadeSetup();
      const shader = SHShader.create(512 * 512);
      shader.normals.set(s.normals);
      shader.albedo.set(s.albedo);
      return { ...s, shader };
    },
    run(state: unknown): unknown {
      const s = state as ShadeState & { shader: SHShader };
      return s.shader.shade(s.L);
    },
  },
];
