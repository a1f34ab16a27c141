import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkLayers } from '../../../scripts/check-layers.mjs';

function writePackage(root: string, dir: string, name: string, files: Record<string, string>): void {
  mkdirSync(join(root, 'packages', dir, 'src', 'node'), { recursive: true });
  writeFileSync(join(root, 'packages', dir, 'package.json'), JSON.stringify({ name }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, 'packages', dir, 'src', file), text);
}

describe('package layering', () => {
  it('holds in this repository', () => {
    assert.deepEqual(checkLayers(), []);
  });

  it('catches an upward import and a Node built-in in a browser entry', () => {
    const root = mkdtempSync(join(tmpdir(), 'facekit-layers-'));
    try {
      writePackage(root, 'core', '@facekit/core', {
        'index.ts': "import { readFile } from 'node:fs/promises';\nexport { readFile };\n",
        'node/ok.ts': "import { readFile } from 'node:fs/promises';\nexport { readFile };\n",
      });
      writePackage(root, 'flame', '@facekit/flame', { 'index.ts': "export * from '@facekit/fit';\nimport '@facekit/core';\n" });
      const problems = checkLayers(root);
      assert.equal(problems.length, 2, problems.join('\n'));
      assert.match(problems.join('\n'), /core[\\/]src[\\/]index\.ts: browser entry imports "node:fs\/promises"/);
      assert.match(problems.join('\n'), /@facekit\/flame \(layer 1\) imports @facekit\/fit \(layer 2\)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
