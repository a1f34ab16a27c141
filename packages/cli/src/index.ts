/**
 * `@facekit/cli`: the `facekit` command. The programmatic entry runs it in-process (tests, other tools).
 * @module
 */
export { main, type Command } from './main.js';
export { CliError } from './util/cli-error.js';
export type { Output } from './util/output.js';
