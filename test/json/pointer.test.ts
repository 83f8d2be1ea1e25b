import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  compileSegmentPattern,
  compileWildcard,
  escapePointer,
  formatPointer,
  matchPointerPattern,
  matchSegments,
  parsePointer,
  tryParsePointer,
  unescapePointer,
  valueAtSegments,
} from '../../src/json/index.js';

describe('JSON Pointer helpers', () => {
  it('escapes ~ before / so that ~1 in a key survives a round trip', () => {
    expect(escapePointer('a/b')).toBe('a~1b');
    expect(escapePointer('a~b')).toBe('a~0b');
    expect(escapePointer('~1')).toBe('~01');
    expect(unescapePointer('~01')).toBe('~1');
    expect(unescapePointer('a~1b~0c')).toBe('a/b~c');
  });

  it('formats and parses pointers as inverse functions', () => {
    const segments = ['paths', '/repos/{owner}/{repo}', 'get', '', '~x/y', '0'];
    const pointer = formatPointer(segments);
    expect(pointer).toBe('/paths/~1repos~1{owner}~1{repo}/get//~0x~1y/0');
    expect(parsePointer(pointer)).toEqual(segments);
    expect(parsePointer('')).toEqual([]);
    expect(formatPointer([])).toBe('');
    expect(parsePointer('/')).toEqual(['']);
  });

  it('rejects text that is not a JSON Pointer, by code', () => {
    expect(() => parsePointer('paths')).toThrow(expect.objectContaining({ code: 'POINTER_INVALID' }));
    expect(() => parsePointer('/a~2b')).toThrow(expect.objectContaining({ code: 'POINTER_INVALID' }));
    expect(() => parsePointer('/a~')).toThrow(expect.objectContaining({ code: 'POINTER_INVALID' }));
  });

  it('matches * against one segment and ** against any number', () => {
    expect(matchPointerPattern('/paths/*/*/parameters', '/paths/~1pets/get/parameters')).toBe(true);
    expect(matchPointerPattern('/paths/*/*/parameters', '/paths/~1pets/parameters')).toBe(false);
    expect(matchPointerPattern('/paths/*/*/parameters', '/paths/~1pets/get/parameters/0')).toBe(false);
    expect(matchPointerPattern('/**/enum', '/enum')).toBe(true);
    expect(matchPointerPattern('/**/enum', '/components/schemas/Pet/properties/status/enum')).toBe(true);
    expect(matchPointerPattern('/**/enum', '/components/schemas/enum/type')).toBe(false);
    expect(matchPointerPattern('/a/**', '/a')).toBe(true);
    expect(matchPointerPattern('/a/**/b/**/c', '/a/x/b/y/z/c')).toBe(true);
    expect(matchPointerPattern('/a/**/b/**/c', '/a/x/c')).toBe(false);
    expect(matchPointerPattern('', '')).toBe(true);
    expect(matchPointerPattern('/*', '')).toBe(false);
  });

  it('compares pattern segments unescaped', () => {
    expect(matchPointerPattern('/paths/~1pets/*', '/paths/~1pets/get')).toBe(true);
    expect(matchPointerPattern('/paths/~1pets/*', '/paths/~1dogs/get')).toBe(false);
  });

  it('tryParsePointer returns undefined where parsePointer throws', () => {
    expect(tryParsePointer('')).toEqual([]);
    expect(tryParsePointer('/paths/~1pets~1{id}/get')).toEqual(['paths', '/pets/{id}', 'get']);
    expect(tryParsePointer('/a~0b')).toEqual(['a~b']);
    for (const bad of ['no-slash', '/a~2b', '/a~', 7 as unknown as string]) {
      expect(tryParsePointer(bad), String(bad)).toBeUndefined();
      expect(() => parsePointer(bad)).toThrow(expect.objectContaining({ code: 'POINTER_INVALID' }));
    }
  });

  it('reads the value at segments, own keys and canonical indices only', () => {
    const doc = { paths: { '/pets': { get: { tags: ['a', 'b'] } } }, n: null };
    expect(valueAtSegments(doc, parsePointer('/paths/~1pets/get/tags/1'))).toBe('b');
    expect(valueAtSegments(doc, [])).toBe(doc);
    expect(valueAtSegments(doc, ['n'])).toBeNull();
    expect(valueAtSegments(doc, ['paths', '/pets', 'get', 'tags', '01'])).toBeUndefined();
    expect(valueAtSegments(doc, ['paths', '/pets', 'get', 'tags', 'length'])).toBeUndefined();
    expect(valueAtSegments(doc, ['constructor'])).toBeUndefined();
    expect(valueAtSegments(doc, ['n', 'x'])).toBeUndefined();
    expect(valueAtSegments('text', ['length'])).toBeUndefined();
  });

  it('matches * inside a segment as any run of characters in it', () => {
    expect(matchPointerPattern('/paths/*/get/responses/2*', '/paths/~1pets/get/responses/201')).toBe(true);
    expect(matchPointerPattern('/paths/*/get/responses/2*', '/paths/~1pets/get/responses/404')).toBe(false);
    expect(matchPointerPattern('/paths/*/*/x-*', '/paths/~1pets/get/x-owner')).toBe(true);
    expect(matchPointerPattern('/paths/*/*/x-*', '/paths/~1pets/get/x-')).toBe(true);
    expect(matchPointerPattern('/paths/*/*/x-*', '/paths/~1pets/get/description')).toBe(false);
    // `*` inside a segment never crosses a segment boundary, an escaped `/` included.
    expect(matchPointerPattern('/paths/~1pets*', '/paths/~1pets~1{id}')).toBe(true);
    expect(matchPointerPattern('/a*', '/ab/c')).toBe(false);
    // Regular-expression characters in a pattern are literal.
    expect(matchPointerPattern('/a.c/(x)+', '/a.c/(x)+')).toBe(true);
    expect(matchPointerPattern('/a.c', '/abc')).toBe(false);
  });

  it('compiles once, from a pointer or from segments, and matches segment lists', () => {
    const pattern = compilePattern('/**/properties/*');
    expect(pattern.source).toBe('/**/properties/*');
    expect(matchSegments(pattern, ['components', 'schemas', 'Pet', 'properties', 'id'])).toBe(true);
    expect(matchSegments(pattern, ['properties'])).toBe(false);
    expect(() => compilePattern('no-slash')).toThrow(expect.objectContaining({ code: 'POINTER_INVALID' }));
    // Segments are taken as they are: no `~` unescaping.
    const template = compileSegmentPattern(['', 'pets', '*~1']);
    expect(matchSegments(template, ['', 'pets', '{id}~1'])).toBe(true);
    expect(matchSegments(template, ['', 'pets', '{id}/'])).toBe(false);
  });

  it('compiles single-segment wildcards, optionally ignoring case', () => {
    expect(compileWildcard('beta-*').test('beta-users')).toBe(true);
    expect(compileWildcard('beta-*').test('Beta-users')).toBe(false);
    expect(compileWildcard('GET', { ignoreCase: true }).test('get')).toBe(true);
    expect(compileWildcard('*').test('')).toBe(true);
    expect(compileWildcard('a\nb').test('a\nb')).toBe(true);
  });

  it('escapes regular-expression characters around a * and lets * run over line breaks', () => {
    expect(compileWildcard('v1.*').test('v1.2')).toBe(true);
    expect(compileWildcard('v1.*').test('v1x2')).toBe(false);
    expect(compileWildcard('(a)+*').test('(a)+b')).toBe(true);
    expect(compileWildcard('(a)+*').test('aab')).toBe(false);
    expect(compileWildcard('a*').test('a\nb')).toBe(true);
    expect(matchPointerPattern('/x-*', '/x-line\nbreak')).toBe(true);
  });

  it('matches an empty segment only by an empty segment', () => {
    expect(matchPointerPattern('/a//b', '/a//b')).toBe(true);
    expect(matchPointerPattern('/a//b', '/a/x/b')).toBe(false);
    expect(matchPointerPattern('/a/*/b', '/a//b')).toBe(true);
  });

  it('keeps the segments of a segment pattern as its source, joined with /', () => {
    expect(compileSegmentPattern(['', 'pets', '*']).source).toBe('/pets/*');
    expect(compileSegmentPattern([]).source).toBe('');
  });

  it('reads indices of ten and more', () => {
    const list = Array.from({ length: 12 }, (_, i) => `e${i}`);
    expect(valueAtSegments({ list }, ['list', '10'])).toBe('e10');
    expect(valueAtSegments({ list }, ['list', '11'])).toBe('e11');
    expect(valueAtSegments({ list }, ['list', '12'])).toBeUndefined();
  });

  it('says what it got instead of a pointer', () => {
    expect(() => parsePointer(7 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'POINTER_INVALID', message: expect.stringContaining('number'), hint: expect.stringMatching(/\S/) }),
    );
    expect(() => parsePointer('no-slash')).toThrow(
      expect.objectContaining({
        code: 'POINTER_INVALID',
        message: expect.stringContaining('"no-slash"'),
        hint: expect.stringMatching(/\S/),
        details: { pointer: 'no-slash' },
      }),
    );
  });

  it('matches many ** without exponential backtracking', () => {
    const pattern = compilePattern(`/${Array.from({ length: 20 }, () => '**').join('/a/')}/b`);
    const segments = Array.from({ length: 200 }, () => 'a');
    const started = performance.now();
    expect(matchSegments(pattern, segments)).toBe(false);
    expect(matchSegments(pattern, [...segments, 'b'])).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
