#!/usr/bin/env node
// Runs every `bench/*.bench.ts` of the workspace (or the files given) in this one process, so figures are
// comparable as ratios. Each file exports `benches: BenchCase[]` (see @facekit/core `BenchCase`).
// Prints a table of medians and writes bench/results/latest.json plus a dated copy.
import { readdirSync, existsSync, mkdirSync, writeFileSync, renameSync, statSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import os from 'node:os';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const filter = args.find((a) => a.startsWith('--filter='))?.slice(9);
let files = args.filter((a) => !a.startsWith('--')).map((f) => resolve(f));
if (files.length === 0) {
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const pkg of readdirSync(dir)) {
      const benchDir = join(dir, pkg, 'bench');
      if (!existsSync(benchDir) || !statSync(benchDir).isDirectory()) continue;
      for (const f of readdirSync(benchDir)) if (f.endsWith('.bench.ts')) files.push(join(benchDir, f));
    }
  }
}
files.sort();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const results = [];
for (const file of files) {
  const mod = await import(pathToFileURL(file).href);
  for (const bench of mod.benches ?? []) {
    if (filter && !bench.name.includes(filter)) continue;
    const state = bench.setup ? await bench.setup() : undefined;
    const iterations = bench.iterations ?? 30;
    const warmup = Math.max(3, Math.ceil(iterations / 10));
    for (let i = 0; i < warmup; i++) await bench.run(state);
    const times = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      await bench.run(state);
      times.push(performance.now() - t0);
    }
    const med = median(times);
    const row = {
      name: bench.name,
      file: relative(root, file),
      iterations,
      medianMs: +med.toFixed(3),
      minMs: +Math.min(...times).toFixed(3),
      maxMs: +Math.max(...times).toFixed(3),
      targetMs: bench.targetMs ?? null,
      meetsTarget: bench.targetMs == null ? null : med <= bench.targetMs,
    };
    results.push(row);
    const target = row.targetMs == null ? '' : `  target <= ${row.targetMs} ms ${row.meetsTarget ? 'ok' : 'MISSED'}`;
    console.log(`${row.name.padEnd(44)} median ${row.medianMs.toFixed(3).padStart(9)} ms  (min ${row.minMs.toFixed(3)}, n=${iterations})${target}`);
  }
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.availableParallelism?.() ?? os.cpus().length,
  results,
};
const outDir = join(root, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
const json = JSON.stringify(report, null, 2) + '\n';
for (const name of ['latest.json', `${report.date.slice(0, 10)}.json`]) {
  const tmp = join(outDir, `.${name}.tmp`);
  writeFileSync(tmp, json);
  renameSync(tmp, join(outDir, name));
}
console.log(`wrote ${relative(root, join(outDir, 'latest.json'))}`);
