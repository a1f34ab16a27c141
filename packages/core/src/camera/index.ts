export * from './camera.js';
export * from './project.js';
export * from './crop.js';
export * from './pose.js';
