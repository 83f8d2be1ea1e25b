import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from '../../src/spec/index.js';

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
