/**
 * Node entry of `@facekit/facemesh`: everything of the browser entry, {@link createFaceMeshPredictor} (Human
 * loaded from the installed package), and the `facemesh` predictor registered on import.
 * @module
 */
import '../register.js';

export * from '../index.js';
export { createFaceMeshPredictor } from './create.js';
export { registerFaceMesh } from '../register.js';
