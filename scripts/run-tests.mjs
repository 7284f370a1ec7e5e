#!/usr/bin/env node
// Runs the compiled tests (dist/) with Node's own test runner.
//   node scripts/run-tests.mjs            every test: unit (dist/src) + integration (dist/test)
//   node scripts/run-tests.mjs --unit     unit tests only
//   node scripts/run-tests.mjs FILTER...  only test files whose path contains one of the words
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function collect(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = collect('dist/src', []);
if (!unitOnly) files = files.concat(collect('dist/test', []));
if (filters.length) files = files.filter((f) => filters.some((w) => f.includes(w)));
files.sort();
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
