export * from './camera.js';
