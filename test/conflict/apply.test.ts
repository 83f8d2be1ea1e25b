import { describe, expect, it } from 'vitest';
import type { ConflictDecision } from '../../src/conflict/index.js';
import { merge3, type IdentityRule, type MergeConflict } from '../../src/merge/index.js';
import { deepFreeze } from '../merge/support.js';
import { applyDecisions } from '../../src/conflict/index.js';

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
    const decided = applyDecisions(
      merged,
      conflicts,
      conflicts.map((c) => take(c.path, 'remote')),
    );
    expect(decided.paths['/x'].get.parameters).toStrictEqual([p('a', 'theirs'), p('b', 'theirs'), p('d', 'theirs'), p('e', 'mine')]);
    const onlyD = applyDecisions(merged, conflicts, [
      take('/paths/~1x/get/parameters/2', 'local'),
      take('/paths/~1x/get/parameters/2', 'remote'),
    ]);
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
    expect(applyDecisions(merged, conflicts, [take('/list/1', 'remote'), take('/list/1', 'remote')])).toStrictEqual({
      list: ['a1', 'b2', 'c3'],
    });
    expect(applyDecisions(merged, conflicts, [take('/list/1', 'remote'), take('/list/1', 'local')])).toStrictEqual({
      list: ['a1', 'b2', 'c2'],
    });
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
    expect(() => applyDecisions({ l: ['x'] }, conflicts, [{ path: '/l/1', take: 'value', value: undefined, reason: 'r' }])).toThrow(
      invalid,
    );

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
    expect(applyDecisions(list.merged, list.conflicts, [{ path: '/l/1', take: 'value', value: undefined, reason: 'r' }])).toStrictEqual({
      l: ['a1', 'c1'],
    });

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

