/**
 * JSON from UTF-8 bytes, parsed as a one-byte string.
 *
 * V8 keeps a string in one byte per character while every character fits
 * in Latin-1, and in two otherwise. One emoji in a 7 MB file makes the whole
 * decoded text two-byte, and both the decode and `JSON.parse` then run at
 * about half speed (figures in docs/engine.md, "Where the time goes").
 * Outside strings JSON text is ASCII, and inside strings any character may
 * be written as a `\u` escape, so the non-ASCII characters can be escaped
 * before parsing: the value is the same and the text stays one-byte.
 *
 * @internal
 * @module
 */
import { isAscii, isUtf8 } from 'node:buffer';

/** Runs of non-ASCII bytes in a Latin-1 decoding of UTF-8 bytes. */
const NON_ASCII_RUN = /[\x80-\xff]+/g;

/** `\uXXXX` of each UTF-16 code unit, built on first use. */
let escapes: string[] | undefined;

function escapeOf(unit: number): string {
  escapes ??= [];
  return (escapes[unit] ??= `\\u${unit.toString(16).padStart(4, '0')}`);
}

/**
 * The text of UTF-8 bytes with every non-ASCII character written as a `\u`
 * escape: ASCII, so a one-byte string. Inside JSON strings it means the same;
 * anywhere else a non-ASCII character was invalid JSON and its escape still
 * is. `undefined` when a non-ASCII byte follows an odd number of
 * backslashes (an invalid escape that the escaping would turn into a valid
 * `\\`).
 *
 * Invalid UTF-8 turns into U+FFFD as `toString('utf8')` turns it.
 */
function escapedText(bytes: Buffer): string | undefined {
  if (isAscii(bytes)) return bytes.toString('latin1');
  const latin1 = bytes.toString('latin1');
  let plain = false;
  const escaped = latin1.replace(NON_ASCII_RUN, (run: string, offset: number) => {
    // Backslashes right before the run pair up from the left; an odd one out escapes the first character of the
    // run, which is invalid JSON that the escaping would turn valid (`\é` into `\\u00e9`).
    let slashes = 0;
    while (offset - slashes > 0 && latin1.charCodeAt(offset - slashes - 1) === 0x5c) slashes++;
    if (slashes % 2 === 1) plain = true;
    if (plain) return run;
    // A run is whole UTF-8 sequences (their bytes are all non-ASCII), or bytes the decoder turns into U+FFFD
    // exactly as it would in place: an ASCII byte ends any unfinished sequence.
    const text = Buffer.from(run, 'latin1').toString('utf8');
    let out = '';
    for (let i = 0; i < text.length; i++) out += escapeOf(text.charCodeAt(i));
    return out;
  });
  return plain ? undefined : escaped;
}

/**
 * Parse UTF-8 JSON bytes: the same value as
 * `JSON.parse(bytes.toString('utf8'))`, and when that throws, the same
 * error (its message counts positions in the real text).
 */
export function parseJsonBytes(bytes: Buffer): unknown {
  const escaped = escapedText(bytes);
  if (escaped !== undefined) {
    try {
      return JSON.parse(escaped);
    } catch {
      // Parse the real text below, for the error message it gives.
    }
  }
  return JSON.parse(bytes.toString('utf8'));
}

/** What {@link tryJsonObjectBytes} returns when the bytes are not that. */
export const NOT_JSON_OBJECT: unique symbol = Symbol('not a JSON object');

/**
 * The object that valid UTF-8 bytes holding one JSON object parse to (an
 * optional byte order mark and JSON whitespace around it), or
 * {@link NOT_JSON_OBJECT} for anything else (other JSON, YAML, invalid
 * UTF-8, a syntax error), which the caller then reads its slower way with
 * its own errors. Never throws.
 */
export function tryJsonObjectBytes(input: Uint8Array): object | typeof NOT_JSON_OBJECT {
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  let first = 0;
  while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x0a || bytes[first] === 0x0d || bytes[first] === 0x09))
    first++;
  if (bytes[first] !== 0x7b || !isUtf8(bytes)) return NOT_JSON_OBJECT;
  const escaped = escapedText(bytes);
  if (escaped === undefined) return NOT_JSON_OBJECT;
  try {
    return JSON.parse(escaped) as object;
  } catch {
    return NOT_JSON_OBJECT;
  }
}

/** Nesting past this is left to a real round trip (the check recurses). */
const MAX_CHECKED_DEPTH = 1000;

/**
 * True when `JSON.parse(JSON.stringify(value))` would give back a value
 * equal to `value`: plain objects and arrays (no holes), strings, booleans,
 * `null` and finite numbers other than `-0`, with no `undefined`, function,
 * symbol, BigInt, `toJSON` or class instance anywhere. Such a value can
 * stand for the parse of its own JSON text. `false` past 1,000 levels.
 */
export function isJsonRoundTrip(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_CHECKED_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!isJsonRoundTrip(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (!Object.hasOwn(record, key) || !isJsonRoundTrip(record[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
