import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isJsonRoundTrip, NOT_JSON_OBJECT, parseJsonBytes, tryJsonObjectBytes } from '../../src/json/bytes.js';

/** What parseJsonBytes must match: the plain decode and parse, value or error message. */
function plain(bytes: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function fast(bytes: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: parseJsonBytes(bytes) };
  } catch (error) {
    expect(error).toBeInstanceOf(SyntaxError);
    return { error: (error as Error).message };
  }
}

const sameAsPlain = (bytes: Buffer): void => {
  const expected = plain(bytes);
  const actual = fast(bytes);
  expect(actual).toEqual(expected);
  // toEqual treats 0 and -0 alike; JSON keeps "-0" apart.
  if ('value' in expected && typeof expected.value === 'number')
    expect(Object.is((actual as { value: number }).value, expected.value)).toBe(true);
};

/** Bytes from a list of pieces: strings as UTF-8, numbers as raw bytes. */
const bytesOf = (...pieces: Array<string | number[]>): Buffer =>
  Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('parseJsonBytes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the value JSON.parse gives for any JSON with any characters, compact or indented', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), fc.constantFrom(0, 2), (value, indent) => {
        sameAsPlain(Buffer.from(JSON.stringify(value, null, indent) ?? 'null'));
      }),
      { numRuns: 400 },
    );
  });

  it('parses a one-byte string: the non-ASCII characters reach JSON.parse as \\u escapes', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const value = { name: 'Réactions 🚀 获取', list: ['ü', '\u2028', 'ok'], 'clé 🔑': true };
    expect(parseJsonBytes(Buffer.from(JSON.stringify(value, null, 2)))).toEqual(value);
    expect(parse).toHaveBeenCalledTimes(1);
    const text = parse.mock.calls[0]?.[0] as string;
    expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
    expect(text).toContain('\\ud83d\\ude80');
  });

  it('gives the same value or the same error for arbitrary bytes, invalid UTF-8 included', () => {
    const piece = fc.oneof(
      fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', '\\\\', 'true', ' ', '1', '-0', 'é', '🚀', '"a"', '\\u00e9'),
      fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => [...a]),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        sameAsPlain(bytesOf(...pieces));
      }),
      { numRuns: 2000 },
    );
    // Valid JSON strings holding invalid UTF-8: every shape decodes to U+FFFD the same way.
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('a', ' ', 'é', '🚀', '\\\\', '\\n'),
            fc.uint8Array({ minLength: 1, maxLength: 3, min: 0x80 }).map((a) => [...a]),
          ),
          { maxLength: 10 },
        ),
        (pieces) => {
          sameAsPlain(bytesOf('{"k": "', ...pieces, '"}'));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps every refusal of the plain parse, with its message', () => {
    const cases: Buffer[] = [
      bytesOf('"\\', 'é', '"'), // an invalid escape: escaping the é would make it a valid "\\u00e9"
      bytesOf('"\\\\\\', 'é', '"'), // an escaped backslash, then the same invalid escape
      bytesOf([0xef, 0xbb, 0xbf], '{"a": 1}'), // a byte order mark
      bytesOf('{"a": 1} é'), // text after the value
      bytesOf('{é: 1}'), // a non-ASCII character outside a string
      bytesOf('["é", '), // cut short after a non-ASCII character: the position counts characters of the real text
      bytesOf('"a\u0001"'), // a raw control character
    ];
    for (const bytes of cases) {
      const expected = plain(bytes);
      expect(expected).toHaveProperty('error');
      expect(fast(bytes)).toEqual(expected);
    }
  });

  it('takes the fast path after escaped backslashes (an even number), as in Windows paths', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const value = { path: 'C:\\Users\\Zoë\\ünïcode', twice: '\\\\é' };
    expect(parseJsonBytes(Buffer.from(JSON.stringify(value)))).toEqual(value);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(/^[\x00-\x7f]*$/.test(parse.mock.calls[0]?.[0] as string)).toBe(true);
  });

  it('accepts what the plain parse accepts where the escaping is near a backslash', () => {
    for (const bytes of [
      bytesOf('"\\\\é"'),
      bytesOf('"\\"é"'),
      bytesOf('"\\u00e9é"'),
      bytesOf('"é\\\\"'),
      bytesOf([0x22, 0xed, 0xa0, 0x80, 0x22]),
      bytesOf([0x22, 0xf0, 0x9f, 0x22]),
    ]) {
      sameAsPlain(bytes);
      expect(fast(bytes)).toHaveProperty('value');
    }
  });

  it('takes ASCII bytes as they are', () => {
    sameAsPlain(Buffer.from('{"a": [1, 2.5e3, null, "x\\u00e9"]}'));
    sameAsPlain(Buffer.from(''));
  });
});

