import { describe, expect, it } from 'vitest';
import { jsonEqual } from '../../src/json/index.js';

describe('jsonEqual', () => {
  it('compares objects by key regardless of order, arrays by position', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
  });

  it('never takes a primitive for an object or an array for an object', () => {
    expect(jsonEqual('ab', { 0: 'a', 1: 'b' })).toBe(false);
    expect(jsonEqual({ 0: 'a', 1: 'b' }, 'ab')).toBe(false);
    expect(jsonEqual(1, {})).toBe(false);
    expect(jsonEqual({}, 1)).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({}, null)).toBe(false);
    expect(jsonEqual(['a'], { 0: 'a' })).toBe(false);
    expect(jsonEqual({ 0: 'a' }, ['a'])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
  });
});
