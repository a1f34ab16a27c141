export * from './blend-shapes.js';
export * from './blend-basis.js';
export * from './dense-workspace.js';
export * from './ring-cross.js';
