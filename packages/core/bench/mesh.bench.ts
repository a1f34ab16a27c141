/**
 * Benchmarks of mesh kernels on a FLAME-sized sphere (icosphere level 5: 10 242 vertices, 20 480 triangles) and of
 * the image ops used by every predictor's preprocessing (a 224 crop warped out of a 1920 x 1080 photo).
 */
import type { BenchCase } from '../src/util/bench.js';
import { createIcosphere } from '../src/mesh/primitives.js';
import { computeVertexNormals } from '../src/mesh/normals.js';
import { computeVertexAdjacency } from '../src/mesh/topology.js';
import { cotangentLaplacian, multiplySparseDense } from '../src/mesh/laplacian.js';
import { createImage, type ImageU8 } from '../src/image/image.js';
import { warpAffine } from '../src/image/warp.js';
import { resizeImage } from '../src/image/resize.js';
import { similarityToAffine } from '../src/math/affine2d.js';

const sphere = createIcosphere(5);

function photo(): ImageU8 {
  const img = createImage(1920, 1080, 3, 'u8');
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 2654435761) >>> 24;
  return img;
}

export const benches: BenchCase[] = [
  {
    name: 'core/vertex-normals-10k',
    setup: () => new Float32Array(sphere.positions.length),
    run: (out) => computeVertexNormals(sphere.positions, sphere.triangles, out as Float32Array),
  },
  {
    name: 'core/vertex-adjacency-10k',
    run: () => computeVertexAdjacency(sphere.triangles, sphere.positions.length / 3),
  },
  {
    name: 'core/cotangent-laplacian-10k',
    iterations: 10,
    run: () => cotangentLaplacian(sphere.positions, sphere.triangles),
  },
  {
    name: 'core/laplacian-apply-10k',
    setup: () => ({ L: cotangentLaplacian(sphere.positions, sphere.triangles), out: new Float32Array(sphere.positions.length) }),
    run: (s) => {
      const { L, out } = s as { L: ReturnType<typeof cotangentLaplacian>; out: Float32Array };
      return multiplySparseDense(L, sphere.positions, 3, out);
    },
  },
  {
    name: 'core/warp-crop-224-from-1080p',
    iterations: 10,
    setup: photo,
    run: (img) => warpAffine(img as ImageU8, similarityToAffine({ scale: 0.35, angle: 0.1, tx: -200, ty: -80 }), 224, 224),
  },
  {
    name: 'core/resize-1080p-to-480',
    iterations: 10,
    setup: photo,
    run: (img) => resizeImage(img as ImageU8, 854, 480),
  },
];
