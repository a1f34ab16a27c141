#!/usr/bin/env node
// Enforces the one-way data flow of DESIGN.md: a package imports only packages of lower layers, and the
// browser entry points (everything under src/ except src/node/) import no Node built-ins.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Layer of each workspace package; a package may import packages of a strictly lower layer. */
export const LAYERS = {
  '@facekit/core': 0,
  '@facekit/flame': 1,
  '@facekit/bfm': 1,
  '@facekit/facewarehouse': 1,
  '@facekit/losses': 1,
  '@facekit/detect': 1,
  '@facekit/fit': 2,
  '@facekit/synth': 2,
  '@facekit/facemesh': 2,
  '@facekit/prnet': 2,
  '@facekit/deca': 2,
  '@facekit/ringnet': 2,
  '@facekit/coarsenet': 2,
  '@facekit/viewer': 3,
  '@facekit/cli': 3,
  '@facekit/compare': 4,
};

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

export function checkLayers(root = repoRoot) {
  const problems = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const dir of readdirSync(groupDir)) {
      const pkgFile = join(groupDir, dir, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const name = JSON.parse(readFileSync(pkgFile, 'utf8')).name;
      const layer = LAYERS[name];
      if (layer === undefined) {
        problems.push(`${name}: not listed in scripts/check-layers.mjs LAYERS; give it a layer`);
        continue;
      }
      const srcDir = join(groupDir, dir, 'src');
      if (!existsSync(srcDir)) continue;
      for (const file of walk(srcDir)) {
        const text = readFileSync(file, 'utf8');
        const rel = relative(root, file);
        const browserSafe = !relative(srcDir, file).split(/[\\/]/).includes('node') && !/\bcli\b/.test(name);
        for (const m of text.matchAll(importRe)) {
          const spec = m[1] ?? m[2] ?? m[3];
          const target = spec.startsWith('@facekit/') ? spec.split('/').slice(0, 2).join('/') : null;
          if (target && target !== name) {
            const tl = LAYERS[target];
            if (tl === undefined || tl >= layer) problems.push(`${rel}: ${name} (layer ${layer}) imports ${target} (layer ${tl ?? '?'})`);
          }
          if (browserSafe && (spec.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'child_process', 'sharp'].includes(spec))) {
            problems.push(`${rel}: browser entry imports "${spec}"; move it under src/node/`);
          }
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = checkLayers();
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} layering problem(s)` : 'layers ok');
  process.exit(problems.length ? 1 : 0);
}
