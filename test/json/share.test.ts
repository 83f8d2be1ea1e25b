/**
 * `shareUnchanged` (src/json/freeze.ts): `next` takes every subtree it has
 * in common with a deep-frozen `base` (same place, same keys in the same
 * order, same items, same primitives), in place, and is otherwise unchanged.
 * Properties over random JSON trees, plus unit cases for the edges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze, isFrozenTree, shareUnchanged } from '../../src/json/freeze.js';
import { propertyRuns } from '../support/mutation.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Record<string, unknown> | unknown[];

const isContainer = (value: unknown): value is Container => value !== null && typeof value === 'object';
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Set an own data property, also for `__proto__` (which `=` would treat as the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Child entries of a container: array indexes or own keys. */
function entriesOf(node: Container): Array<[string, unknown]> {
  return Array.isArray(node) ? node.map((v, i) => [String(i), v] as [string, unknown]) : Object.entries(node);
}

/** Every container of a tree with its path (JSON of the key list), root first. */
function containers(root: unknown): Array<{ node: Container; path: string[] }> {
  const out: Array<{ node: Container; path: string[] }> = [];
  const walk = (value: unknown, path: string[]): void => {
    if (!isContainer(value)) return;
    out.push({ node: value, path });
    for (const [key, child] of entriesOf(value)) walk(child, [...path, key]);
  };
  walk(root, []);
  return out;
}

/** Whether a tree has an own `__proto__` key anywhere (such members are never shared). */
function hasProtoKey(value: unknown): boolean {
  return containers(value).some(({ node }) => !Array.isArray(node) && Object.hasOwn(node, '__proto__'));
}

// ---------------------------------------------------------------- arbitraries

/** Mostly a few keys, so that random trees overlap; some awkward ones too. */
const key = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'length', '0', '1', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
);

const { tree } = fc.letrec<{ tree: Json; leaf: Json; array: Json; object: Json }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(
    fc.constantFrom<Json>(null, true, false, 0, 1, 'x', 'y', ''),
    fc.integer({ min: -1000, max: 1000 }),
    fc.string({ maxLength: 4 }),
  ),
  array: fc.array(tie('tree'), { maxLength: 4 }),
  // Object.fromEntries defines `__proto__` as an own key, like JSON.parse.
  object: fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map((entries) => Object.fromEntries(entries) as Json),
}));

/** A tree whose root is an object or array (the interesting case). */
const containerTree = fc.oneof(
  fc.array(tree, { minLength: 1, maxLength: 4 }) as fc.Arbitrary<Json>,
  fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 5 }).map((entries) => Object.fromEntries(entries) as Json),
);

type EditKind = 'set' | 'add' | 'remove' | 'reorder' | 'retype' | 'replaceRoot';
interface Edit {
  kind: EditKind;
  pick: number;
  key: string;
  value: Json;
}
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom<EditKind>('set', 'set', 'add', 'add', 'remove', 'remove', 'reorder', 'reorder', 'retype', 'replaceRoot'),
  pick: fc.nat(),
  key,
  value: tree,
});

/**
 * Apply an edit to a (private, unfrozen) tree somewhere in it: change a
 * leaf or member, add or remove a key or item (array length changes),
 * reorder keys or items, turn an object into an array or back.
 */
