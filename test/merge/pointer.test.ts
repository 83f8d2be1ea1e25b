import { describe, expect, it } from 'vitest';
import { escapePointer, formatPointer, matchPointerPattern, parsePointer, unescapePointer } from '../../src/merge/index.js';

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
});
