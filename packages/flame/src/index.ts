/**
 * `@facekit/flame`: the FLAME head model for facekit — a linear-blend-skinning decoder ({@link FlameModel}),
 * safe readers for the official files (Python 2 pickles with chumpy arrays and SciPy sparse matrices, `.npz`
 * copies, landmark embeddings, texture spaces) and the `flame` entry in the model registry.
 *
 * Browser-safe: everything here works from bytes. File loading lives in `@facekit/flame/node`.
 * Importing this module registers the `flame` model (see `register.ts`): DESIGN.md makes "import the package"
 * the way plugins appear in `facekit methods`, and registration is cheap (nothing is loaded until `create()`).
 * @module
 */
import './register.js';

export { registerFlame } from './register.js';
export {
  readPickle,
  looksLikePickle,
  isNdArray,
  isCscMatrix,
  isPyObject,
  isPlainDict,
  type NdArray,
  type CscMatrix,
  type PyObject,
  type ReadPickleOptions,
} from './io/pickle.js';
export { parseFlameModel, type FlameModelData, type ParseFlameModelOptions } from './io/model.js';
export {
  parseStaticEmbedding,
  parseDynamicEmbedding,
  parseDecaEmbedding,
  parseLandmarkEmbedding,
  type DynamicLandmarkEmbedding,
  type FlameLandmarkEmbedding,
} from './io/embedding.js';
export { parseFlameTexture, parseBfmAlbedo, decodeTexture, type TextureSpace, type TextureOptions } from './io/texture.js';
export { readPickledFile } from './io/arrays.js';
export {
  FlameModel,
  FLAME_JOINTS,
  FLAME_POSE_ALIASES,
  FLAME_ATTRIBUTION,
  type FlameModelOptions,
} from './model/flame-model.js';