function applyEdit(root: Json, e: Edit): Json {
  if (e.kind === 'replaceRoot') return e.value;
  const all = containers(root);
  if (all.length === 0) return e.value;
  const { node } = all[e.pick % all.length]!;
  if (Array.isArray(node)) {
    const at = node.length === 0 ? 0 : e.pick % node.length;
    switch (e.kind) {
      case 'set':
        if (node.length === 0) node.push(e.value);
        else node[at] = e.value;
        break;
      case 'add':
        node.splice(e.pick % (node.length + 1), 0, e.value);
        break;
      case 'remove':
        node.splice(at, 1);
        break;
      case 'reorder':
        if (node.length > 1 && node.every((v, i) => JSON.stringify(v) === JSON.stringify(node[(i + 1) % node.length]))) node.push(e.value);
        else node.reverse();
        break;
      case 'retype': {
        const child = node[at];
        if (isContainer(child))
          node[at] = Array.isArray(child) ? Object.fromEntries(child.map((v, i) => [String(i), v])) : Object.values(child);
        else node.length = Math.max(0, node.length - 1);
        break;
      }
    }
    return root;
  }
  const keys = Object.keys(node);
  const existing = keys.length === 0 ? undefined : keys[e.pick % keys.length];
  switch (e.kind) {
    case 'set':
      put(node, existing ?? e.key, e.value);
      break;
    case 'add':
      put(node, e.key, e.value);
      break;
    case 'remove':
      if (existing !== undefined) delete node[existing];
      else put(node, e.key, e.value);
      break;
    case 'reorder': {
      const entries = Object.entries(node);
      for (const [k] of entries) delete node[k];
      // Rotate by one (integer-like keys keep their own order: that is JS, not a change).
      const rotated = entries.length > 1 ? [...entries.slice(1), entries[0]!] : entries;
      for (const [k, v] of rotated) put(node, k, v);
      if (entries.length <= 1) put(node, e.key, e.value);
      break;
    }
    case 'retype': {
      const child = existing === undefined ? undefined : node[existing];
      if (existing !== undefined && isContainer(child))
        put(node, existing, Array.isArray(child) ? Object.fromEntries(child.map((v, i) => [String(i), v])) : Object.values(child));
      else put(node, e.key, []);
      break;
    }
  }
  return root;
}

// ---------------------------------------------------------------- the check

/**
 * Share `next` with `deepFreeze(base)` and check everything the contract
 * promises; returns the result.
 */
function checkShare(base: Json, next: Json): unknown {
  const frozen = deepFreeze(base);
  const baseText = JSON.stringify(base);
  const nextText = JSON.stringify(next);
  const basePaths = new Map<object, string[]>();
  for (const { node, path } of containers(base)) {
    const list = basePaths.get(node) ?? [];
    list.push(JSON.stringify(path));
    basePaths.set(node, list);
  }
  const nextObjects = new Set<object>(containers(next).map(({ node }) => node));

  const out = shareUnchanged(frozen, next);

  // Same content as next had, key order included; base untouched.
  expect(JSON.stringify(out)).toBe(nextText);
  expect(JSON.stringify(base)).toBe(baseText);
  // Equal throughout: base itself (unless a `__proto__` key stops the sharing).
  if (baseText === nextText && isContainer(base) && !hasProtoKey(next)) expect(out === base).toBe(true);
  if (!isContainer(next)) expect(out === next).toBe(true);
  if (out !== base) expect(out === next).toBe(true);

  for (const { node, path } of containers(out)) {
    const at = basePaths.get(node);
    if (at !== undefined) {
      // Came from base: at the same place, and frozen.
      expect(at).toContain(JSON.stringify(path));
      expect(Object.isFrozen(node)).toBe(true);
    } else {
      // Otherwise it is one of next's own objects, never a new one.
      expect(nextObjects.has(node)).toBe(true);
      expect(Object.isFrozen(node)).toBe(false);
    }
  }

  // Maximal: every subtree of out equal to base's at the same place is base's.
  const maximal = (o: unknown, b: unknown, path: string[]): void => {
    if (!isContainer(o) || !isContainer(b) || Array.isArray(o) !== Array.isArray(b)) return;
    if (JSON.stringify(o) === JSON.stringify(b) && !hasProtoKey(o)) {
      expect({ path, same: o === b }).toEqual({ path, same: true });
      return;
    }
    if (Array.isArray(o)) {
      const bs = b as unknown[];
      o.forEach((child, i) => {
        if (i < bs.length) maximal(child, bs[i], [...path, String(i)]);
      });
    } else {
      for (const [k, child] of Object.entries(o)) {
        if (k !== '__proto__' && Object.hasOwn(b, k)) maximal(child, (b as Record<string, unknown>)[k], [...path, k]);
      }
    }
  };
  maximal(out, base, []);

  // Freezing the result makes it a deep-frozen tree.
  const refrozen = deepFreeze(out);
  expect(refrozen).toBe(out);
  if (isContainer(out)) {
    expect(isFrozenTree(out)).toBe(true);
    for (const { node } of containers(out)) expect(Object.isFrozen(node)).toBe(true);
  }
  expect(JSON.stringify(out)).toBe(nextText);
  return out;
}

