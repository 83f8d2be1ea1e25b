import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from '../../src/json/index.js';

/** A plain reference: sorted keys by code unit (an object cannot be the reference: JS orders integer-like keys first). */
const reference = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(reference).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

describe('canonicalJson', () => {
  it('sorts keys at every level and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('matches JSON.stringify for undefined, functions, dates and non-finite numbers', () => {
    const value = { a: undefined, b: () => 1, c: [undefined, Number.NaN, Infinity], d: new Date(0), e: null };
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('handles any depth without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const text = canonicalJson(deep);
    expect(text.length).toBe(200_001);
    expect(text.startsWith('[[[')).toBe(true);
  });

  it('refuses cycles, but allows the same object in two places', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });
});

describe('canonicalHash', () => {
  it('is equal for equal data in any key order and different for different data', () => {
    expect(canonicalHash({ a: 1, b: [1, 2] })).toBe(canonicalHash({ b: [1, 2], a: 1 }));
    expect(canonicalHash({ a: 1, b: [1, 2] })).not.toBe(canonicalHash({ a: 1, b: [2, 1] }));
    expect(canonicalHash({ a: '1' })).not.toBe(canonicalHash({ a: 1 }));
    expect(canonicalHash({})).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('canonicalJson, fast path against a reference', () => {
  it('equals a plain reference implementation for any JSON value', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 300 },
    );
  });

  it('hashes exactly the canonical text, on every path', async () => {
    const { createHash } = await import('node:crypto');
    const fc = await import('fast-check');
    const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalHash(value)).toBe(sha(reference(value)));
      }),
      { numRuns: 300 },
    );
    // Long enough to flush many chunks, with strings that need escaping and keys out of order.
    const big = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`k${(i * 7919) % 5000}`, { z: `"é\u2028${i}`, a: [i, null, true] }]),
    );
    expect(canonicalHash(big)).toBe(sha(reference(big)));
    const odd = { a: undefined, b: () => 1, c: [undefined, Number.NaN, Infinity], d: new Date(0), e: { toJSON: () => undefined } };
    expect(canonicalHash(odd)).toBe(sha(canonicalJson(odd)));
    expect(canonicalHash(undefined)).toBe(sha('null'));
    let deep: unknown = { b: 1, a: 2 };
    for (let i = 0; i < 2000; i++) deep = [deep];
    expect(canonicalHash(deep)).toBe(sha(canonicalJson(deep)));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { cyclic };
    expect(() => canonicalHash(cyclic)).toThrow(TypeError);
    expect(() => canonicalHash({ n: 1n })).toThrow(TypeError);
  });

  it('gives the same text on the deep (iterative) path as on the fast path', () => {
    let deep: unknown = { b: [1, { z: 'x', a: null }], a: 'é\u2028' };
    const shallow = canonicalJson(deep);
    for (let i = 0; i < 2000; i++) deep = [deep];
    expect(canonicalJson(deep)).toBe(`${'['.repeat(2000)}${shallow}${']'.repeat(2000)}`);
  });
});

describe('canonicalHash of frozen trees (texts kept per part)', () => {
  it('hashes a frozen tree, again and again, and every version sharing parts with it, exactly as its plain copy', async () => {
    const { createHash } = await import('node:crypto');
    const fc = await import('fast-check');
    const { deepFreeze, shareUnchanged } = await import('../../src/json/freeze.js');
    const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
    // Four levels of objects so that parts sit at the depth whose texts are kept, and deeper.
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const node = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), tie('array')),
      object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'paths', 'get', 'x'), tie('value'), { maxKeys: 4 }),
      array: fc.array(tie('value'), { maxLength: 3 }),
    })).object;
    fc.assert(
      fc.property(node, node, fc.constantFrom('a', 'b', 'c', 'paths', 'get', 'x'), (first, other, key) => {
        const v1 = deepFreeze(structuredClone({ paths: { p: { get: first } }, components: { schemas: { S: first, T: other } } }));
        expect(canonicalHash(v1)).toBe(sha(reference(v1)));
        expect(canonicalHash(v1)).toBe(sha(reference(v1)));
        // A new version: one part changed, the rest shared with v1's frozen objects.
        const next = structuredClone(v1) as {
          paths: { p: { get: Record<string, unknown> } };
          components: { schemas: Record<string, unknown> };
        };
        next.paths.p.get = { ...next.paths.p.get, [key]: other };
        const v2 = deepFreeze(shareUnchanged(v1, next));
        expect(canonicalHash(v2)).toBe(sha(reference(structuredClone(v2))));
        expect(canonicalHash(v1)).toBe(sha(reference(v1)));
      }),
      { numRuns: 300 },
    );
  });

  it("hashes GitHub's next release, sharing and frozen, as its plain copy", async () => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { npmFixture } = await import('../support/npm-fixtures.js');
    const { deepFreeze, shareUnchanged } = await import('../../src/json/freeze.js');
    const text = async (version: string) =>
      readFile(join(await npmFixture('@octokit/openapi', version), 'generated/api.github.com.json'), 'utf8');
    const [older, newer] = await Promise.all([text('23.0.0'), text('23.0.1')]);
    const v1 = deepFreeze(JSON.parse(older) as object);
    expect(canonicalHash(v1)).toBe(canonicalHash(JSON.parse(older)));
    const v2 = deepFreeze(shareUnchanged(v1, JSON.parse(newer) as object));
    expect((v2 as { components: unknown }).components).toBe((v1 as { components: unknown }).components);
    expect(canonicalHash(v2)).toBe(canonicalHash(JSON.parse(newer)));
    expect(canonicalHash(v2)).not.toBe(canonicalHash(v1));
  }, 60_000);

  it('keeps no text for a tree frozen only at the top: a changed part changes the hash', () => {
    const child = { get: { summary: 'a', responses: {} } };
    const doc = Object.freeze({ paths: Object.freeze({ '/a': child }) });
    const before = canonicalHash(doc);
    child.get.summary = 'b';
    expect(canonicalHash(doc)).not.toBe(before);
    expect(canonicalHash(doc)).toBe(canonicalHash(structuredClone(doc)));
  });
});
