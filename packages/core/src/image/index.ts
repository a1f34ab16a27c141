export * from './image.js';
export * from './sample.js';
