/**
 * Benchmark of merge3 on real data: GitHub's REST API description,
 * `@octokit/openapi` 19.0.0 as base, 23.0.2 as remote, and the base with 200
 * scripted local edits as local. Prints medians beside fast-json-patch's
 * `compare(base, remote)` measured in the same process.
 *
 *     npx tsx bench/merge.ts [runs]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jsonPatch from 'fast-json-patch';
import { merge3 } from '../src/merge/index.js';
import { githubLocalEdits, type Doc } from '../test/merge/github-edits.js';
import { npmFixture } from '../test/support/npm-fixtures.js';

const RUNS = Number(process.argv[2] ?? 9);
const FILE = 'generated/api.github.com.json';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Median time of each case, running the cases round-robin so that load from
 * other processes falls on all of them alike.
 */
function measure(cases: readonly (() => unknown)[]): number[] {
  for (const run of cases) run(); // warm-up
  const times = cases.map((): number[] => []);
  for (let i = 0; i < RUNS; i++) {
    cases.forEach((run, c) => {
      const start = performance.now();
      run();
      times[c]?.push(performance.now() - start);
    });
  }
  return times.map(median);
}

const [oldDir, newDir] = await Promise.all([npmFixture('@octokit/openapi', '19.0.0'), npmFixture('@octokit/openapi', '23.0.2')]);
const [oldText, newText] = await Promise.all([readFile(join(oldDir, FILE), 'utf8'), readFile(join(newDir, FILE), 'utf8')]);
const base = JSON.parse(oldText) as Doc;
const remote = JSON.parse(newText) as Doc;
const local = JSON.parse(oldText) as Doc;
const untouched = JSON.parse(oldText) as Doc;
const edits = githubLocalEdits(local);
const conflicts = merge3(base, local, remote).conflicts.length;

const cases: [string, () => unknown][] = [
  ['fast-json-patch compare(base, remote)', () => jsonPatch.compare(base, remote)],
  [`merge3(base, local with ${edits.length} edits, remote)`, () => merge3(base, local, remote)],
  ['merge3(base, untouched copy of base, remote)', () => merge3(base, untouched, remote)],
  ['merge3(base, local, copy of base)  (nothing upstream)', () => merge3(base, local, untouched)],
];
const medians = measure(cases.map(([, run]) => run));
const reference = medians[0] as number;
const rows = cases.map(([label], i): [string, number] => [label, medians[i] as number]);

console.log(`GitHub REST API: ${(oldText.length / 1e6).toFixed(1)} MB → ${(newText.length / 1e6).toFixed(1)} MB, ${conflicts} conflicts; median of ${RUNS} runs, Node ${process.version}`);
for (const [label, ms] of rows) console.log(`${label.padEnd(56)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / reference).toFixed(2)}×`);
