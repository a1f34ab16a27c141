/**
 * `@facekit/facewarehouse`: the FaceWarehouse bilinear face model `V = C ×2 w_id ×3 w_exp` (Cao et al. 2014).
 * Decode with a cached identity contraction, build the core tensor from expression meshes by truncated HOSVD,
 * fit identity and expression weights by alternating least squares, and store models in a compact checked
 * binary format. Importing the package registers the `facewarehouse` model (available once a core is configured).
 *
 * Node file helpers (save/load `.fkbl`, read `shape.bs`) live in `src/node/`.
 * @module
 */
export * from './bilinear-model.js';
export * from './hosvd.js';
export * from './fit.js';
export * from './format.js';
export * from './facewarehouse-bs.js';
export * from './register.js';
