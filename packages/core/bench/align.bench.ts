/**
 * Benchmarks of alignment and metrics: exact point-to-surface distance (scan to mesh), Procrustes on 68
 * landmarks, and ICP. Synthetic data: a bumpy sphere (head-sized, radius 100 mm) with 20 000 triangles and
 * 50 000 "scan" points sampled near it with noise, in random order (the worst case for query coherence).
 */
import type { BenchCase } from '../src/util/bench.js';
import { TriangleBvh } from '../src/metrics/triangle-bvh.js';
import { procrustes } from '../src/align/procrustes.js';
import { icp, prepareIcpTarget, type PreparedIcpTarget } from '../src/align/icp.js';
import { applySimilarity } from '../src/align/similarity.js';
import { axisAngleToMatrix } from '../src/math/rotations.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function radius(theta: number, phi: number): number {
  return 100 * (1 + 0.06 * Math.sin(5 * theta) * Math.cos(7 * phi) + 0.03 * Math.sin(11 * theta + 3 * phi));
}

/** Lat-long bumpy sphere: 2 poles + (nLat - 1) rings of nLon vertices, 2 nLon (nLat - 1) triangles. */
function bumpySphere(nLat: number, nLon: number): { positions: Float32Array; triangles: Uint32Array } {
  const nv = 2 + (nLat - 1) * nLon;
  const positions = new Float32Array(3 * nv);
  const put = (i: number, theta: number, phi: number): void => {
    const r = radius(theta, phi);
    positions[3 * i] = r * Math.sin(theta) * Math.cos(phi);
    positions[3 * i + 1] = r * Math.cos(theta);
    positions[3 * i + 2] = r * Math.sin(theta) * Math.sin(phi);
  };
  put(0, 0, 0);
  put(1, Math.PI, 0);
  for (let i = 1; i < nLat; i++) {
    for (let j = 0; j < nLon; j++) put(2 + (i - 1) * nLon + j, (i * Math.PI) / nLat, (j * 2 * Math.PI) / nLon);
  }
  const tris: number[] = [];
  const v = (i: number, j: number): number => 2 + (i - 1) * nLon + (j % nLon);
  for (let j = 0; j < nLon; j++) {
    tris.push(0, v(1, j + 1), v(1, j));
    tris.push(1, v(nLat - 1, j), v(nLat - 1, j + 1));
  }
  for (let i = 1; i < nLat - 1; i++) {
    for (let j = 0; j < nLon; j++) {
      tris.push(v(i, j), v(i, j + 1), v(i + 1, j));
      tris.push(v(i, j + 1), v(i + 1, j + 1), v(i + 1, j));
    }
  }
  return { positions, triangles: Uint32Array.from(tris) };
}

/** Points on the analytic surface plus radial noise (sigma in mm), in random order. */
function scanPoints(n: number, sigma: number, rand: () => number): Float32Array {
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const theta = Math.acos(1 - 2 * rand());
    const phi = 2 * Math.PI * rand();
    const g = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    const r = radius(theta, phi) + sigma * g;
    out[3 * i] = r * Math.sin(theta) * Math.cos(phi);
    out[3 * i + 1] = r * Math.cos(theta);
    out[3 * i + 2] = r * Math.sin(theta) * Math.sin(phi);
  }
  return out;
}

interface SurfaceState {
  bvh: TriangleBvh;
  points: Float32Array;
}

interface IcpState {
  target: PreparedIcpTarget;
  source: Float32Array;
}

const mesh20k = bumpySphere(101, 100); // 20 000 triangles

export const benches: BenchCase[] = [
  {
    name: 'core/point-to-surface-50k-20k',
    targetMs: 150,
    iterations: 20,
    setup(): SurfaceState {
      const t0 = performance.now();
      const bvh = new TriangleBvh(mesh20k.positions, mesh20k.triangles);
      const buildMs = performance.now() - t0;
      console.log(`  (BVH build over ${bvh.triangleCount} triangles: ${buildMs.toFixed(1)} ms, ${bvh.nodeCount} nodes)`);
      return { bvh, points: scanPoints(50_000, 1, mulberry32(1)) };
    },
    run(state: unknown): unknown {
      const { bvh, points } = state as SurfaceState;
      return bvh.query(points);
    },
  },
  {
    name: 'core/bvh-build-20k',
    iterations: 20,
    run(): unknown {
      return new TriangleBvh(mesh20k.positions, mesh20k.triangles);
    },
  },
  {
    name: 'core/procrustes-68',
    iterations: 200,
    setup(): { src: Float64Array; dst: Float64Array } {
      const rand = mulberry32(2);
      const src = new Float64Array(68 * 3);
      for (let i = 0; i < src.length; i++) src[i] = 100 * (rand() - 0.5);
      const R = axisAngleToMatrix([0.3, -0.2, 0.1]);
      const dst = new Float64Array(applySimilarity(src, { scale: 1.3, rotation: Float64Array.from(R), translation: new Float64Array([5, -3, 40]) }, new Float64Array(src.length)));
      for (let i = 0; i < dst.length; i++) dst[i] += rand() - 0.5;
      return { src, dst };
    },
    run(state: unknown): unknown {
      const { src, dst } = state as { src: Float64Array; dst: Float64Array };
      return procrustes(src, dst);
    },
  },
  ...(['point-to-point', 'point-to-plane'] as const).map(
    (method): BenchCase => ({
      name: `core/icp-${method}-5k-to-20k`,
      iterations: 10,
      setup(): IcpState {
        const target = prepareIcpTarget(mesh20k);
        const pts = scanPoints(5000, 0.2, mulberry32(3));
        const R = axisAngleToMatrix([0.04, -0.03, 0.05]);
        const source = applySimilarity(pts, { scale: 1, rotation: Float64Array.from(R), translation: new Float64Array([2, -1, 3]) }) as Float32Array;
        return { target, source };
      },
      run(state: unknown): unknown {
        const { target, source } = state as IcpState;
        return icp(source, target, { method, maxIterations: 30, tolerance: 1e-7 });
      },
    }),
  ),
];
