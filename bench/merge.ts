/**
 * Benchmark of our whole three-way plan on real data, beside one bare JSON
 * diff and beside another library's three-way path (issue 3).
 *
 * The triple: GitHub's REST API description, `@octokit/openapi` 19.0.0 as
 * base, 23.0.2 as remote, and the base with 200 scripted local edits
 * (test/merge/github-edits.ts) as local.
 *
 * - **ours**: `diffSpecs(base, remote)` (the semantic change list of the
 *   plan), `diffSpecs(base, local)`, and `merge3(base, local, remote)`,
 *   timed together as one plan;
 * - **compare**: fast-json-patch `compare(base, remote)`, one bare two-way
 *   diff, the floor any sync pays;
 * - **scalar**: `@scalar/json-magic/diff` doing its own three-way path:
 *   `diff(base, local)`, `diff(base, remote)`, `merge` of the two change
 *   lists, `apply` of the merged list to base.
 *
 * `apply` writes into the document it is given and `merge` can write into
 * the values of the change lists (which are the inputs' own subtrees), so
 * the scalar path gets fresh copies of all three documents on every run,
 * made before the clock starts. Ours and compare never write to their inputs
 * (checked at the end). The cases run round-robin in one process, so load
 * from other processes falls on all of them alike; medians are printed.
 * Our plan runs right after the scalar path, so the garbage of the scalar
 * copies is collected on our clock, not on the reference's: if anything the
 * ratios are pessimistic for us. (Forcing a collection before every run with
 * `--expose-gc` was tried: it shrinks the young generation and made every
 * allocating case, ours most, up to twice as slow, unlike real use.)
 *
 *     npx tsx bench/merge.ts [runs]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apply as scalarApply, diff as scalarDiff, merge as scalarMerge } from '@scalar/json-magic/diff';
import jsonPatch from 'fast-json-patch';
import { diffSpecs } from '../src/diff/index.js';
import { merge3 } from '../src/merge/index.js';
import { githubLocalEdits, type Doc } from '../test/merge/github-edits.js';
import { flatten } from '../test/merge/support.js';
import { npmFixture } from '../test/support/npm-fixtures.js';
import { jsonEqual } from '../src/json/index.js';

const RUNS = Number(process.argv[2] ?? 11);
const FILE = 'generated/api.github.com.json';
const SCALAR = '@scalar/json-magic 0.11.7, the last release whose engines allow Node 20';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One case: `prepare` runs before the clock starts, its result goes to `run`. */
interface Case<P = unknown> {
  label: string;
  prepare: () => P;
  run: (prepared: P) => unknown;
}

function bench<P>(label: string, prepare: () => P, run: (prepared: P) => unknown): Case {
  return { label, prepare, run: run as (prepared: unknown) => unknown };
}

/** Median milliseconds of each case, the cases interleaved run by run. */
function measure(cases: readonly Case[]): number[] {
  for (const c of cases) c.run(c.prepare()); // warm-up
  const times = cases.map((): number[] => []);
  for (let i = 0; i < RUNS; i++) {
    cases.forEach((c, n) => {
      const prepared = c.prepare();
      const start = performance.now();
      c.run(prepared);
      times[n]?.push(performance.now() - start);
    });
  }
  return times.map(median);
}

const [oldDir, newDir] = await Promise.all([npmFixture('@octokit/openapi', '19.0.0'), npmFixture('@octokit/openapi', '23.0.2')]);
const [oldText, newText] = await Promise.all([readFile(join(oldDir, FILE), 'utf8'), readFile(join(newDir, FILE), 'utf8')]);
const base = JSON.parse(oldText) as Doc;
const remote = JSON.parse(newText) as Doc;
const local = JSON.parse(oldText) as Doc;
const edits = githubLocalEdits(local);
const localText = JSON.stringify(local);

/** Our whole plan: both semantic diffs and the merge. */
function ourPlan(): { changes: number; localChanges: number; conflicts: number } {
  const changes = diffSpecs(base, remote);
  const localChanges = diffSpecs(base, local);
  const { conflicts } = merge3(base, local, remote);
  return { changes: changes.length, localChanges: localChanges.length, conflicts: conflicts.length };
}

