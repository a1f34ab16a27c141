/**
 * Masked photometric losses: image space (rendered vs photo) and per vertex (model colour vs photo colour at
 * the projected vertex).
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { expectShape, robustPenalty, weightedReduce } from './robust.js';
import type { BaseLossOptions, Reduction, RobustNorm, TfLoss } from './types.js';

/** Inputs of {@link photometricLoss}. */
export interface PhotometricInputs {
  /** Rendered image `[B, H, W, C]` (C = 3 for RGB), same value range as `image` (e.g. [0, 1]). */
  rendered: tf.Tensor;
  /** Observed image `[B, H, W, C]`. */
  image: tf.Tensor;
  /**
   * Pixel weights `[B, H, W]` in [0, 1]: the rendered face's coverage times a skin/face segmentation, so
   * hair, glasses, hands and background do not pull the fit. Default: every pixel.
   */
  mask?: tf.Tensor;
}

/** Options of {@link photometricLoss}. */
export interface PhotometricLossOptions extends BaseLossOptions {
  /**
   * Penalty of each pixel's colour residual (default `l21`: `||c||_2`, DECA's L2,1 norm, more robust to
   * unmodelled specularities and shadows than squared L2).
   */
  norm?: RobustNorm;
  epsilon?: number;
  /** `mean` (default): mean over masked pixels, `sum(m rho) / sum(m)`; `sum`: `sum(m rho)`. */
  reduction?: Reduction;
}

/**
 * Masked photometric loss (analysis-by-synthesis colour term `E_con`):
 *
 * `E = sum_{b,y,x} m_{byx} rho(R_{byx} - I_{byx}) / sum_{b,y,x} m_{byx}`
 *
 * with `rendered R: [B, H, W, 3]`, `image I: [B, H, W, 3]`, `mask m: [B, H, W]` and `rho` default the
 * Euclidean norm of the RGB residual (L2,1). Gradients flow into `rendered` (and `image` if it is a variable).
 */
export function photometricLoss(options: PhotometricLossOptions = {}): TfLoss<PhotometricInputs> {
  const norm = options.norm ?? 'l21';
  const epsilon = options.epsilon ?? 1e-3;
  const reduction = options.reduction ?? 'mean';
  const name = options.name ?? 'photometric';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `sum m ${norm}(rendered - image) / ${reduction === 'mean' ? 'sum m' : '1'}  (per pixel)`,
    compute(inputs: PhotometricInputs): tf.Scalar {
      return tf.tidy(() => {
        const { rendered, image, mask } = inputs;
        expectShape(name, 'rendered', rendered, [null, null, null, null]);
        expectShape(name, 'image', image, rendered.shape);
        if (mask) expectShape(name, 'mask', mask, rendered.shape.slice(0, 3));
        return weightedReduce(robustPenalty(tf.sub(rendered, image), norm, epsilon), mask, reduction);
      });
    },
  };
}

/**
 * Bilinear sampling of `image: [B, H, W, C]` at pixel positions `points: [B, N, 2]` (x, y; pixel centres at
 * integer coordinates, so (0, 0) is the centre of the top-left pixel). Returns `[B, N, C]`. Differentiable
 * w.r.t. `points` (through the interpolation weights: the image gradient) and `image`. Positions outside the
 * image are clamped to the border.
 */
export function sampleImageBilinear(image: tf.Tensor, points: tf.Tensor): tf.Tensor {
  if (image.rank !== 4 || points.rank !== 3 || points.shape[2] !== 2 || points.shape[0] !== image.shape[0]) {
    throw new RangeError(`sampleImageBilinear: image [B, H, W, C] and points [B, N, 2] expected, got [${image.shape.join(', ')}] and [${points.shape.join(', ')}]`);
  }
  return tf.tidy(() => bilinear(image, points));
}

