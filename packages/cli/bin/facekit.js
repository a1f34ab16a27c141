#!/usr/bin/env node
// Runs the compiled CLI; inside the repository before a build, `npm run build` first.
import { main } from '../dist/src/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`facekit: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
