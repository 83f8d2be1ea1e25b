/**
 * The merge on real data: GitHub's REST API description from
 * `@octokit/openapi` 19.0.0 (base) and 23.0.2 (remote), with 200 scripted
 * local edits on top of the base.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { merge3, type MergeResult } from '../../src/merge/index.js';
import { npmFixture } from '../support/npm-fixtures.js';
import { changes, conflictId, dropped, flatten, readable, under } from './support.js';
import { githubLocalEdits, type Doc, type ScriptedEdit } from './github-edits.js';

const FILE = 'generated/api.github.com.json';

let base: Doc;
let local: Doc;
let remote: Doc;
let edits: ScriptedEdit[];
let result: MergeResult<Doc>;

beforeAll(async () => {
  const [oldDir, newDir] = await Promise.all([npmFixture('@octokit/openapi', '19.0.0'), npmFixture('@octokit/openapi', '23.0.2')]);
  const [oldText, newText] = await Promise.all([readFile(join(oldDir, FILE), 'utf8'), readFile(join(newDir, FILE), 'utf8')]);
  base = JSON.parse(oldText) as Doc;
  remote = JSON.parse(newText) as Doc;
  // A separate parse: nothing shared with base, as when the local copy is read from a file.
  local = JSON.parse(oldText) as Doc;
  edits = githubLocalEdits(local);
  result = merge3(base, local, remote);
}, 120_000);

describe('merge3 on the GitHub REST API (19.0.0 → 23.0.2, 200 local edits)', () => {
  it('made 200 edits of five kinds, and upstream changed a lot', () => {
    expect(edits).toHaveLength(200);
    expect(new Set(edits.map((e) => e.kind))).toEqual(new Set(['description', 'parameter', 'removed', 'example', 'extension']));
    expect(Object.keys(remote.paths).length).toBeGreaterThan(Object.keys(base.paths).length);
  });

  it('keeps every local edit, or reports a conflict at or above it', () => {
    const { merged, conflicts } = result;
    const fm = flatten(merged);
    const covered = conflicts.map((c) => conflictId(merged, c));
    const lost = edits.filter((e) => fm.get(e.id) !== e.expected && !covered.some((c) => under(e.id, c)));
    expect(lost.map((e) => readable(e.id))).toEqual([]);
    const kept = edits.filter((e) => fm.get(e.id) === e.expected).length;
    // Most edits touch places upstream left alone; a few collide with upstream changes.
    expect(kept).toBeGreaterThan(150);
    expect(conflicts.length).toBeGreaterThan(0);
    expect(conflicts.length).toBeLessThan(200);
  });

  it('loses no change of either side: every one is in the result or under a conflict', () => {
    const { merged, conflicts } = result;
    const fb = flatten(base);
    const fl = flatten(local);
    const fr = flatten(remote);
    const fm = flatten(merged);
    const covered = conflicts.map((c) => conflictId(merged, c));
    expect(changes(fb, fr).length).toBeGreaterThan(1000);
    expect(dropped(fb, fl, fm, covered)).toEqual([]);
    expect(dropped(fb, fr, fm, covered)).toEqual([]);
  });

  it('keeps removed operations removed and merges added parameters by identity', () => {
    const { merged, conflicts } = result;
    const operation = (doc: Doc, id: string) => {
      const [, , path, method] = readable(id).split(' / ');
      return doc.paths[path as string]?.[method as string];
    };
    for (const edit of edits.filter((e) => e.kind === 'removed')) expect(operation(merged, edit.id)).toBeUndefined();
    const key = (p: { in?: string; name?: string; $ref?: string }) => p.$ref ?? `${p.in}:${p.name}`;
    let checked = 0;
    for (const edit of edits.filter((e) => e.kind === 'parameter')) {
      const mergedOp = operation(merged, edit.id);
      const remoteOp = operation(remote, edit.id);
      if (!mergedOp || !remoteOp) continue;
      const keys = (mergedOp.parameters as { name?: string; in?: string }[]).map(key);
      const remoteKeys = ((remoteOp.parameters ?? []) as { name?: string; in?: string }[]).map(key);
      expect(new Set(keys).size).toBe(keys.length);
      // Remote's parameters in remote's order, then the local one.
      expect(keys.slice(0, remoteKeys.length)).toEqual(remoteKeys);
      expect(keys.slice(remoteKeys.length)).toHaveLength(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    expect(conflicts.every((c) => !c.path.includes('local_filter'))).toBe(true);
  });

  it('shares what only upstream changed with the remote document', () => {
    const { merged } = result;
    const shared = Object.keys(remote.components.schemas as object).filter(
      (name) =>
        (merged.components.schemas as Record<string, unknown>)[name] === (remote.components.schemas as Record<string, unknown>)[name],
    );
    expect(shared.length / Object.keys(remote.components.schemas as object).length).toBeGreaterThan(0.9);
  });
});