/**
 * The sampler as one custom-gradient op. Gather indices are computed from `points` (floor), and tfjs' tape
 * would then ask gather for a gradient w.r.t. its integer indices (an error); tfjs has no stop-gradient, but
 * ops run inside a custom gradient's forward function are not taped, so the gradients are written out here:
 * d/dx = (1 - fy)(I01 - I00) + fy(I11 - I10), d/dy = (1 - fx)(I10 - I00) + fx(I11 - I01) (zero where the point
 * was clamped), and the image gradient scatter-adds dy times the four bilinear weights.
 */
const bilinear = tf.customGrad((...args: unknown[]) => {
  const image = args[0] as tf.Tensor;
  const points = args[1] as tf.Tensor;
  const save = args[2] as tf.GradSaveFunc;
  const [b, h, w, c] = image.shape as [number, number, number, number];
  const n = points.shape[1] as number;
  // Index arithmetic stays in int32 (gather rejects float indices); JS numbers would promote to float32.
  const int = (v: number): tf.Scalar => tf.scalar(v, 'int32');
  const px = tf.squeeze(tf.slice(points, [0, 0, 0], [-1, -1, 1]), [2]);
  const py = tf.squeeze(tf.slice(points, [0, 0, 1], [-1, -1, 1]), [2]);
  const x = tf.clipByValue(px, 0, w - 1);
  const y = tf.clipByValue(py, 0, h - 1);
  // Clamping x0 to w - 2 keeps x1 = x0 + 1 inside; at x = w - 1 the weight fx = 1 then picks x1 exactly.
  const x0 = tf.clipByValue(tf.floor(x), 0, Math.max(w - 2, 0));
  const y0 = tf.clipByValue(tf.floor(y), 0, Math.max(h - 2, 0));
  const fx = tf.expandDims(tf.sub(x, x0), 2); // [B, N, 1]
  const fy = tf.expandDims(tf.sub(y, y0), 2);
  const insideX = tf.expandDims(tf.cast(tf.equal(x, px), 'float32'), 2);
  const insideY = tf.expandDims(tf.cast(tf.equal(y, py), 'float32'), 2);
  const flat = tf.reshape(image, [b * h * w, c]);
  const base = tf.mul(tf.range(0, b, 1, 'int32'), int(h * w)).reshape([b, 1]);
  const xi0 = tf.cast(x0, 'int32');
  const yi0 = tf.cast(y0, 'int32');
  const xi1 = tf.minimum(tf.add(xi0, int(1)), int(w - 1));
  const yi1 = tf.minimum(tf.add(yi0, int(1)), int(h - 1));
  const index = (yy: tf.Tensor, xx: tf.Tensor): tf.Tensor => tf.reshape(tf.add(base, tf.add(tf.mul(yy, int(w)), xx)), [-1]);
  const idx = [index(yi0, xi0), index(yi0, xi1), index(yi1, xi0), index(yi1, xi1)];
  const [i00, i01, i10, i11] = idx.map((k) => tf.reshape(tf.gather(flat, k), [b, n, c]));
  const gx = tf.sub(1, fx), gy = tf.sub(1, fy);
  const top = tf.add(tf.mul(i00, gx), tf.mul(i01, fx));
  const bottom = tf.add(tf.mul(i10, gx), tf.mul(i11, fx));
  const value = tf.add(tf.mul(top, gy), tf.mul(bottom, fy));
  save([i00, i01, i10, i11, fx, fy, insideX, insideY, ...idx]);
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const g = Array.isArray(dy) ? dy[0] : dy; // [B, N, C]
      const [s00, s01, s10, s11, sfx, sfy, inX, inY, k00, k01, k10, k11] = saved;
      const hx = tf.sub(1, sfx), hy = tf.sub(1, sfy);
      const ddx = tf.add(tf.mul(tf.sub(s01, s00), hy), tf.mul(tf.sub(s11, s10), sfy));
      const ddy = tf.add(tf.mul(tf.sub(s10, s00), hx), tf.mul(tf.sub(s11, s01), sfx));
      const gpx = tf.mul(tf.sum(tf.mul(g, ddx), 2, true), inX);
      const gpy = tf.mul(tf.sum(tf.mul(g, ddy), 2, true), inY);
      // scatterND adds duplicate indices in one pass (unsortedSegmentSum's CPU kernel is O(pixels x points)).
      const scatter = (weight: tf.Tensor, k: tf.Tensor): tf.Tensor =>
        tf.scatterND(tf.reshape(k, [b * n, 1]), tf.reshape(tf.mul(g, weight), [b * n, c]), [b * h * w, c]);
      const gImage = tf.addN([
        scatter(tf.mul(hx, hy), k00),
        scatter(tf.mul(sfx, hy), k01),
        scatter(tf.mul(hx, sfy), k10),
        scatter(tf.mul(sfx, sfy), k11),
      ]);
      return [tf.reshape(gImage, [b, h, w, c]), tf.concat([gpx, gpy], 2)];
    },
  };
}) as (image: tf.Tensor, points: tf.Tensor) => tf.Tensor;

