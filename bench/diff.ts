/**
 * Benchmark of diffSpecs on a real pair: GitHub's REST API description from
 * @octokit/openapi 19.0.0 and 23.0.2 (about 11 and 13 MB of JSON), fetched
 * into .cache/ on first run; then the other shape of a sync plan, the base
 * against a local copy with 200 scripted edits (test/merge/github-edits.ts,
 * a separate parse, as in bench/merge.ts).
 *
 *     npx tsx bench/diff.ts [runs]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diffSpecs } from '../src/diff/index.js';
import { githubLocalEdits, type Doc } from '../test/merge/github-edits.js';
import { npmFixture } from '../test/support/npm-fixtures.js';

const runs = Number(process.argv[2] ?? 5);
const file = join('generated', 'api.github.com.json');
const [oldDir, newDir] = await Promise.all([npmFixture('@octokit/openapi', '19.0.0'), npmFixture('@octokit/openapi', '23.0.2')]);
const [oldText, newText] = await Promise.all([readFile(join(oldDir, file), 'utf8'), readFile(join(newDir, file), 'utf8')]);
const base = JSON.parse(oldText) as unknown;
const remote = JSON.parse(newText) as unknown;
const local = JSON.parse(oldText) as Doc;
githubLocalEdits(local);

const ms = (n: number | undefined) => `${Math.round(n ?? 0)} ms`;

function measure(label: string, other: unknown): void {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    count = diffSpecs(base, other).length;
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`diffSpecs ${label}: ${count} changes`);
  console.log(`first (cold) ${ms(times[0])}, median ${ms(sorted[Math.floor(sorted.length / 2)])}, best ${ms(sorted[0])} over ${runs} runs`);
}

measure('GitHub 19.0.0 → 23.0.2', remote);
measure('GitHub 19.0.0 → 19.0.0 + 200 local edits', local);
