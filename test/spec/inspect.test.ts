import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspectTree, iterativeInspect, type InspectOptions } from '../../src/spec/inspect.js';

/** Keys that change how `$ref` is judged (named maps, free-form keywords, example objects), and plain ones. */
const keys = fc.constantFrom('$ref', 'paths', 'schemas', 'properties', 'examples', 'example', 'value', 'default', 'enum', 'x-extra', 'content', 'items', 'a', 'b', '__proto__');
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
    const copy = inspectTree({ a: shared, b: shared, gone: undefined, list: [undefined, () => 1], when: new Date(0) }, { maxDepth: 256, allowRemoteRefs: false, clone: true, where: '' }) as Record<string, unknown>;
    expect(copy).toEqual({ a: { type: 'string' }, b: { type: 'string' }, list: [null, null], when: '1970-01-01T00:00:00.000Z' });
    expect(copy.a).not.toBe(shared);
  });
});
