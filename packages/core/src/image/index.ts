export * from './image.js';
