import fastJsonPatch from 'fast-json-patch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPatch } from '../../src/json/patch.js';
import { propertyRuns } from '../support/mutation.js';

const apply = (doc: unknown, ops: ReturnType<typeof jsonPatch>): unknown =>
  fastJsonPatch.applyPatch(structuredClone(doc), structuredClone(ops) as fastJsonPatch.Operation[], true, true).newDocument;

/** A JSON value and a variant of it with some members changed, added or removed. */
const pair = fc
  .jsonValue({ maxDepth: 4 })
  .chain((a) => fc.tuple(fc.constant(a), fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(structuredClone(a)), mutated(a))));

function mutated(value: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(value)) {
    return fc.tuple(fc.nat(value.length), fc.jsonValue({ maxDepth: 2 }), fc.boolean()).map(([i, v, drop]) => {
      const copy = structuredClone(value);
      if (drop && copy.length > 0) copy.splice(i % copy.length, 1);
      else copy.splice(i, 0, v);
      return copy;
    });
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return fc
      .tuple(fc.oneof(fc.constantFrom(...(keys.length > 0 ? keys : ['k'])), fc.string()), fc.jsonValue({ maxDepth: 2 }), fc.boolean())
      .map(([key, v, drop]) => {
        const copy = structuredClone(value) as Record<string, unknown>;
        if (drop) delete copy[key];
        else copy[key] = v;
        return copy;
      });
  }
  return fc.jsonValue({ maxDepth: 2 });
}

/** Keys fast-json-patch refuses to apply (`__proto__`, `constructor/prototype`); rollback reports those as ROLLBACK_REFUSED. */
function hasBannedKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([key, child]) => key === '__proto__' || key === 'prototype' || key === 'constructor' || hasBannedKey(child),
  );
}

describe('jsonPatch', () => {
  it('turns from into to when applied in order, for any pair of JSON values', () => {
    fc.assert(
      fc.property(pair, ([from, to]) => {
        fc.pre(!hasBannedKey(from) && !hasBannedKey(to));
        expect(apply(from, jsonPatch(from, to))).toEqual(to);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('is empty for equal values, shared or not', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonPatch(value, value)).toEqual([]);
        expect(jsonPatch(value, structuredClone(value))).toEqual([]);
      }),
    );
  });

  it('never enters a subtree both sides share', () => {
    const untouchable = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('entered a shared subtree');
        },
        get: () => {
          throw new Error('entered a shared subtree');
        },
      },
    );
    const from = { big: untouchable, list: [untouchable, 1], name: 'a' };
    const to = { big: untouchable, list: [untouchable, 2], name: 'b', added: { x: 1 } };
    expect(jsonPatch(from, to)).toEqual([
      { op: 'replace', path: '/list/1', value: 2 },
      { op: 'replace', path: '/name', value: 'b' },
      { op: 'add', path: '/added', value: { x: 1 } },
    ]);
  });

  it('takes a member holding undefined as absent on either side, and an undefined element as null', () => {
    expect(jsonPatch({ a: 1, b: 1 }, { a: undefined, b: 1 })).toStrictEqual([{ op: 'remove', path: '/a' }]);
    expect(jsonPatch({ a: undefined }, { a: 1 })).toStrictEqual([{ op: 'add', path: '/a', value: 1 }]);
    expect(jsonPatch([1, 2], [undefined, 2])).toStrictEqual([{ op: 'replace', path: '/0', value: null }]);
    expect(jsonPatch([1], [1, undefined])).toStrictEqual([{ op: 'add', path: '/1', value: null }]);
  });

  it('reads own members only, and leaves NaN where it is NaN', () => {
    const inherited = Object.assign(Object.create({ fromPrototype: 1 }) as Record<string, unknown>, { own: 1 });
    expect(jsonPatch({ own: 1 }, inherited)).toStrictEqual([]);
    expect(jsonPatch(inherited, { own: 1 })).toStrictEqual([]);
    expect(jsonPatch({ n: Number.NaN }, { n: Number.NaN })).toStrictEqual([]);
    expect(jsonPatch({ n: Number.NaN }, { n: 1 })).toStrictEqual([{ op: 'replace', path: '/n', value: 1 }]);
    expect(jsonPatch({ n: 'NaN' }, { n: Number.NaN })).toStrictEqual([{ op: 'replace', path: '/n', value: Number.NaN }]);
  });

  it('escapes keys, drops undefined members, and replaces the root when the kinds differ', () => {
    expect(jsonPatch({ 'a/b': 1, 'c~d': 1, gone: undefined }, { 'a/b': 2, 'c~d': 1, also: undefined })).toEqual([
      { op: 'replace', path: '/a~1b', value: 2 },
    ]);
    expect(jsonPatch([1], { 0: 1 })).toEqual([{ op: 'replace', path: '', value: { 0: 1 } }]);
    expect(jsonPatch(1, 2)).toEqual([{ op: 'replace', path: '', value: 2 }]);
    expect(jsonPatch([1, 2, 3], [1])).toEqual([
      { op: 'remove', path: '/2' },
      { op: 'remove', path: '/1' },
    ]);
  });
});
