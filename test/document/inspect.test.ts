import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/json/freeze.js';
import { inspectTree, iterativeInspect, type InspectOptions } from '../../src/document/inspect.js';

/** Keys that change how `$ref` is judged (named maps, free-form keywords, example objects), and plain ones. */
const keys = fc.constantFrom(
  '$ref',
  'paths',
  'schemas',
  'properties',
  'examples',
  'example',
  'value',
  'default',
  'enum',
  'x-extra',
  'content',
  'items',
  'a',
  'b',
  '__proto__',
);
const refs = fc.constantFrom('#/components/schemas/Pet', 'other.yaml#/Pet', 'https://example.com/pet.json', '', '#');
const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), refs);
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 4 }),
  object: fc.dictionary(keys, tie('node'), { maxKeys: 5 }),
})).object;

function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
}

describe('inspectTree: the recursive fast path against the iterative one', () => {
  it('copies, refuses and reports exactly as the iterative walk does, for any tree', () => {
    fc.assert(
      fc.property(tree, fc.boolean(), fc.boolean(), (doc, allowRemoteRefs, clone) => {
        const options: InspectOptions = { maxDepth: 256, allowRemoteRefs, clone, where: ' from test' };
        expect(outcome(() => inspectTree(doc, options))).toEqual(outcome(() => iterativeInspect(doc, options)));
      }),
      { numRuns: 1000 },
    );
  });

  it('hands deep nesting, cycles and BigInts to the iterative walk for its exact message', () => {
    const options: InspectOptions = { maxDepth: 20, allowRemoteRefs: false, clone: true, where: '' };
    let deep: unknown = { leaf: true };
    for (let i = 0; i < 30; i++) deep = { next: deep };
    expect(() => inspectTree(deep, options)).toThrow(expect.objectContaining({ code: 'SPEC_TOO_DEEP' }));
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).back = cyclic;
    expect(() => inspectTree(cyclic, { ...options, maxDepth: 256 })).toThrow(/contains a cycle: #\/a\/back contains itself/);
    expect(() => inspectTree({ n: 1n }, options)).toThrow(/BigInt at #\/n/);
    // Deeper than the fast path's own limit but allowed: the iterative walk copies it.
    let veryDeep: unknown = 1;
    for (let i = 0; i < 1000; i++) veryDeep = [veryDeep];
    expect(inspectTree(veryDeep, { ...options, maxDepth: 5000 })).toEqual(veryDeep);
  });

  it('keeps a shared object in both places and drops what JSON drops', () => {
    const shared = { type: 'string' };
    const copy = inspectTree(
      { a: shared, b: shared, gone: undefined, list: [undefined, () => 1], when: new Date(0) },
      { maxDepth: 256, allowRemoteRefs: false, clone: true, where: '' },
    ) as Record<string, unknown>;
    expect(copy).toEqual({ a: { type: 'string' }, b: { type: 'string' }, list: [null, null], when: '1970-01-01T00:00:00.000Z' });
    expect(copy.a).not.toBe(shared);
  });
});

/** `base` with the value at the path picked by `steps` replaced by `other` (a variant that mostly equals it). */
function variant(base: unknown, other: unknown, steps: number[]): unknown {
  const copy = structuredClone(base);
  let parent: Record<string, unknown> | undefined;
  let key: string | undefined;
  let node: unknown = copy;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') break;
    const names = Object.keys(node);
    if (names.length === 0) break;
    parent = node as Record<string, unknown>;
    key = names[step % names.length] as string;
    node = parent[key];
  }
  if (parent === undefined || key === undefined) return other;
  Object.defineProperty(parent, key, { value: other, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Every object of `value` that is frozen is the object at the same place in `mirror`. */
function frozenOnlyFromMirror(value: unknown, mirror: unknown): void {
  if (value === null || typeof value !== 'object') return;
  if (Object.isFrozen(value)) {
    expect(value).toBe(mirror);
    return;
  }
  for (const key of Object.keys(value)) {
    const there =
      mirror !== null && typeof mirror === 'object' && Object.hasOwn(mirror, key) ? (mirror as Record<string, unknown>)[key] : undefined;
    frozenOnlyFromMirror((value as Record<string, unknown>)[key], there);
  }
}

/** Whether any object of `value` is one of `of`'s. */
function sharesWith(value: unknown, of: Set<object>): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (of.has(value)) return true;
  return Object.values(value).some((child) => sharesWith(child, of));
}

function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (value !== null && typeof value === 'object') {
    into.add(value);
    for (const child of Object.values(value)) objectsOf(child, into);
  }
  return into;
}

describe('inspectTree: sharing with the document loaded before', () => {
  const variants = fc.tuple(tree, tree, fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), fc.boolean());

  it('gives the same document as without sharing, taking only equal parts at the same place from the frozen tree', () => {
    fc.assert(
      fc.property(variants, ([before, other, steps, allowRemoteRefs, clone]) => {
        const mirror = deepFreeze(structuredClone(before));
        const doc = variant(before, other, steps);
        const options: InspectOptions = { maxDepth: 256, allowRemoteRefs, clone, where: '' };
        const plain = outcome(() => inspectTree(structuredClone(doc), options)) as { value?: unknown };
        const input = structuredClone(doc);
        const shared = outcome(() => inspectTree(input, { ...options, share: mirror })) as { value?: unknown };
        if (!('value' in plain)) {
          expect(shared).toEqual(plain);
          return;
        }
        expect(JSON.stringify(shared.value)).toBe(JSON.stringify(plain.value));
        frozenOnlyFromMirror(shared.value, mirror);
        if (clone) expect(sharesWith(shared.value, objectsOf(input))).toBe(false);
        // Equal throughout: the frozen tree itself (a `__proto__` member is never shared, so not above one).
        const text = JSON.stringify(doc);
        if (text === JSON.stringify(before) && !text.includes('"__proto__"') && typeof doc === 'object' && doc !== null)
          expect(shared.value).toBe(mirror);
      }),
      { numRuns: 1000 },
    );
  });

  it('shares nothing with a tree that is not frozen, and never changes a frozen input', () => {
    const before = { paths: { '/a': { get: { responses: {} } } }, info: { title: 'x' } };
    const copy = inspectTree(structuredClone(before), {
      maxDepth: 256,
      allowRemoteRefs: false,
      clone: true,
      where: '',
      share: before,
    }) as typeof before;
    expect(copy.paths).not.toBe(before.paths);
    const frozenInput = deepFreeze(structuredClone(before));
    const mirror = deepFreeze(structuredClone(before));
    expect(inspectTree(frozenInput, { maxDepth: 256, allowRemoteRefs: false, clone: false, where: '', share: mirror })).toBe(mirror);
    const changed = deepFreeze({ ...structuredClone(before), info: { title: 'y' } });
    const out = inspectTree(changed, { maxDepth: 256, allowRemoteRefs: false, clone: false, where: '', share: mirror }) as typeof before;
    expect(out).toBe(changed);
    expect(out.paths).not.toBe(mirror.paths);
  });
});
