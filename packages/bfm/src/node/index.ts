/**
 * Node entry of `@facekit/bfm`: everything of the main entry plus file loaders (`loadLinearModel`,
 * `loadIctFaceKit` with its binary cache, `loadBfm2009File`, `loadBfm2017File`, `loadDeep3dBfmFile`).
 * Importing it registers the `ict-facekit` face model in facekit's default registry.
 * @module
 */
export * from '../index.js';
export * from './ict-loader.js';
export * from './model-files.js';
export { checkIctFaceKit, registerIctFaceKit } from './register.js';
export type { IctRegistryOptions } from './register.js';
