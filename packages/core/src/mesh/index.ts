export * from './mesh.js';
export * from './normals.js';
export * from './topology.js';
export * from './laplacian.js';
export * from './submesh.js';
export * from './embedding.js';
export * from './primitives.js';
