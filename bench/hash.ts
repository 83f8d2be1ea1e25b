/**
 * The canonical hash of a large document, as the engine computes it, against
 * `JSON.parse` of the same text in the same process.
 *
 * GitHub's REST API description (`@octokit/openapi`, 13 MB): 23.0.0, then
 * 23.0.1, the next release (one operation changed). Cases, medians of the
 * runs after a warm-up:
 *
 * - **parse**: `JSON.parse` of the 23.0.1 text, the yardstick;
 * - **plain**: `canonicalHash` of a parsed, unfrozen 23.0.1 (what `loadSpec`
 *   hashes: nothing is kept);
 * - **first**: the hash of a frozen 23.0.0 (what the engine hashes after the
 *   first load): it keeps the text of each operation and component;
 * - **next**: the hash of 23.0.1 loaded the way the engine loads it (shared
 *   with the frozen 23.0.0, then frozen): only the parts that changed are
 *   serialised.
 *
 *     npx tsx bench/hash.ts [runs]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deepFreeze, shareUnchanged } from '../src/json/freeze.js';

import { npmFixture } from '../test/support/npm-fixtures.js';
import { canonicalHash } from '../src/json/index.js';

const RUNS = Number(process.argv[2] ?? 9);
const text = async (version: string): Promise<string> =>
  readFile(join(await npmFixture('@octokit/openapi', version), 'generated/api.github.com.json'), 'utf8');
const [older, newer] = await Promise.all([text('23.0.0'), text('23.0.1')]);

const cases = ['parse', 'plain', 'first', 'next'] as const;
const times = Object.fromEntries(cases.map((c) => [c, [] as number[]])) as Record<(typeof cases)[number], number[]>;
const timed = <R>(fn: () => R): [R, number] => {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
};

for (let i = 0; i <= RUNS; i++) {
  const [, parse] = timed(() => JSON.parse(newer));
  const plainDoc = JSON.parse(newer) as object;
  const [plainHash, plain] = timed(() => canonicalHash(plainDoc));
  // Fresh objects each run, so nothing is kept from the run before.
  const base = deepFreeze(JSON.parse(older) as object);
  const [, first] = timed(() => canonicalHash(base));
  const next = deepFreeze(shareUnchanged(base, JSON.parse(newer) as object));
  const [nextHash, nextTime] = timed(() => canonicalHash(next));
  if (nextHash !== plainHash) throw new Error('The hash of the shared, frozen document differs from the plain one.');
  if (i === 0) continue; // warm-up
  times.parse.push(parse);
  times.plain.push(plain);
  times.first.push(first);
  times.next.push(nextTime);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const parse = median(times.parse);
const row = (label: string, c: (typeof cases)[number]) =>
  `${label.padEnd(64)} ${median(times[c]).toFixed(1).padStart(7)} ms ${(median(times[c]) / parse).toFixed(2).padStart(6)}x`;
console.log(
  `GitHub REST API, @octokit/openapi 23.0.0 → 23.0.1 (${(newer.length / 1e6).toFixed(1)} MB), ${RUNS} runs, medians, Node ${process.version}`,
);
console.log(row('JSON.parse of the 23.0.1 text', 'parse'));
console.log(row('canonicalHash, plain object (loadSpec)', 'plain'));
console.log(row('canonicalHash, frozen 23.0.0 (first load: keeps texts)', 'first'));
console.log(row('canonicalHash, 23.0.1 shared with 23.0.0 and frozen (next load)', 'next'));
