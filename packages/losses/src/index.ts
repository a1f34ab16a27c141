/**
 * `@facekit/losses`: differentiable loss terms in @tensorflow/tfjs for face reconstruction — landmarks, eye
 * closure, photometric, identity, parameter priors, RingNet and DECA consistency, PRNet UV weights, symmetry,
 * Laplacian smoothness, optical flow, identity pairs, point-to-plane depth — and {@link combineLosses}.
 *
 * Every loss is a factory returning core's `Loss<tf.Tensor, Inputs>`; importing this module registers them
 * by name in core's default registry (`registries.losses.get('landmark')`).
 * @module
 */
import './register.js';

export * from './types.js';
export { robustPenalty, robustPenaltyJs, weightedReduce, toTensor } from './robust.js';
export * from './landmark.js';
export * from './photometric.js';
export * from './prior.js';
export * from './identity.js';
export * from './swap.js';
export * from './uv.js';
export * from './sparse.js';
export * from './smoothness.js';
export * from './geometry.js';
export * from './combine.js';
export { LOSS_NAMES } from './register.js';
