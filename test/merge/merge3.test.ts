import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { merge3, openApiIdentityRules, type IdentityRule, type MergeConflict } from '../../src/merge/index.js';
import { deepFreeze } from './support.js';

const op = (parameters: unknown[], extra: Record<string, unknown> = {}) => ({
  openapi: '3.1.0',
  paths: { '/pets/{id}': { get: { operationId: 'getPet', parameters, ...extra } } },
});
const param = (name: string, extra: Record<string, unknown> = {}, where = 'query') => ({ in: where, name, ...extra });
const paramsOf = (doc: unknown) =>
  (doc as { paths: Record<string, { get: { parameters: { name: string }[] } }> }).paths['/pets/{id}']?.get.parameters;

describe('merge3: which side wins', () => {
  it('takes the side that changed, and a change both made once', () => {
    const base = { a: 1, b: 1, c: 1, d: 1 };
    const local = { a: 2, b: 1, c: 3, d: 1 };
    const remote = { a: 1, b: 2, c: 3, d: 1 };
    expect(merge3(base, local, remote)).toEqual({ merged: { a: 2, b: 2, c: 3, d: 1 }, conflicts: [] });
  });

  it('deletes a key one side deleted and the other left alone', () => {
    expect(merge3({ a: 1, b: 2 }, { a: 1 }, { a: 1, b: 2, c: 3 }).merged).toEqual({ a: 1, c: 3 });
    expect(merge3({ a: 1, b: 2 }, { a: 1, b: 2, c: 3 }, { a: 1 }).merged).toEqual({ a: 1, c: 3 });
  });

  it('merges a missing base as both sides adding everything', () => {
    const { merged, conflicts } = merge3(undefined, { a: 1, b: { x: 1 } }, { a: 1, b: { y: 2 } });
    expect(merged).toEqual({ a: 1, b: { x: 1, y: 2 } });
    expect(conflicts).toEqual([]);
  });
});

describe('merge3: conflict kinds', () => {
  const only = (conflicts: MergeConflict[]) => {
    expect(conflicts).toHaveLength(1);
    return conflicts[0] as MergeConflict;
  };

  it('both-changed keeps local and reports all three values', () => {
    const { merged, conflicts } = merge3({ info: { title: 'A' } }, { info: { title: 'Mine' } }, { info: { title: 'Theirs' } });
    expect(merged).toEqual({ info: { title: 'Mine' } });
    expect(only(conflicts)).toEqual({ path: '/info/title', kind: 'both-changed', base: 'A', local: 'Mine', remote: 'Theirs' });
  });

  it('changed-vs-deleted keeps the local change', () => {
    const { merged, conflicts } = merge3({ a: { d: 'x' } }, { a: { d: 'y' } }, {});
    expect(merged).toEqual({ a: { d: 'y' } });
    expect(only(conflicts)).toEqual({ path: '/a', kind: 'changed-vs-deleted', base: { d: 'x' }, local: { d: 'y' }, remote: undefined });
  });

  it('deleted-vs-changed keeps the local deletion', () => {
    const { merged, conflicts } = merge3({ a: 1, b: 'x' }, { a: 1 }, { a: 1, b: 'z' });
    expect(merged).toEqual({ a: 1 });
    expect(Object.hasOwn(merged, 'b')).toBe(false);
    expect(only(conflicts)).toEqual({ path: '/b', kind: 'deleted-vs-changed', base: 'x', local: undefined, remote: 'z' });
  });

  it('both-added reports the key both sides added differently, and merges added objects key by key', () => {
    const { merged, conflicts } = merge3({}, { v: 1, o: { a: 1, s: 'l' } }, { v: 2, o: { b: 2, s: 'r' } });
    expect(merged).toEqual({ v: 1, o: { a: 1, b: 2, s: 'l' } });
    expect(conflicts).toEqual([
      { path: '/v', kind: 'both-added', base: undefined, local: 1, remote: 2 },
      { path: '/o/s', kind: 'both-added', base: undefined, local: 'l', remote: 'r' },
    ]);
  });

  it('a type change against an edit is one conflict at that place', () => {
    const { merged, conflicts } = merge3({ s: { a: 1 } }, { s: { a: 2 } }, { s: 'gone' });
    expect(merged).toEqual({ s: { a: 2 } });
    expect(only(conflicts)).toMatchObject({ path: '/s', kind: 'both-changed', remote: 'gone' });
  });

  it('escapes conflict paths per RFC 6901', () => {
    const { conflicts } = merge3({ 'a/b': { 'c~d': 1 } }, { 'a/b': { 'c~d': 2 } }, { 'a/b': { 'c~d': 3 } });
    expect(only(conflicts).path).toBe('/a~1b/c~0d');
  });

  it('arrays without a rule are whole values: one conflict at the array', () => {
    const { merged, conflicts } = merge3({ list: [1, 2, 3] }, { list: [1, 2, 3, 4] }, { list: [0, 1, 2, 3] }, { rules: [] });
    expect(merged).toEqual({ list: [1, 2, 3, 4] });
    expect(only(conflicts)).toEqual({ path: '/list', kind: 'both-changed', base: [1, 2, 3], local: [1, 2, 3, 4], remote: [0, 1, 2, 3] });
  });
});