/** Equal as JSON values, strictly: same keys in the same order, same items, same primitives (Object.is). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

describe('isJsonRoundTrip', () => {
  it('holds for values parsed from JSON text, which come back from their own text unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (generated) => {
        const value = JSON.parse(JSON.stringify(generated)) as unknown; // -0 written as text reads back as 0
        expect(isJsonRoundTrip(value)).toBe(true);
        expect(sameJson(JSON.parse(JSON.stringify(value)), value)).toBe(true);
      }),
    );
  });

  it('is true only for values that come back unchanged', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withNullPrototype: true,
          withBoxedValues: true,
          withSparseArray: true,
          withDate: true,
          withMap: true,
          withObjectString: true,
          withTypedArray: true,
          withBigInt: true,
        }),
        (value) => {
          if (!isJsonRoundTrip(value)) return;
          expect(sameJson(JSON.parse(JSON.stringify(value)), value)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses each value a round trip changes', () => {
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    class Point {
      x = 1;
    }
    for (const value of [
      { a: undefined },
      [undefined],
      -0,
      Number.NaN,
      Infinity,
      sparse,
      new Date(0),
      { toJSON: () => 1 },
      new Point(),
      () => 1,
      Symbol('s'),
      1n,
      { a: [{ b: new Map() }] },
    ]) {
      expect(isJsonRoundTrip(value)).toBe(false);
    }
    expect(isJsonRoundTrip(Object.assign(Object.create(null) as object, { a: [1, 'x', null, true] }))).toBe(true);
  });

  it('leaves nesting past 1,000 levels to a real round trip', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 999; i++) deep = [deep];
    expect(isJsonRoundTrip(deep)).toBe(true);
    expect(isJsonRoundTrip([[deep]])).toBe(false);
  });
});

describe('tryJsonObjectBytes', () => {
  /** What the loader's plain path makes of bytes: strict UTF-8, BOM and outer whitespace dropped, then JSON.parse. */
  const loaderPlain = (bytes: Uint8Array): unknown => {
    try {
      const text = new TextDecoder('utf-8', { fatal: true })
        .decode(bytes)
        .replace(/^\uFEFF/, '')
        .trim();
      if (!text.startsWith('{')) return NOT_JSON_OBJECT;
      return JSON.parse(text) as unknown;
    } catch {
      return NOT_JSON_OBJECT;
    }
  };

  it('gives the value the plain path gives, or declines, and never throws', () => {
    const piece = fc.oneof(
      fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', ' ', '\n', '\u00a0', '\ufeff', 'é', '🚀', '"k"', '1', 'a: b'),
      fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => [...a]),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const bytes = bytesOf(...pieces);
        const expected = loaderPlain(bytes);
        const actual = tryJsonObjectBytes(bytes);
        // It may decline what the plain path reads (Unicode spaces that `trim()` drops, a second byte order
        // mark): the loader then takes that path. It must never give a value the plain path would not.
        if (actual !== NOT_JSON_OBJECT) expect(actual).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary' })),
        fc.boolean(),
        fc.constantFrom('', ' \n\t', '\r\n'),
        (value, bom, space) => {
          const bytes = bytesOf(bom ? [0xef, 0xbb, 0xbf] : [], space, JSON.stringify(value, null, 1), space);
          expect(tryJsonObjectBytes(bytes)).toEqual(loaderPlain(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves invalid UTF-8, YAML, arrays, scalars, gzip and syntax errors to the plain path', () => {
    for (const bytes of [
      bytesOf('{"a": "', [0xff], '"}'),
      bytesOf('openapi: 3.1.0'),
      bytesOf('[{"a": 1}]'),
      bytesOf('"{"'),
      bytesOf([0x1f, 0x8b, 0x08]),
      bytesOf('{"a": 1,}'),
      bytesOf('\u00a0{"a": 1}'),
      bytesOf(''),
    ]) {
      expect(tryJsonObjectBytes(bytes)).toBe(NOT_JSON_OBJECT);
    }
    // A Uint8Array that is a window on a larger buffer.
    const whole = bytesOf('xx{"a": "é"}yy');
    expect(tryJsonObjectBytes(new Uint8Array(whole.buffer, whole.byteOffset + 2, whole.length - 4))).toEqual({ a: 'é' });
  });
});
