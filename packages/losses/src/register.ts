/**
 * Registers every loss of this package in core's default registry, so `registries.losses.get(name)` works
 * after `import '@facekit/losses'`. `get(name, options)` passes `options` to the factory.
 * @module
 */
import { registerLoss, registries, type Loss, type PluginRegistration } from '@facekit/core';
import { eyeClosureLoss, landmarkLoss, type EyeClosureLossOptions, type LandmarkLossOptions } from './landmark.js';
import { photometricLoss, vertexPhotometricLoss, type PhotometricLossOptions } from './photometric.js';
import { parameterPriorLoss, type ParameterPriorLossOptions } from './prior.js';
import { identityLoss, identityPairLoss, ringShapeConsistencyLoss, type IdentityPairLossOptions, type RingLossOptions } from './identity.js';
import { detailConsistencyLoss, shapeSwapConsistencyLoss, type SwapConsistencyOptions } from './swap.js';
import { uvPositionLoss, uvSymmetryLoss, type UvPositionLossOptions, type UvSymmetryLossOptions } from './uv.js';
import { laplacianSmoothnessLoss, type LaplacianSmoothnessOptions } from './smoothness.js';
import { opticalFlowLoss, pointToPlaneLoss, type OpticalFlowLossOptions, type PointToPlaneLossOptions } from './geometry.js';
import type { BaseLossOptions, TfLoss } from './types.js';

/** A loss factory with one optional options argument. */
type Factory<O, I> = (options?: O) => TfLoss<I>;

/** Registry names of the losses of this package, in the order they are registered. */
export const LOSS_NAMES: string[] = [];

function add<O>(name: string, description: string, factory: Factory<O, never>): void {
  LOSS_NAMES.push(name);
  // Core's registry holds `Loss<unknown, Record<string, unknown>>`; a typed loss is the same object, so the
  // cast only forgets the precise tensor/input types (callers re-narrow with the factory's own types).
  const registration: PluginRegistration<Loss> = {
    name,
    description,
    create: (options?: unknown) => factory(options as O | undefined) as unknown as Loss,
  };
  // Re-importing the module (tests, two bundles sharing core's global registries) must not throw.
  if (!registries.losses.has(name)) registerLoss(registration);
}

const f = <O>(factory: (options?: O) => TfLoss<never>): Factory<O, never> => factory;

add('landmark', '2D landmark reprojection (confidence-weighted, robust, static/contour subsets)', f<LandmarkLossOptions>(landmarkLoss));
add('eye-closure', 'eyelid opening vs detected (DECA)', f<EyeClosureLossOptions>(eyeClosureLoss));
add('photometric', 'masked image photometric loss, L2,1 per pixel (DECA)', f<PhotometricLossOptions>(photometricLoss));
add('vertex-photometric', 'per-vertex photometric loss at projected vertices', f<PhotometricLossOptions>(vertexPhotometricLoss));
add('parameter-prior', 'Gaussian prior sum (x - mu)^2 / sigma^2 per block', f<ParameterPriorLossOptions>(parameterPriorLoss));
add('identity', 'cosine distance of face-recognition descriptors', f<BaseLossOptions>(identityLoss));
add('ring-shape-consistency', 'RingNet ring (triplet) loss on shape codes, eta = 0.5', f<RingLossOptions>(ringShapeConsistencyLoss));
add('shape-swap', 'DECA shape-swap consistency through a render callback', f<SwapConsistencyOptions>(shapeSwapConsistencyLoss));
add('detail-consistency', 'DECA detail-code swap consistency through a render callback', f<SwapConsistencyOptions>(detailConsistencyLoss));
add('uv-symmetry', 'soft left-right symmetry of a UV map (DECA detail regulariser)', f<UvSymmetryLossOptions>(uvSymmetryLoss));
add('uv-position', 'PRNet weighted UV position map loss (16:4:3:0 mask)', f<UvPositionLossOptions>(uvPositionLoss));
add('laplacian-smoothness', '|L d|_1 or |L d|^2 with a sparse mesh Laplacian', f<LaplacianSmoothnessOptions>(laplacianSmoothnessLoss));
add('optical-flow', 'masked rendered-vs-observed optical flow', f<OpticalFlowLossOptions>(opticalFlowLoss));
add('identity-pair', 'contrastive same/different identity loss on codes', f<IdentityPairLossOptions>(identityPairLoss));
add('point-to-plane', 'RGB-D point-to-plane distance sum ((p - q) . n)^2', f<PointToPlaneLossOptions>(pointToPlaneLoss));