interface Triple {
  base: Record<string, unknown>;
  local: Record<string, unknown>;
  remote: Record<string, unknown>;
}
const freshTriple = (): Triple => ({ base: JSON.parse(oldText), local: JSON.parse(localText), remote: JSON.parse(newText) });

/** Scalar's three-way path on fresh copies. */
function scalarPlan(t: Triple): { diffs: number; conflicts: number; merged: unknown } {
  const localDiff = scalarDiff(t.base, t.local);
  const remoteDiff = scalarDiff(t.base, t.remote);
  const { diffs, conflicts } = scalarMerge(localDiff, remoteDiff);
  const merged = scalarApply(t.base, diffs);
  return { diffs: diffs.length, conflicts: conflicts.length, merged };
}

const ours = ourPlan();
const theirs = scalarPlan(freshTriple());

/**
 * Not timed: how many of the scripted local edits each result holds (read by
 * identity, so a parameter counts wherever it sits in its array). Ours keeps
 * local at a conflict until a resolver decides; scalar leaves both sides of
 * a conflict out of what it applies.
 */
function editsKept(merged: unknown): number {
  const flat = flatten(merged);
  return edits.filter((edit) => flat.get(edit.id) === edit.expected).length;
}
const keptOurs = editsKept(merge3(base, local, remote).merged);
const keptScalar = editsKept(theirs.merged);
const patchOps = jsonPatch.compare(base, remote).length;

const none = (): undefined => undefined;
// Indices 0..2 are read below: compare, scalar, ours.
const cases: Case[] = [
  bench('fast-json-patch compare(base, remote)', none, () => jsonPatch.compare(base, remote)),
  bench('scalar: diff ×2 + merge + apply', freshTriple, scalarPlan),
  bench('ours: diffSpecs ×2 + merge3 (whole plan)', none, ourPlan),
  bench('  ours, part: diffSpecs(base, remote)', none, () => diffSpecs(base, remote)),
  bench('  ours, part: diffSpecs(base, local)', none, () => diffSpecs(base, local)),
  bench('  ours, part: merge3(base, local, remote)', none, () => merge3(base, local, remote)),
];
const medians = measure(cases);
const [compareMs, scalarMs, oursMs] = medians as [number, number, number];

// Ours and compare must not have written to the shared inputs.
const untouched = jsonEqual(base, JSON.parse(oldText)) && jsonEqual(remote, JSON.parse(newText)) && jsonEqual(local, JSON.parse(localText));

console.log(
  `GitHub REST API (@octokit/openapi 19.0.0 → 23.0.2): ${(oldText.length / 1e6).toFixed(1)} MB → ${(newText.length / 1e6).toFixed(1)} MB, ` +
    `local = base + ${edits.length} scripted edits`,
);
console.log(`Node ${process.version}, median of ${RUNS} interleaved runs; scalar: ${SCALAR}`);
console.log(
  `ours: ${ours.changes} remote changes, ${ours.localChanges} local changes, ${ours.conflicts} conflicts; ` +
    `compare: ${patchOps} patch operations; scalar: ${theirs.diffs} merged diffs, ${theirs.conflicts} conflicts`,
);
console.log(`local edits in the result: ours ${keptOurs} of ${edits.length}, scalar ${keptScalar} of ${edits.length}`);
console.log('');
cases.forEach((c, i) => console.log(`${c.label.padEnd(44)} ${(medians[i] as number).toFixed(1).padStart(8)} ms`));
console.log('');
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
console.log(`ours / compare = ${(oursMs / compareMs).toFixed(2)}×  (target ≤ 4×: ${verdict(oursMs <= 4 * compareMs)})`);
console.log(`ours / scalar  = ${(oursMs / scalarMs).toFixed(2)}×  (target < 1×: ${verdict(oursMs < scalarMs)})`);
console.log(`inputs unchanged after ours and compare: ${untouched}`);
