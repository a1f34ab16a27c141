import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from '@facekit/core';
import { main } from '../src/main.js';

const SAMPLE = fileURLToPath(new URL('../../../examples/astronaut.png', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/facekit.js', import.meta.url));
const quiet = { out: () => {}, err: () => {} };

interface BatchState {
  input: string;
  out: string;
}

/** Whole-command figures of `facekit reconstruct`: a 20-image batch in-process, and a cold process start. */
export const benches: BenchCase[] = [
  {
    // Target from the detection issue: >= 6 images/s, i.e. <= 3333 ms for 20 images (models already loaded).
    name: 'cli/reconstruct-batch-20-images',
    targetMs: 3333,
    iterations: 5,
    async setup(): Promise<BatchState> {
      const root = mkdtempSync(join(tmpdir(), 'facekit-bench-'));
      const input = join(root, 'in');
      mkdirSync(input);
      for (let i = 0; i < 20; i++) copyFileSync(SAMPLE, join(input, `face-${String(i).padStart(2, '0')}.png`));
      const out = join(root, 'out');
      // Load the models once, as a long-running batch would have them.
      await main(['reconstruct', SAMPLE, '--out', out], quiet);
      return { input, out };
    },
    async run(state) {
      const { input, out } = state as BatchState;
      const code = await main(['reconstruct', input, '--out', out], quiet);
      if (code !== 0) throw new Error(`reconstruct exited with ${code}`);
    },
  },
  {
    // Cold start: process start, module loading, model loading, one image, all outputs (compiled build).
    name: 'cli/reconstruct-cold-process',
    targetMs: 4000,
    iterations: 5,
    setup: () => mkdtempSync(join(tmpdir(), 'facekit-bench-cold-')),
    run(state) {
      execFileSync(process.execPath, [BIN, 'reconstruct', SAMPLE, '--out', state as string], { stdio: 'ignore' });
    },
  },
];
