/**
 * Alignment: similarity / rigid Procrustes (3D and 2D), rigid ICP (point-to-point and point-to-plane) and the
 * k-d tree used for point-cloud correspondences.
 * @module
 */
export * from './similarity.js';
export * from './procrustes.js';
export * from './kdtree.js';
export * from './icp.js';
