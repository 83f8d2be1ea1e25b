import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diffSpecs, listRules } from '../src/diff/index.js';
import { allCases } from '../test/diff/cases.js';
import { githubLocalEdits, type Doc } from '../test/merge/github-edits.js';
import { npmFixture } from '../test/support/npm-fixtures.js';

const out = process.argv[2] ?? '/tmp/dg/out';
const FILE = join('generated', 'api.github.com.json');
const [oldDir, newDir] = await Promise.all([npmFixture('@octokit/openapi', '19.0.0'), npmFixture('@octokit/openapi', '23.0.2')]);
const oldText = await readFile(join(oldDir, FILE), 'utf8');
const newText = await readFile(join(newDir, FILE), 'utf8');
const ghesText = await readFile(join(newDir, 'generated', 'ghes-3.17.json'), 'utf8');
const base = JSON.parse(oldText);
const remote = JSON.parse(newText);
const local = JSON.parse(oldText) as Doc;
githubLocalEdits(local);

/** local, with every subtree deep-equal to base's replaced by base's own object (structure sharing). */
function share(l: unknown, b: unknown): unknown {
  if (JSON.stringify(l) === JSON.stringify(b)) return b;
  if (Array.isArray(l)) return l.map((x, i) => share(x, Array.isArray(b) ? b[i] : undefined));
  if (l !== null && typeof l === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(l)) o[k] = share(v, b !== null && typeof b === 'object' ? (b as Record<string, unknown>)[k] : undefined);
    return o;
  }
  return l;
}
const sharedLocal = share(JSON.parse(JSON.stringify(local)), base);

const results: Record<string, string> = {};
const run = (name: string, a: unknown, b: unknown, opts?: Parameters<typeof diffSpecs>[2]) => {
  const before = JSON.stringify([a, b]);
  const t = performance.now();
  results[name] = JSON.stringify(diffSpecs(a, b, opts));
  const ms = performance.now() - t;
  if (JSON.stringify([a, b]) !== before) throw new Error(`${name}: input mutated`);
  console.log(name, JSON.parse(results[name]).length, Math.round(ms), 'ms');
};
run('gh-19-23', base, remote);
run('gh-base-local', base, local);
run('gh-base-sharedlocal', base, sharedLocal);
run('gh-local-base', local, base);
run('gh-23-19', remote, base);
run('gh-local-23', local, remote);
run('gh-23-ghes317', remote, JSON.parse(ghesText));
run('gh-ghes317-23', JSON.parse(ghesText), remote);
run('gh-19-23-opts', base, remote, { renameThreshold: 0.5, minLevel: 'warning' });
run('gh-19-23-norename', base, remote, { detectRenames: false });
const known = new Set(listRules().map((r) => r.id));
const cases = allCases(known);
const caseOut: unknown[] = [];
for (const c of cases) caseOut.push([c.name, diffSpecs(c.base, c.remote), diffSpecs(c.remote, c.base), diffSpecs(c.base, c.base), diffSpecs(c.base, structuredClone(c.base))]);
results.cases = JSON.stringify(caseOut);
for (const [k, v] of Object.entries(results)) await writeFile(`${out}.${k}.json`, v);
console.log('cases', cases.length);
