import { describe, expect, it } from 'vitest';
import type { ConflictDecision } from '../../src/conflict/index.js';
import { applyDecisions, merge3, type IdentityRule } from '../../src/merge/index.js';
import { deepFreeze } from './support.js';

const take = (path: string, side: 'local' | 'remote'): ConflictDecision => ({ path, take: side, reason: 'test' });

describe('applyDecisions', () => {
  const base = { info: { title: 'A', version: '1' }, gone: 'x', kept: { a: 1 } };
  const local = { info: { title: 'Mine', version: '1' }, kept: { a: 2 } };
  const remote = { info: { title: 'Theirs', version: '1' }, gone: 'y' };

  it('takes remote, keeps local, or puts a value, without touching the merged document', () => {
    const { merged, conflicts } = merge3(base, local, remote);
    expect(conflicts.map((c) => [c.path, c.kind])).toStrictEqual([
      ['/info/title', 'both-changed'],
      ['/gone', 'deleted-vs-changed'],
      ['/kept', 'changed-vs-deleted'],
    ]);
    const frozen = structuredClone(merged);
    deepFreeze(merged);
    const decided = applyDecisions(merged, conflicts, [take('/info/title', 'remote'), take('/gone', 'remote'), take('/kept', 'remote')]);
    expect(decided).toStrictEqual({ info: { title: 'Theirs', version: '1' }, gone: 'y' });
    expect(merged).toStrictEqual(frozen);

    const kept = applyDecisions(merged, conflicts, [take('/info/title', 'local'), take('/gone', 'local'), take('/kept', 'local')]);
    expect(kept).toStrictEqual(merged);

    const valued = applyDecisions(merged, conflicts, [
      { path: '/info/title', take: 'value', value: 'Both', reason: 'r' },
      { path: '/kept', take: 'value', value: undefined, reason: 'r' },
    ]);
    expect(valued).toStrictEqual({ info: { title: 'Both', version: '1' } });
  });

  it('shares what no decision touched', () => {
    const doc = { a: { deep: { x: 1 } }, b: { y: 1 } };
    const { merged, conflicts } = merge3(doc, { ...doc, b: { y: 2 } }, { ...doc, b: { y: 3 } });
    const decided = applyDecisions(merged, conflicts, [take('/b/y', 'remote')]);
    expect(decided.a).toBe(doc.a);
    expect(decided.b).not.toBe(merged.b);
    expect(merged.b).toStrictEqual({ y: 2 });
  });

  it('rejects a decision for a path that is not a conflict, or one decided twice', () => {
    const { merged, conflicts } = merge3(base, local, remote);
    expect(() => applyDecisions(merged, conflicts, [take('/info/version', 'remote')])).toThrow(
      expect.objectContaining({ code: 'CONFLICT_DECISION_INVALID' }),
    );
    expect(() => applyDecisions(merged, conflicts, [take('/gone', 'remote'), take('/gone', 'local')])).toThrow(
      expect.objectContaining({ code: 'CONFLICT_DECISION_INVALID' }),
    );
    expect(() => applyDecisions(merged, conflicts, [{ path: '/gone', take: 'theirs' } as unknown as ConflictDecision])).toThrow(
      expect.objectContaining({ code: 'CONFLICT_DECISION_INVALID' }),
    );
    expect(() => applyDecisions({}, conflicts, [take('/info/title', 'remote')])).toThrow(
      expect.objectContaining({ code: 'CONFLICT_DECISION_INVALID' }),
    );
  });

  it('inserts and removes identity-array elements without shifting the places still to decide', () => {
    const p = (name: string, description?: string) => ({ in: 'query', name, ...(description ? { description } : {}) });
    const doc = (parameters: unknown[]) => ({ paths: { '/x': { get: { parameters } } } });
    const { merged, conflicts } = merge3(
      doc([p('a'), p('b'), p('c'), p('d', 'base'), p('e')]),
      doc([p('a', 'mine'), p('c', 'mine'), p('e', 'mine')]),
      doc([p('a', 'theirs'), p('b', 'theirs'), p('d', 'theirs'), p('e')]),
    );
    expect(conflicts.map((c) => [c.path, c.kind])).toStrictEqual([
      ['/paths/~1x/get/parameters/0/description', 'both-added'],
      ['/paths/~1x/get/parameters/1', 'changed-vs-deleted'],
      ['/paths/~1x/get/parameters/2', 'deleted-vs-changed'],
      ['/paths/~1x/get/parameters/2', 'deleted-vs-changed'],
    ]);
    // merged: a(mine) c(mine) [b d absent] e(mine)
    const decided = applyDecisions(merged, conflicts, conflicts.map((c) => take(c.path, 'remote')));
    expect(decided.paths['/x'].get.parameters).toStrictEqual([p('a', 'theirs'), p('b', 'theirs'), p('d', 'theirs'), p('e', 'mine')]);
    const onlyD = applyDecisions(merged, conflicts, [take('/paths/~1x/get/parameters/2', 'local'), take('/paths/~1x/get/parameters/2', 'remote')]);
    expect(onlyD.paths['/x'].get.parameters).toStrictEqual([p('a', 'mine'), p('c', 'mine'), p('d', 'theirs'), p('e', 'mine')]);
  });

  it('applies decisions for a shared path in conflict order', () => {
    const rules: IdentityRule[] = [{ path: '/list', key: (s) => (typeof s === 'string' ? s[0] : undefined) }];
    const { merged, conflicts } = merge3({ list: ['a1', 'b1', 'c1'] }, { list: ['a1', 'c2'] }, { list: ['a1', 'b2', 'c3'] }, { rules });
    expect(merged).toStrictEqual({ list: ['a1', 'c2'] });
    expect(conflicts.map((c) => [c.path, c.kind])).toStrictEqual([
      ['/list/1', 'deleted-vs-changed'],
      ['/list/1', 'both-changed'],
    ]);
    expect(applyDecisions(merged, conflicts, [take('/list/1', 'remote'), take('/list/1', 'remote')])).toStrictEqual({ list: ['a1', 'b2', 'c3'] });
    expect(applyDecisions(merged, conflicts, [take('/list/1', 'remote'), take('/list/1', 'local')])).toStrictEqual({ list: ['a1', 'b2', 'c2'] });
    expect(applyDecisions(merged, conflicts, [take('/list/1', 'local'), take('/list/1', 'remote')])).toStrictEqual({ list: ['a1', 'c3'] });
  });

  it('refuses a decision at an array index past the end, instead of appending there', () => {
    const rules: IdentityRule[] = [{ path: '/l', key: (s) => (typeof s === 'string' ? s[0] : undefined) }];
    // Conflicts of one merge, applied to a document that is not its merged one: /l/1 is not there.
    const { merged, conflicts } = merge3({ l: ['a1', 'b1'] }, { l: ['a1', 'b2'] }, { l: ['a1', 'b3'] }, { rules });
    expect(conflicts).toMatchObject([{ path: '/l/1', kind: 'both-changed' }]);
    expect(applyDecisions(merged, conflicts, [take('/l/1', 'remote')])).toStrictEqual({ l: ['a1', 'b3'] });
    const invalid = expect.objectContaining({ code: 'CONFLICT_DECISION_INVALID' });
    expect(() => applyDecisions({ l: ['x'] }, conflicts, [take('/l/1', 'remote')])).toThrow(invalid);
    expect(() => applyDecisions({ l: ['x'] }, conflicts, [{ path: '/l/1', take: 'value', value: undefined, reason: 'r' }])).toThrow(invalid);

    // An element the local side deleted goes back in at its index, the end included, but never past it.
    const deleted = merge3({ l: ['a1', 'b1'] }, { l: ['a1'] }, { l: ['a1', 'b3'] }, { rules });
    expect(deleted.conflicts).toMatchObject([{ path: '/l/1', kind: 'deleted-vs-changed' }]);
    expect(applyDecisions(deleted.merged, deleted.conflicts, [take('/l/1', 'remote')])).toStrictEqual({ l: ['a1', 'b3'] });
    expect(() => applyDecisions({ l: [] }, deleted.conflicts, [take('/l/1', 'remote')])).toThrow(invalid);
  });

  it('removes a key, an element or the document itself, leaving no `undefined` behind', () => {
    const { merged, conflicts } = merge3({ o: { k: 1, j: 1 } }, { o: { k: 2, j: 1 } }, { o: { j: 1 } });
    expect(conflicts).toMatchObject([{ path: '/o/k', kind: 'changed-vs-deleted' }]);
    const removed = applyDecisions(merged, conflicts, [take('/o/k', 'remote')]);
    expect(removed).toStrictEqual({ o: { j: 1 } });
    expect(Object.keys(removed.o)).toEqual(['j']);

    const rules: IdentityRule[] = [{ path: '/l', key: (s) => (typeof s === 'string' ? s[0] : undefined) }];
    const list = merge3({ l: ['a1', 'b1', 'c1'] }, { l: ['a1', 'b2', 'c1'] }, { l: ['a1', 'c1'] }, { rules });
    expect(list.conflicts).toMatchObject([{ path: '/l/1', kind: 'changed-vs-deleted' }]);
    expect(applyDecisions(list.merged, list.conflicts, [take('/l/1', 'remote')])).toStrictEqual({ l: ['a1', 'c1'] });
    expect(applyDecisions(list.merged, list.conflicts, [{ path: '/l/1', take: 'value', value: undefined, reason: 'r' }])).toStrictEqual({ l: ['a1', 'c1'] });

    const root = merge3({ a: 1 }, { a: 2 }, undefined);
    expect(root.conflicts).toMatchObject([{ path: '', kind: 'changed-vs-deleted' }]);
    expect(applyDecisions(root.merged, root.conflicts, [take('', 'remote')])).toBeUndefined();
  });

  it('replaces the whole document for a conflict at the root', () => {
    const { merged, conflicts } = merge3({ a: 1 }, ['local'], 'remote');
    expect(conflicts).toMatchObject([{ path: '', kind: 'both-changed' }]);
    expect(applyDecisions(merged, conflicts, [take('', 'remote')])).toBe('remote');
  });
});
