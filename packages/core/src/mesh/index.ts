export * from './mesh.js';
export * from './normals.js';
