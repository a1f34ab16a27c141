export * from './face-model.js';
export * from './reconstruction.js';
export * from './detector.js';
export * from './predictor.js';
export * from './loss.js';
export * from './registry.js';