describe('merge3: key order and sharing', () => {
  it('orders keys as remote does, then keys only local has', () => {
    const { merged } = merge3({ a: 1, b: 1 }, { l1: 0, b: 1, a: 1, l2: 0 }, { r: 0, b: 1, a: 2 });
    expect(Object.keys(merged)).toEqual(['r', 'b', 'a', 'l1', 'l2']);
  });

  it('shares untouched subtrees with the inputs instead of copying them', () => {
    const base = { info: { title: 'T' }, paths: { '/a': { get: { summary: 's' } }, '/b': { get: { summary: 's' } } }, mine: { x: 1 } };
    const local = { ...base, mine: { x: 2 } };
    const remote = { ...base, paths: { ...base.paths, '/b': { get: { summary: 'changed' } } } };
    const { merged } = merge3(base, local, remote);
    expect(merged.mine).toBe(local.mine);
    expect(merged.paths).toBe(remote.paths);
    expect(merged.info).toBe(base.info);
    expect(merge3(base, base, remote).merged).toBe(remote);
    expect(merge3(base, local, base).merged).toBe(local);
  });

  it('returns a side itself when the merge equals it, even from equal copies', () => {
    const base = { a: { b: [1, 2] }, c: 'x' };
    const local = structuredClone(base);
    const remote = { a: { b: [1, 2] }, c: 'y' };
    const { merged } = merge3(base, local, remote);
    expect(merged).toBe(remote);
  });
});

