#!/usr/bin/env node
/**
 * `npm run mutate [-- <module>...] [-- <stryker options>]`: run Stryker on
 * each module of stryker.config.mjs (all of them unless some are named),
 * one after another, each against its own tests, then print the mutation
 * score of every file and module. Reports: reports/mutation/<module>/.
 * Other arguments go to `stryker run` (for example `--concurrency 1`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { modules } from '../stryker.config.mjs';

const root = resolve(import.meta.dirname, '..');
const stryker = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');

const args = process.argv.slice(2);
const named = args.filter((arg) => Object.hasOwn(modules, arg));
const options = args.filter((arg) => !Object.hasOwn(modules, arg));
const names = named.length > 0 ? named : Object.keys(modules);

let failed = false;
for (const name of names) {
  console.log(`\n== mutate ${name}: ${modules[name].mutate.join(', ')}`);
  const run = spawnSync(process.execPath, [stryker, 'run', ...options], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATE_MODULE: name },
  });
  if (run.status !== 0) {
    console.error(`stryker failed for ${name} (${run.signal ?? `exit ${run.status}`})`);
    failed = true;
  }
}

/** Killed (or timed out) among the mutants a test could see: Stryker's "mutation score". */
const score = (c) => {
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)}%`;
};
const blank = () => ({ Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 });
const rows = [['module / file', 'score', 'killed', 'survived', 'no coverage', 'ignored']];
const row = (label, c) =>
  rows.push([label, score(c), String(c.Killed + c.Timeout), String(c.Survived), String(c.NoCoverage), String(c.Ignored)]);
for (const name of names) {
  const file = join(root, 'reports', 'mutation', name, 'mutation.json');
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const total = blank();
  const perFile = [];
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const counts = blank();
    for (const mutant of mutants) {
      counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
      total[mutant.status] = (total[mutant.status] ?? 0) + 1;
    }
    perFile.push([path, counts]);
  }
  row(name, total);
  for (const [path, counts] of perFile) row(`  ${path}`, counts);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(
  `\n${rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n')}`,
);
process.exitCode = failed ? 1 : 0;