describe('shareUnchanged: properties over random JSON trees', () => {
  it('independent trees (fc.jsonValue)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }), (base, next) => {
        checkShare(copy(base) as Json, copy(next) as Json);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('independent trees over a small key set (much overlap)', () => {
    fc.assert(
      fc.property(tree, tree, (base, next) => {
        checkShare(copy(base), copy(next));
      }),
      { numRuns: propertyRuns(400) },
    );
  });

  it('an equal deep copy gives base itself', () => {
    fc.assert(
      fc.property(containerTree, (base) => {
        const out = checkShare(base, copy(base));
        if (!hasProtoKey(base)) expect(out).toBe(base);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('a mutated deep copy (leaf changed, key added/removed, keys reordered, array length changed, type changed)', () => {
    fc.assert(
      fc.property(containerTree, fc.array(edit, { minLength: 1, maxLength: 3 }), (base, edits) => {
        let next = copy(base);
        for (const e of edits) next = applyEdit(next, e);
        checkShare(base, next);
      }),
      { numRuns: propertyRuns(600) },
    );
  });

  it('a single edit in a copy: every untouched root member is the one of base', () => {
    fc.assert(
      fc.property(containerTree, edit, (base, e) => {
        const next = applyEdit(copy(base), { ...e, kind: e.kind === 'replaceRoot' ? 'set' : e.kind });
        const out = checkShare(base, next);
        // The root is base's or next's; each root member with unchanged text (and no `__proto__` key) is base's.
        expect(out === base || out === next).toBe(true);
        if (isContainer(out) && isContainer(base) && Array.isArray(out) === Array.isArray(base)) {
          for (const [k, child] of entriesOf(out)) {
            const old = Object.hasOwn(base, k) && k !== '__proto__' ? (base as Record<string, unknown>)[k] : undefined;
            if (isContainer(child) && isContainer(old) && JSON.stringify(child) === JSON.stringify(old) && !hasProtoKey(child))
              expect(child).toBe(old);
          }
        }
      }),
      { numRuns: propertyRuns(400) },
    );
  });

  it('sharing twice in a row (base → v2 → v3) keeps every guarantee', () => {
    fc.assert(
      fc.property(
        containerTree,
        fc.array(edit, { minLength: 1, maxLength: 2 }),
        fc.array(edit, { minLength: 1, maxLength: 2 }),
        (base, first, second) => {
          let v2 = copy(base);
          for (const e of first) v2 = applyEdit(v2, e);
          const shared = checkShare(base, v2) as Json; // deep-frozen afterwards
          let v3 = copy(shared);
          for (const e of second) v3 = applyEdit(v3, e);
          checkShare(shared, v3);
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe('shareUnchanged: edge cases', () => {
  it('returns next untouched when base is not a deep-frozen tree', () => {
    const base = { a: { b: 1 }, c: [1, 2] };
    const next = { a: { b: 1 }, c: [1, 2] };
    const { a, c } = next;
    expect(shareUnchanged(base, next)).toBe(next);
    expect(next.a).toBe(a);
    expect(next.c).toBe(c);
    expect(Object.isFrozen(next)).toBe(false);

    // Frozen by Object.freeze (even all the way down) is not enough: only deepFreeze registers a tree.
    const shallow = Object.freeze({ a: Object.freeze({ b: 1 }), c: Object.freeze([1, 2]) });
    const next2 = { a: { b: 1 }, c: [1, 2] };
    const a2 = next2.a;
    expect(shareUnchanged(shallow, next2)).toBe(next2);
    expect(next2.a).toBe(a2);

    // Primitive or null base or next.
    expect(shareUnchanged(deepFreeze(null), next)).toBe(next);
    expect(shareUnchanged(deepFreeze(3), next)).toBe(next);
    expect(shareUnchanged(deepFreeze({ a: 1 }), 5)).toBe(5);
    expect(shareUnchanged(deepFreeze({ a: 1 }), null)).toBe(null);
    expect(shareUnchanged(deepFreeze({ a: 1 }), 'a')).toBe('a');
  });

  it('returns base itself for an equal tree and shares the equal parts of a changed one', () => {
    const base = deepFreeze({ a: { b: [1, { c: 2 }] }, d: { e: 'x' }, f: [{ g: 1 }] });
    expect(shareUnchanged(base, { a: { b: [1, { c: 2 }] }, d: { e: 'x' }, f: [{ g: 1 }] })).toBe(base);
    const next = { a: { b: [1, { c: 3 }] }, d: { e: 'x' }, f: [{ g: 1 }, { g: 2 }] };
    const out = shareUnchanged(base, next);
    expect(out).toBe(next);
    expect(out.d).toBe(base.d);
    expect(out.a).not.toBe(base.a);
    expect(out.a.b[1]).not.toBe(base.a.b[1]);
    expect(out.f).not.toBe(base.f);
    expect(out.f[0]).toBe(base.f[0]);
    expect(Object.isFrozen(out)).toBe(false);
    expect(Object.isFrozen(out.a)).toBe(false);
  });

  it('does not share objects whose keys are in another order, but shares their members', () => {
    const base = deepFreeze({ a: { x: 1, y: { z: 1 } } });
    const next = { a: { y: { z: 1 }, x: 1 } };
    const out = shareUnchanged(base, next);
    expect(out).toBe(next);
    expect(out.a).not.toBe(base.a);
    expect(Object.keys(out.a)).toEqual(['y', 'x']);
    expect(out.a.y).toBe(base.a.y);
  });

  it('leaves a frozen next (or a frozen part of next) as it is', () => {
    const base = deepFreeze({ a: { b: 1 }, c: { d: 2 } });
    const frozenNext = Object.freeze({ a: Object.freeze({ b: 1 }), c: Object.freeze({ d: 2 }) });
    const { a, c } = frozenNext;
    expect(shareUnchanged(base, frozenNext)).toBe(frozenNext);
    expect(frozenNext.a).toBe(a);
    expect(frozenNext.c).toBe(c);

    const deepNext = deepFreeze({ a: { b: 1 }, c: { d: 2 } });
    expect(shareUnchanged(base, deepNext)).toBe(deepNext);
    expect(deepNext.a).not.toBe(base.a);

    const partly = { a: Object.freeze({ b: 1 }), c: { d: 2 } };
    const frozenPart = partly.a;
    const out = shareUnchanged(base, partly);
    expect(out).toBe(partly);
    expect(out.a).toBe(frozenPart);
    expect(out.c).toBe(base.c);
  });

  it('keeps a `__proto__` own key as next’s own member and the prototype unchanged', () => {
    const text = '{"__proto__": {"a": 1}, "b": {"c": 2}}';
    const base = deepFreeze(JSON.parse(text) as Record<string, unknown>);
    const next = JSON.parse(text) as Record<string, unknown>;
    const member = Object.getOwnPropertyDescriptor(next, '__proto__')?.value as unknown;
    expect(member).toEqual({ a: 1 });
    const out = shareUnchanged(base, next);
    expect(out).toBe(next);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(member);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).not.toBe(Object.getOwnPropertyDescriptor(base, '__proto__')?.value);
    expect(out.b).toBe(base.b);
    expect(JSON.stringify(out)).toBe(JSON.stringify(JSON.parse(text)));

    // Nested, and the only key: nothing is shared, nothing is set as a prototype.
    const nested = '{"x": {"__proto__": {"polluted": true}}, "y": [1]}';
    const base2 = deepFreeze(JSON.parse(nested) as Record<string, Record<string, unknown>>);
    const next2 = JSON.parse(nested) as Record<string, Record<string, unknown>>;
    const x = next2.x!;
    const out2 = shareUnchanged(base2, next2);
    expect(out2).toBe(next2);
    expect(out2.x).toBe(x);
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    expect((x as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(out2.y).toBe(base2.y);
    deepFreeze(out2);
    expect(Object.isFrozen(x)).toBe(true);
  });

  it('does not share between an array and an object at the same place', () => {
    const base = deepFreeze({ a: ['x', 'y'], b: { 0: 'x', 1: 'y' }, c: [] as unknown[], d: {} });
    const next = { a: { 0: 'x', 1: 'y' }, b: ['x', 'y'], c: {}, d: [] as unknown[] };
    const { a, b, c, d } = next;
    const out = shareUnchanged(base, next);
    expect(out).toBe(next);
    expect(out.a).toBe(a);
    expect(out.b).toBe(b);
    expect(out.c).toBe(c);
    expect(out.d).toBe(d);
    expect(Array.isArray(out.a)).toBe(false);
    expect(Array.isArray(out.b)).toBe(true);

    // At the root too.
    const rootNext = { 0: 'x', 1: 'y' };
    expect(shareUnchanged(deepFreeze(['x', 'y']), rootNext)).toBe(rootNext);
    const arrayNext = ['x', 'y'];
    expect(shareUnchanged(deepFreeze({ 0: 'x', 1: 'y' }), arrayNext)).toBe(arrayNext);
  });

  it('tells null, missing members, array lengths and primitive types apart', () => {
    const base = deepFreeze({ a: { v: null }, b: { v: 1 }, c: [1, 2], d: { v: '1' }, e: { v: {} } });
    const next = { a: { v: 0 }, b: { v: '1' }, c: [1, 2, 3], d: { w: '1' }, e: { v: null } };
    const before = JSON.stringify(next);
    const out = shareUnchanged(base, next);
    expect(JSON.stringify(out)).toBe(before);
    expect(out.a).not.toBe(base.a);
    expect(out.b).not.toBe(base.b);
    expect(out.c).not.toBe(base.c);
    expect(out.d).not.toBe(base.d);
    expect(out.e).not.toBe(base.e);
    expect(out).toBe(next);
  });

  it('shares an unchanged subtree while its parent is replaced by another parent at the same place only', () => {
    // The same content elsewhere in base is not taken: only the same place counts.
    const base = deepFreeze({ a: { k: 1 }, b: { k: 2 } });
    const next = { a: { k: 2 }, b: { k: 1 } };
    const out = shareUnchanged(base, next);
    expect(out.a).not.toBe(base.b);
    expect(out.b).not.toBe(base.a);
    expect(out.a).not.toBe(base.a);
    expect(JSON.stringify(out)).toBe('{"a":{"k":2},"b":{"k":1}}');
  });
});

describe('shareUnchanged: what it records and how deep it goes', () => {
  it('records each shared part as a frozen tree of its own, so the next share and walk skip it', () => {
    const base = deepFreeze({ kept: { deep: { x: 1 } }, list: [{ y: 1 }, 2], changed: 1 });
    const next = shareUnchanged(base, { kept: { deep: { x: 1 } }, list: [{ y: 1 }, 3], changed: 2 });
    expect(next.kept).toBe(base.kept);
    expect(isFrozenTree(next.kept)).toBe(true);
    expect(next.list[0]).toBe(base.list[0]);
    expect(isFrozenTree(next.list[0])).toBe(true);
    expect(isFrozenTree(next)).toBe(false);
    expect(isFrozenTree(next.list)).toBe(false);
    // A shared part can itself be the base of a next share.
    const again = { deep: { x: 1 } };
    expect(shareUnchanged(next.kept, again)).toBe(base.kept);
  });

  it('shares down to 512 levels, and leaves what lies deeper as it is', () => {
    const nest = (levels: number): Record<string, unknown> => {
      let doc: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < levels; i++) doc = { d: doc };
      return doc;
    };
    const base = deepFreeze(nest(512));
    expect(shareUnchanged(base, nest(512))).toBe(base);
    const deeper = deepFreeze(nest(513));
    const next = nest(513);
    expect(shareUnchanged(deeper, next)).toBe(next);
  });

  it('takes a member holding undefined on both sides as the same', () => {
    const base = deepFreeze({ a: undefined, b: 1 });
    expect(shareUnchanged(base, { a: undefined, b: 1 })).toBe(base);
  });

  it('tells a hole in base from an undefined element in next', () => {
    const base = deepFreeze([1, , 3]);
    const next = [1, undefined, 3];
    expect(shareUnchanged(base, next)).toBe(next);
    expect(isFrozenTree('text')).toBe(false);
    expect(isFrozenTree(null)).toBe(false);
  });
});
