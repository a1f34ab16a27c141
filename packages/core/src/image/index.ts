export * from './image.js';
export * from './sample.js';
export * from './crop.js';
export * from './resize.js';
export * from './warp.js';
export * from './convert.js';
export * from './ndarray.js';
export * from './draw.js';
