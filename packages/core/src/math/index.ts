export * from './rotations.js';