describe('merge3: identity arrays', () => {
  it('merges parameters by in+name when upstream reorders them', () => {
    const base = op([param('a'), param('b'), param('c')]);
    const local = op([param('a'), param('b', { description: 'mine' }), param('c')]);
    const remote = op([param('c'), param('a', { required: true }), param('b')]);
    const { merged, conflicts } = merge3(base, local, remote);
    expect(conflicts).toEqual([]);
    expect(paramsOf(merged)).toEqual([param('c'), param('a', { required: true }), param('b', { description: 'mine' })]);
  });

  it('keeps a local-only element after the element it followed locally', () => {
    const base = op([param('a'), param('b'), param('c')]);
    const local = op([param('x'), param('a'), param('b'), param('mine'), param('c')]);
    const remote = op([param('c'), param('b'), param('new'), param('a')]);
    const names = paramsOf(merge3(base, local, remote).merged)?.map((p) => p.name);
    expect(names).toEqual(['x', 'c', 'b', 'mine', 'new', 'a']);
  });

  it('deletes an element one side deleted and the other left alone', () => {
    const base = op([param('a'), param('b'), param('c')]);
    const { merged, conflicts } = merge3(base, op([param('a'), param('c'), param('l')]), op([param('b'), param('c'), param('a')]));
    expect(conflicts).toEqual([]);
    expect(paramsOf(merged)?.map((p) => p.name)).toEqual(['c', 'l', 'a']);
  });

  it('reports element conflicts at the element index in the merged array', () => {
    const base = op([param('a'), param('b', { description: 'base' }), param('c')]);
    const local = op([param('a'), param('c', { description: 'mine' })]);
    const remote = op([param('a'), param('b', { description: 'theirs' })]);
    const { merged, conflicts } = merge3(base, local, remote);
    expect(paramsOf(merged)).toEqual([param('a'), param('c', { description: 'mine' })]);
    // c (local only now) stays after a, its local predecessor; b, absent here, would come next.
    expect(conflicts).toEqual([
      {
        path: '/paths/~1pets~1{id}/get/parameters/1',
        kind: 'changed-vs-deleted',
        base: param('c'),
        local: param('c', { description: 'mine' }),
        remote: undefined,
      },
      {
        path: '/paths/~1pets~1{id}/get/parameters/2',
        kind: 'deleted-vs-changed',
        base: param('b', { description: 'base' }),
        local: undefined,
        remote: param('b', { description: 'theirs' }),
      },
    ]);
  });

  it('recurses into matched elements with index paths', () => {
    const base = op([param('a'), param('b', { description: 'base' })]);
    const local = op([param('b', { description: 'mine' }), param('a')]);
    const remote = op([param('z'), param('a'), param('b', { description: 'theirs' })]);
    const { conflicts } = merge3(base, local, remote);
    expect(conflicts).toMatchObject([{ path: '/paths/~1pets~1{id}/get/parameters/2/description', kind: 'both-changed' }]);
  });

  it('matches header parameters case-insensitively and $ref parameters by their reference', () => {
    const ref = { $ref: '#/components/parameters/page' };
    const base = op([param('X-Token', {}, 'header'), ref]);
    const local = op([param('x-token', { description: 'mine' }, 'header'), ref]);
    const remote = op([{ ...ref }, param('X-Token', {}, 'header'), param('new')]);
    const { merged, conflicts } = merge3(base, local, remote);
    expect(conflicts).toEqual([]);
    expect(paramsOf(merged)).toEqual([ref, param('x-token', { description: 'mine' }, 'header'), param('new')]);
  });

  it('merges enum and required as sets', () => {
    const schema = (e: string[], r: string[]) => ({ components: { schemas: { Pet: { required: r, properties: { s: { enum: e } } } } } });
    const { merged, conflicts } = merge3(schema(['a', 'b'], ['id']), schema(['a', 'b', 'l'], []), schema(['b', 'a', 'r'], ['id', 'name']));
    expect(conflicts).toEqual([]);
    expect(merged).toEqual(schema(['b', 'l', 'a', 'r'], ['name']));
  });

  it('merges top-level tags by name and servers by url', () => {
    const base = { tags: [{ name: 'pets' }], servers: [{ url: 'https://a' }] };
    const local = { tags: [{ name: 'pets', description: 'mine' }, { name: 'own' }], servers: [{ url: 'https://a', description: 'prod' }] };
    const remote = { tags: [{ name: 'users' }, { name: 'pets' }], servers: [{ url: 'https://b' }, { url: 'https://a' }] };
    expect(merge3(base, local, remote)).toEqual({
      merged: {
        tags: [{ name: 'users' }, { name: 'pets', description: 'mine' }, { name: 'own' }],
        servers: [{ url: 'https://b' }, { url: 'https://a', description: 'prod' }],
      },
      conflicts: [],
    });
  });

  it('merges security requirements as a set of values regardless of key order', () => {
    const base = { security: [{ a: [], b: ['x'] }] };
    const local = { security: [{ b: ['x'], a: [] }, { c: [] }] };
    const remote = { security: [{ a: [], b: ['x'] }, { d: [] }] };
    expect(merge3(base, local, remote)).toEqual({ merged: { security: [{ a: [], b: ['x'] }, { c: [] }, { d: [] }] }, conflicts: [] });
  });

  it('merges allOf as a whole value even inside identity arrays', () => {
    const s = (allOf: unknown[]) => ({ components: { schemas: { P: { allOf } } } });
    const { conflicts } = merge3(s([{ a: 1 }]), s([{ a: 1 }, { l: 1 }]), s([{ a: 1 }, { r: 1 }]));
    expect(conflicts).toMatchObject([{ path: '/components/schemas/P/allOf', kind: 'both-changed' }]);
  });

  it('falls back to a whole value when identities repeat, never duplicating keys', () => {
    const base = op([param('a'), param('b')]);
    const local = op([param('a'), param('a', { description: 'dup' }), param('b')]);
    const remote = op([param('b'), param('a')]);
    const { merged, conflicts } = merge3(base, local, remote);
    expect(conflicts).toMatchObject([{ path: '/paths/~1pets~1{id}/get/parameters', kind: 'both-changed' }]);
    expect(paramsOf(merged)).toBe(paramsOf(local));
  });

  it('uses a target’s own rules, first match first, and validates them', () => {
    const rules: IdentityRule[] = [{ path: '/requests', key: (r) => (r as { id?: string }).id }, ...openApiIdentityRules];
    const { merged } = merge3(
      { requests: [{ id: '1', n: 'a' }] },
      { requests: [{ id: '1', n: 'b' }] },
      { requests: [{ id: '2' }, { id: '1', n: 'a' }] },
      { rules },
    );
    expect(merged).toEqual({ requests: [{ id: '2' }, { id: '1', n: 'b' }] });
    expect(() => merge3({}, {}, { a: 1 }, { rules: [{ path: 'requests', key: () => 'x' }] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => merge3({}, {}, {}, { rules: [{ path: '/x' } as unknown as IdentityRule] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('matches large arrays through an index: one key call per element per side', () => {
    let calls = 0;
    const rules: IdentityRule[] = [
      {
        path: '/items',
        key: (item) => {
          calls++;
          return (item as { id: string }).id;
        },
      },
    ];
    const n = 20_000;
    const base = { items: Array.from({ length: n }, (_, i) => ({ id: `k${i}`, v: 0 })) };
    const local = { items: base.items.map((item, i) => (i % 100 === 0 ? { ...item, v: 1 } : item)) };
    const remote = { items: [...base.items].reverse().map((item, i) => (i % 7 === 0 ? { ...item, w: 2 } : item)) };
    const { merged, conflicts } = merge3(base, local, remote, { rules });
    expect(conflicts).toEqual([]);
    expect(calls).toBe(3 * n);
    expect(merged.items).toHaveLength(n);
    expect(merged.items[0]).toEqual({ id: `k${n - 1}`, v: 0, w: 2 });
    expect(merged.items[n - 1]).toEqual({ id: 'k0', v: 1, w: 2 }); // 19999 is a multiple of 7
    expect(merged.items[1]).toEqual({ id: `k${n - 2}`, v: 0 });
  });

  it('wraps a throwing key function as MERGE_FAILED with the path', () => {
    const rules: IdentityRule[] = [
      {
        path: '/list',
        key: () => {
          throw new Error('boom');
        },
      },
    ];
    try {
      merge3({ list: [1] }, { list: [2] }, { list: [3] }, { rules });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'MERGE_FAILED', details: { path: '/list' } });
    }
  });
});

describe('merge3: inputs', () => {
  it('reports documents nested too deeply as MERGE_FAILED instead of overflowing', () => {
    const nest = (leaf: string) => {
      let doc: unknown = leaf;
      for (let i = 0; i < 50_000; i++) doc = { d: doc };
      return doc;
    };
    expect(() => merge3(nest('b'), nest('l'), nest('r'))).toThrow(expect.objectContaining({ code: 'MERGE_FAILED' }));
  });

  it('validates its options', () => {
    expect(() => merge3({}, {}, {}, null as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => merge3({}, {}, {}, { rules: 'x' as never })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('never mutates its inputs: all three frozen deeply, each side with edits of its own', () => {
    const base = op([param('limit'), param('offset', { description: 'skip' }), param('q')], { summary: 'Get', tags: ['pets'] });
    const local = op([param('limit', { description: 'mine' }), param('q'), param('mine')], {
      summary: 'Get one pet',
      tags: ['pets'],
      'x-note': 'mine',
    });
    const remote = op([param('offset', { description: 'skip n' }), param('limit'), param('q', { required: true }), param('theirs')], {
      summary: 'Get a pet',
      tags: ['pets', 'v2'],
    });
    const copies = structuredClone({ base, local, remote });
    deepFreeze(base);
    deepFreeze(local);
    deepFreeze(remote);

    const { merged, conflicts } = merge3(base, local, remote);
    expect({ base, local, remote }).toStrictEqual(copies);
    expect(conflicts).toStrictEqual([
      {
        path: '/paths/~1pets~1{id}/get/parameters/0',
        kind: 'deleted-vs-changed',
        base: param('offset', { description: 'skip' }),
        local: undefined,
        remote: param('offset', { description: 'skip n' }),
      },
      { path: '/paths/~1pets~1{id}/get/summary', kind: 'both-changed', base: 'Get', local: 'Get one pet', remote: 'Get a pet' },
    ]);
    expect(paramsOf(merged)).toStrictEqual([
      param('limit', { description: 'mine' }),
      param('q', { required: true }),
      param('mine'),
      param('theirs'),
    ]);
    expect((merged as typeof local).paths['/pets/{id}'].get).toMatchObject({
      summary: 'Get one pet',
      tags: ['pets', 'v2'],
      'x-note': 'mine',
    });

    // Without a base every key counts as added by both: the same inputs, untouched.
    merge3(undefined, local, remote);
    merge3(remote, local, base);
    expect({ base, local, remote }).toStrictEqual(copies);
  });

  it('keeps a __proto__ key as data', () => {
    const local = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const remote = JSON.parse('{"a": 2}') as Record<string, unknown>;
    const { merged } = merge3({ a: 1 }, local, remote);
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never reads inherited properties as members: keys named like Object.prototype’s', () => {
    const base = JSON.parse('{"a": 1}') as Record<string, unknown>;
    const local = JSON.parse('{"a": 1, "constructor": "mine", "toString": 1}') as Record<string, unknown>;
    const remote = JSON.parse('{"a": 2, "constructor": "theirs", "hasOwnProperty": null, "__proto__": "x"}') as Record<string, unknown>;
    const { merged, conflicts } = merge3(base, local, remote);
    // Both added `constructor`, differently: a both-added conflict, not a change to an inherited function.
    expect(conflicts).toEqual([{ path: '/constructor', kind: 'both-added', base: undefined, local: 'mine', remote: 'theirs' }]);
    expect(Object.entries(merged as object)).toEqual([
      ['a', 2],
      ['constructor', 'mine'],
      ['hasOwnProperty', null],
      ['__proto__', 'x'],
      ['toString', 1],
    ]);
    // Deleting such a key on one side deletes it.
    const again = merge3(local, JSON.parse('{"a": 1}'), local);
    expect(again).toEqual({ merged: { a: 1 }, conflicts: [] });
  });
});

describe('merge3: which object or array it returns', () => {
  it('returns local itself when the merge equals it key for key, in its key order', () => {
    const base = { a: 1, b: 1 };
    const local = { a: 2, b: 2 };
    const { merged } = merge3(base, local, { a: 2, b: 1 });
    expect(merged).toBe(local);
    // Same members in another order: a new object in remote's order.
    const reordered = { b: 2, a: 1 };
    const again = merge3(base, reordered, { a: 1, b: 1, c: 1 }).merged as Record<string, unknown>;
    expect(Object.keys(again)).toStrictEqual(['a', 'b', 'c']);
    const same = merge3({ a: 1, b: 1 }, { b: 2, a: 1 }, { a: 1, b: 1 }).merged as Record<string, unknown>;
    expect(same).not.toBe(reordered);
    expect(Object.keys(same)).toStrictEqual(['a', 'b']);
  });

  it('returns local itself, in its own key order, when remote is the base', () => {
    const base = { a: 1, b: 1 };
    const local = { b: 1, a: 2 };
    const { merged } = merge3(base, local, base);
    expect(merged).toBe(local);
    expect(Object.keys(merged)).toStrictEqual(['b', 'a']);
  });

  it('drops a member remote deleted even when every member left is local’s', () => {
    expect(merge3({ b: 1, x: 1 }, { b: 2, x: 1 }, { b: 1 }).merged).toStrictEqual({ b: 2 });
  });

  it('returns remote’s or local’s array itself when the element merge gives exactly its elements', () => {
    const [a, b, d] = [param('a'), param('b'), param('d')];
    const bx = param('b', { description: 'mine' });
    // Remote and local both deleted d; local changed b: local's array.
    const local = op([a, bx]);
    expect(paramsOf(merge3(op([a, b, d]), local, op([a, b])).merged)).toBe(paramsOf(local));
    // Both made the same change, remote added an element: remote's array.
    const remote = op([a, param('b', { description: 'same' }), d]);
    expect(paramsOf(merge3(op([a, b]), op([a, param('b', { description: 'same' })]), remote).merged)).toBe(paramsOf(remote));
  });

  it('keeps every element local added after the same one, in local order', () => {
    const base = op([param('a'), param('z')]);
    const local = op([param('a'), param('x'), param('y'), param('w'), param('z')]);
    const remote = op([param('z'), param('a', { required: true })]);
    expect(paramsOf(merge3(base, local, remote).merged)?.map((p) => p.name)).toStrictEqual(['z', 'a', 'x', 'y', 'w']);
  });
});

describe('merge3: shapes that do not match', () => {
  it('merges objects as whole values when the base is not an object', () => {
    for (const base of [5, 'text', [1], null]) {
      const { merged, conflicts } = merge3(base, { a: 1 }, { b: 2 });
      expect(merged).toStrictEqual({ a: 1 });
      expect(conflicts).toStrictEqual([{ path: '', kind: 'both-changed', base, local: { a: 1 }, remote: { b: 2 } }]);
    }
  });

  it('merges an identity array element by element only when both sides and the base are arrays', () => {
    const at = (parameters: unknown) => ({ paths: { '/x': { get: { parameters } } } });
    const whole = (base: unknown, local: unknown, remote: unknown) => {
      const { merged, conflicts } = merge3(at(base), at(local), at(remote));
      expect(conflicts).toMatchObject([{ path: '/paths/~1x/get/parameters', kind: 'both-changed' }]);
      expect(merged).toStrictEqual(at(local));
    };
    whole({ a: 1 }, [param('l')], [param('r')]);
    whole([param('b')], [param('l')], { r: 1 });
    whole([param('b')], { l: 1 }, [param('r')]);
    whole('text', [param('l')], [param('r')]);
    // Added on both sides (no base): element by element, no conflict.
    const added = merge3({ paths: {} }, at([param('l'), param('both')]), at([param('both'), param('r')]));
    expect(added.conflicts).toStrictEqual([]);
    expect(added.merged).toStrictEqual(at([param('l'), param('both'), param('r')]));
  });
});

describe('merge3: keys named __proto__', () => {
  it('deletes a __proto__ member local deleted, and writes one as a plain own member', () => {
    const base = JSON.parse('{"__proto__": 1, "a": 1}') as Record<string, unknown>;
    const remote = JSON.parse('{"__proto__": 1, "a": 2}') as Record<string, unknown>;
    const { merged } = merge3(base, { a: 1 }, remote);
    expect(Object.hasOwn(merged as object, '__proto__')).toBe(false);
    expect(merged).toStrictEqual({ a: 2 });

    const kept = merge3({ a: 1 }, JSON.parse('{"a": 1, "__proto__": {"x": 1}}'), { a: 2 }).merged as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(kept, '__proto__')).toStrictEqual({
      value: { x: 1 },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
  });
});

describe('merge3: errors', () => {
  it('names what it got instead of options', () => {
    const invalid = (got: string) =>
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(`got ${got}`),
        hint: expect.stringMatching(/\S/),
      });
    expect(() => merge3({}, {}, {}, 'rules' as never)).toThrow(invalid('string'));
    expect(() => merge3({}, {}, {}, null as never)).toThrow(invalid('null'));
    expect(() => merge3({}, {}, {}, [] as never)).toThrow(invalid('object'));
  });

  it('lets a library error from a key function through as it is', () => {
    const thrown = new ConfigError('from the key function');
    const rules: IdentityRule[] = [
      {
        path: '/list',
        key: () => {
          throw thrown;
        },
      },
    ];
    expect(() => merge3({ list: [1] }, { list: [2] }, { list: [3] }, { rules })).toThrow(thrown);
  });

  it('says where it failed and why, with a hint that depends on the failure', () => {
    const rules: IdentityRule[] = [
      {
        path: '/a/list',
        key: () => {
          throw new Error('boom');
        },
      },
    ];
    const caught = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error as { code: string; message: string; hint: string; cause: unknown; details: Record<string, unknown> };
      }
      throw new Error('did not throw');
    };
    const key = caught(() => merge3({ a: { list: [1] } }, { a: { list: [2] } }, { a: { list: [3] } }, { rules }));
    expect(key).toMatchObject({ code: 'MERGE_FAILED', details: { path: '/a/list' }, cause: expect.objectContaining({ message: 'boom' }) });
    expect(key.message).toContain('"/a/list"');
    expect(key.message).toContain('boom');
    const nest = (leaf: string) => {
      let doc: unknown = leaf;
      for (let i = 0; i < 50_000; i++) doc = { d: doc };
      return doc;
    };
    const tooDeep = caught(() => merge3(nest('b'), nest('l'), nest('r')));
    expect(tooDeep).toMatchObject({ code: 'MERGE_FAILED', cause: expect.any(RangeError) });
    expect(key.hint).toMatch(/\S/);
    expect(tooDeep.hint).toMatch(/\S/);
    expect(tooDeep.hint).not.toBe(key.hint);
  });
});
