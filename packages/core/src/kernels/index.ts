export * from './blend-shapes.js';
