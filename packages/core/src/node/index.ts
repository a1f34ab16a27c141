/**
 * Node-only helpers of `@facekit/core` (file system, image codecs through sharp). Import from
 * `@facekit/core/node`; the main entry stays free of Node built-ins so it bundles for the browser.
 * @module
 */
export * from './atomic-write.js';
export * from './image-io.js';
export * from './mesh-files.js';