describe('applyDecisions: places, order and refusals', () => {
  const byId: IdentityRule[] = [{ path: '/l', key: (item) => (item as { id?: string }).id }];
  const conflict = (path: string, local: unknown, remote: unknown): MergeConflict => ({
    path,
    kind: local === undefined ? 'deleted-vs-changed' : remote === undefined ? 'changed-vs-deleted' : 'both-changed',
    base: 'base',
    local,
    remote,
  });
  /** The typed refusal, with a hint, the details given and a message naming `mentions`. */
  const refused = (details: Record<string, unknown>, mentions: string) =>
    expect.objectContaining({
      code: 'CONFLICT_DECISION_INVALID',
      message: expect.stringContaining(mentions),
      hint: expect.stringMatching(/\S/),
      details,
    });

  it('edits an element under the index where a locally deleted element goes back, before putting that one in', () => {
    const base = { l: [{ id: 'a' }, { id: 'b', v: 1 }, { id: 'c', v: 1 }] };
    const { merged, conflicts } = merge3(
      base,
      { l: [{ id: 'a' }, { id: 'c', v: 2 }] },
      { l: [{ id: 'a' }, { id: 'b', v: 3 }, { id: 'c', v: 3 }] },
      { rules: byId },
    );
    expect(conflicts.map((c) => [c.path, c.kind])).toStrictEqual([
      ['/l/1', 'deleted-vs-changed'],
      ['/l/1/v', 'both-changed'],
    ]);
    const both = [take('/l/1', 'remote'), take('/l/1/v', 'remote')];
    expect(applyDecisions(merged, conflicts, both)).toStrictEqual({ l: [{ id: 'a' }, { id: 'b', v: 3 }, { id: 'c', v: 3 }] });
    expect(applyDecisions(merged, conflicts, [...both].reverse())).toStrictEqual({
      l: [{ id: 'a' }, { id: 'b', v: 3 }, { id: 'c', v: 3 }],
    });
    expect(applyDecisions(merged, conflicts, [take('/l/1', 'remote'), take('/l/1/v', 'local')])).toStrictEqual({
      l: [{ id: 'a' }, { id: 'b', v: 3 }, { id: 'c', v: 2 }],
    });
  });

  it('orders places by index as numbers, from the end, across arrays of ten and more and across subtrees', () => {
    const ids = Array.from({ length: 14 }, (_, i) => `e${i}`);
    const item = (id: string, v = 0) => ({ id, v });
    const doc = (values: Record<string, number>, drop: string[] = []) => ({
      a: { l: ids.filter((id) => !drop.includes(id)).map((id) => item(id, values[id])) },
      b: { x: values.x ?? 0 },
      c: { l: ids.filter((id) => !drop.includes(id)).map((id) => item(id, values[id])) },
    });
    const rules: IdentityRule[] = [{ path: '/*/l', key: (element) => (element as { id?: string }).id }];
    // Locally: e0, e2 and e11 deleted, e12 and e13 edited; remotely: all five edited otherwise, and x.
    const local = doc({ e12: 1, e13: 1, x: 1 }, ['e0', 'e2', 'e11']);
    const remote = doc({ e0: 2, e2: 2, e11: 2, e12: 2, e13: 2, x: 2 });
    const { merged, conflicts } = merge3(doc({}), local, remote, { rules });
    expect(conflicts.map((c) => c.path)).toStrictEqual([
      '/a/l/0',
      '/a/l/1',
      '/a/l/9',
      '/a/l/9/v',
      '/a/l/10/v',
      '/b/x',
      '/c/l/0',
      '/c/l/1',
      '/c/l/9',
      '/c/l/9/v',
      '/c/l/10/v',
    ]);
    // Decided in an order unlike the places', interleaving the subtrees.
    const order = [10, 0, 5, 2, 7, 4, 9, 1, 8, 3, 6];
    const decided = applyDecisions(
      merged,
      conflicts,
      order.map((i) => take(conflicts[i]!.path, 'remote')),
    );
    expect(decided).toStrictEqual(remote);
    const kept = applyDecisions(
      merged,
      conflicts,
      order.map((i) => take(conflicts[i]!.path, 'local')),
    );
    expect(kept).toStrictEqual(merged);
  });

  it('edits inside an element before replacing the element, whatever the order of the conflicts', () => {
    const conflicts = [conflict('/l/1/v', 1, 2), conflict('/l/1', { v: 1 }, { w: 5 })];
    for (const list of [conflicts, [...conflicts].reverse()]) {
      expect(applyDecisions({ l: ['a', { v: 1 }] }, list, [take('/l/1', 'remote'), take('/l/1/v', 'remote')])).toStrictEqual({
        l: ['a', { w: 5 }],
      });
    }
  });

  it('replaces what a place holds before inserting there, whatever the order of the conflicts', () => {
    // Hand-made conflicts: a changed element at /l/1 and, listed after it, one to put back at /l/1.
    const conflicts = [conflict('/l/1', 'x', 'x2'), conflict('/l/1', undefined, 'y')];
    expect(applyDecisions({ l: ['a', 'x'] }, conflicts, [take('/l/1', 'remote'), take('/l/1', 'remote')])).toStrictEqual({
      l: ['a', 'y', 'x2'],
    });
    expect(applyDecisions({ l: ['a', 'x'] }, [...conflicts].reverse(), [take('/l/1', 'remote'), take('/l/1', 'remote')])).toStrictEqual({
      l: ['a', 'y', 'x2'],
    });
  });

  it('decides at index 0, and a removed value or an absent one put nowhere leaves the array as it is', () => {
    const { merged, conflicts } = merge3(
      { l: [{ id: 'a', v: 1 }, { id: 'b' }] },
      { l: [{ id: 'b' }] },
      { l: [{ id: 'a', v: 2 }, { id: 'b' }] },
      { rules: byId },
    );
    expect(conflicts).toMatchObject([{ path: '/l/0', kind: 'deleted-vs-changed' }]);
    expect(applyDecisions(merged, conflicts, [take('/l/0', 'remote')])).toStrictEqual({ l: [{ id: 'a', v: 2 }, { id: 'b' }] });
    expect(applyDecisions(merged, conflicts, [{ path: '/l/0', take: 'value', value: undefined, reason: 'r' }])).toStrictEqual({
      l: [{ id: 'b' }],
    });
    const changed = [conflict('/l/0', 'a', 'a2')];
    expect(applyDecisions({ l: ['a', 'b'] }, changed, [take('/l/0', 'remote')])).toStrictEqual({ l: ['a2', 'b'] });
    expect(applyDecisions({ l: ['a', 'b'] }, changed, [{ path: '/l/0', take: 'value', value: undefined, reason: 'r' }])).toStrictEqual({
      l: ['b'],
    });
  });

  it('refuses a place in an array that is not an index, naming the place', () => {
    for (const last of ['x', '-', '01', '1x', 'x1', '1.0', '-1']) {
      const path = `/l/${last}`;
      for (const local of ['old', undefined]) {
        expect(() => applyDecisions({ l: ['a', 'b'] }, [conflict(path, local, 'new')], [take(path, 'remote')]), path).toThrow(
          refused({ path }, JSON.stringify(path)),
        );
      }
    }
  });

  it('refuses a place whose parent is missing, not a container, or only inherited, naming the first place missing', () => {
    const at = (doc: unknown, path: string) => () => applyDecisions(doc, [conflict(path, 'old', 'new')], [take(path, 'remote')]);
    expect(at({ a: 5 }, '/a/b/c')).toThrow(refused({ path: '/a' }, '"/a"'));
    expect(at({ a: null }, '/a/b')).toThrow(refused({ path: '/a' }, '"/a"'));
    expect(at({ a: 'text' }, '/a/b')).toThrow(refused({ path: '/a' }, '"/a"'));
    expect(at({ a: {} }, '/a/b/c')).toThrow(refused({ path: '/a/b' }, '"/a/b"'));
    expect(at({ a: { l: ['x'] } }, '/a/l/1/c')).toThrow(refused({ path: '/a/l/1' }, '"/a/l/1"'));
    expect(at({ a: { l: [{}, {}] } }, '/a/l/01/c')).toThrow(refused({ path: '/a/l/01' }, '"/a/l/01"'));
    expect(at({ a: { l: [{}, {}] } }, '/a/l/1.0/c')).toThrow(refused({ path: '/a/l/1.0' }, '"/a/l/1.0"'));
    expect(at({ a: { l: ['x'] } }, '/a/l/length/c')).toThrow(refused({ path: '/a/l/length' }, '"/a/l/length"'));
    expect(at({ a: {} }, '/a/__proto__/b')).toThrow(refused({ path: '/a/__proto__' }, '"/a/__proto__"'));
    expect(at({ a: {} }, '/a/toString/b')).toThrow(refused({ path: '/a/toString' }, '"/a/toString"'));
    expect(at(7, '/a')).toThrow(refused({ path: '' }, '""'));
    expect(({} as Record<string, unknown>).b).toBeUndefined();
  });

  it('writes a key named __proto__ as an own member, never as the prototype', () => {
    const merged = JSON.parse('{"o": {"__proto__": {"v": 1}, "k": 1}}') as { o: Record<string, unknown> };
    const decided = applyDecisions(
      merged,
      [conflict('/o/__proto__', { v: 1 }, { v: 2 }), conflict('/o/k', 1, 2)],
      [take('/o/__proto__', 'remote'), take('/o/k', 'remote')],
    );
    expect(Object.getPrototypeOf(decided.o)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decided.o, '__proto__')).toStrictEqual({
      value: { v: 2 },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(Object.getOwnPropertyDescriptor(decided.o, 'k')).toStrictEqual({
      value: 2,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const added = applyDecisions({ o: {} }, [conflict('/o/__proto__', undefined, { polluted: true })], [take('/o/__proto__', 'remote')]);
    expect(Object.hasOwn(added.o, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a decision that is not one, saying what arrived', () => {
    const { merged, conflicts } = merge3({ a: 1 }, { a: 2 }, { a: 3 });
    const cyclic: Record<string, unknown> = { path: 5 };
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [null, 'null'],
      [undefined, 'undefined'],
      [{ path: 5, take: 'remote' }, '{"path":5,"take":"remote"}'],
      [{ path: '/a', take: 'theirs' }, '{"path":"/a","take":"theirs"}'],
      [{ path: '/a' }, '{"path":"/a"}'],
      [cyclic, '[object Object]'],
      [{ path: 1n, take: 'remote' }, '[object Object]'],
    ];
    for (const [decision, shown] of cases) {
      expect(() => applyDecisions(merged, conflicts, [decision as ConflictDecision]), shown).toThrow(refused({ decision: shown }, shown));
    }
    expect(() => applyDecisions(merged, conflicts, [take('/b', 'remote')])).toThrow(refused({ path: '/b' }, '"/b"'));
    expect(() => applyDecisions(merged, conflicts, [take('/a', 'remote'), take('/a', 'remote')])).toThrow(refused({ path: '/a' }, '"/a"'));
  });
});