/**
 * Inputs of {@link vertexPhotometricLoss}: model colours per vertex and either the photo colours already
 * sampled at the projected vertices (`target`), or the photo and the projections (`image` + `points`, sampled
 * bilinearly here so that the gradient also reaches the vertex positions).
 */
export type VertexPhotometricInputs =
  | {
      /** Model colour (albedo x shading) per vertex, `[B, N, 3]`. */
      colors: tf.Tensor;
      /** Photo colour at each projected vertex, `[B, N, 3]`. */
      target: tf.Tensor;
      /** Per-vertex weights `[B, N]` (visibility x skin mask). */
      visibility?: tf.Tensor;
    }
  | {
      colors: tf.Tensor;
      /** Photo `[B, H, W, 3]`. */
      image: tf.Tensor;
      /** Projected vertices in pixels `[B, N, 2]` (x, y). */
      points: tf.Tensor;
      visibility?: tf.Tensor;
    };

/**
 * Per-vertex photometric loss (the sparse form of `E_con` used by vertex-colour inverse rendering):
 *
 * `E = sum_{b,i} v_{bi} rho(C_{bi} - I(pi(x_{bi}))) / sum_{b,i} v_{bi}`
 *
 * with model colours `colors: [B, N, 3]`, photo colours `I(pi(x))` either given (`target: [B, N, 3]`) or
 * sampled bilinearly from `image: [B, H, W, 3]` at `points: [B, N, 2]`, and visibility `v: [B, N]`.
 */
export function vertexPhotometricLoss(options: PhotometricLossOptions = {}): TfLoss<VertexPhotometricInputs> {
  const norm = options.norm ?? 'l21';
  const epsilon = options.epsilon ?? 1e-3;
  const reduction = options.reduction ?? 'mean';
  const name = options.name ?? 'vertex-photometric';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `sum v ${norm}(colors - image(points)) / ${reduction === 'mean' ? 'sum v' : '1'}  (per vertex)`,
    compute(inputs: VertexPhotometricInputs): tf.Scalar {
      return tf.tidy(() => {
        const { colors, visibility } = inputs;
        expectShape(name, 'colors', colors, [null, null, null]);
        let target: tf.Tensor;
        if ('target' in inputs && inputs.target) {
          target = inputs.target;
        } else if ('image' in inputs && inputs.image && inputs.points) {
          expectShape(name, 'image', inputs.image, [colors.shape[0], null, null, colors.shape[2]]);
          expectShape(name, 'points', inputs.points, [colors.shape[0], colors.shape[1], 2]);
          target = sampleImageBilinear(inputs.image, inputs.points);
        } else {
          throw new TypeError(`${name}: give either target [B, N, 3] or image [B, H, W, 3] + points [B, N, 2]`);
        }
        expectShape(name, 'target', target, colors.shape);
        if (visibility) expectShape(name, 'visibility', visibility, colors.shape.slice(0, 2));
        return weightedReduce(robustPenalty(tf.sub(colors, target), norm, epsilon), visibility, reduction);
      });
    },
  };
}
