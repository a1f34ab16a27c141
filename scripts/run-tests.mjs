#!/usr/bin/env node
// Runs every test file of the workspace (or of the folders given) in one `node --test` invocation,
// so the run ends with a single summary. Tests import workspace packages through the "source"
// export condition and are transpiled by tsx; `npm run build` type-checks them beforehand.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = process.argv.length > 2 ? process.argv.slice(2) : ['packages', 'apps'];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  if (!statSync(dir).isDirectory()) {
    if (/\.test\.ts$/.test(dir)) out.push(dir);
    return out;
  }
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const files = roots.flatMap((r) => walk(join(root, r), [])).sort();
if (files.length === 0) {
  console.error(`no test files found under ${roots.join(', ')}`);
  process.exit(1);
}
// The spec reporter goes to the terminal; a TAP copy goes to a file so the run can end with one plain
// `N passed, N failed, N skipped` line whatever the reporter prints.
const tapDir = mkdtempSync(join(tmpdir(), 'facekit-tests-'));
const tapFile = join(tapDir, 'results.tap');
const result = spawnSync(
  process.execPath,
  [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit' },
);
let summary = '';
if (existsSync(tapFile)) {
  const tap = readFileSync(tapFile, 'utf8');
  const count = (key) => Number(tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  summary = `${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
}
rmSync(tapDir, { recursive: true, force: true });
if (summary) console.log(`\n${summary}`);
process.exit(result.status ?? 1);
