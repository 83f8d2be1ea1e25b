/**
 * JSON Pointer (RFC 6901) helpers and the pointer patterns identity rules use.
 *
 * @module
 */
import { ConflictError } from '../errors.js';

/**
 * Escape one segment for a JSON Pointer: `~` becomes `~0`, `/` becomes `~1`.
 *
 * @example
 * ```ts
 * escapePointer('/pets/{id}'); // '~1pets~1{id}'
 * ```
 */
export function escapePointer(segment: string): string {
  if (!segment.includes('~') && !segment.includes('/')) return segment;
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Undo {@link escapePointer}: `~1` becomes `/`, then `~0` becomes `~`. */
export function unescapePointer(segment: string): string {
  if (!segment.includes('~')) return segment;
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Join unescaped segments into a JSON Pointer; no segments is `''`, the whole document.
 *
 * @example
 * ```ts
 * formatPointer(['paths', '/pets', 'get']); // '/paths/~1pets/get'
 * ```
 */
export function formatPointer(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) out += `/${escapePointer(segment)}`;
  return out;
}

/**
 * Split a JSON Pointer into unescaped segments: `''` is `[]`,
 * `'/paths/~1pets/get'` is `['paths', '/pets', 'get']`.
 *
 * @throws ConflictError `POINTER_INVALID` when the text is not a JSON Pointer
 * (it does not start with `/`, or holds a `~` not followed by `0` or `1`).
 */
export function parsePointer(pointer: string): string[] {
  if (typeof pointer !== 'string') {
    throw new ConflictError('POINTER_INVALID', `Expected a JSON Pointer string, got ${typeof pointer}`, {
      hint: 'Pass a JSON Pointer such as "/paths/~1pets/get" (RFC 6901).',
    });
  }
  if (pointer === '') return [];
  if (!pointer.startsWith('/') || /~(?![01])/.test(pointer)) {
    throw new ConflictError('POINTER_INVALID', `Expected a JSON Pointer (RFC 6901), got ${JSON.stringify(pointer)}`, {
      hint: 'A pointer is empty or starts with "/"; write "~" as "~0" and "/" inside a key as "~1".',
      details: { pointer },
    });
  }
  return pointer.slice(1).split('/').map(unescapePointer);
}

/** A pattern compiled by {@link compilePattern}: literal segments, `*` and `**`. */
export type CompiledPattern = readonly string[];

const ONE = '*';
const ANY = '**';

/**
 * Compile a pointer pattern once for repeated matching. A segment that is
 * exactly `*` matches one segment, exactly `**` any number (zero included);
 * any other segment matches itself after unescaping.
 */
export function compilePattern(pattern: string): CompiledPattern {
  return parsePointer(pattern);
}

/** Match unescaped segments against a compiled pattern. */
export function matchSegments(pattern: CompiledPattern, segments: readonly string[]): boolean {
  return matchFrom(pattern, 0, segments, 0);
}

function matchFrom(pattern: CompiledPattern, p: number, segments: readonly string[], s: number): boolean {
  while (p < pattern.length) {
    const part = pattern[p] as string;
    if (part === ANY) {
      // Collapse runs of `**`; a trailing `**` matches the rest.
      while (p + 1 < pattern.length && pattern[p + 1] === ANY) p++;
      if (p + 1 === pattern.length) return true;
      for (let k = s; k <= segments.length; k++) {
        if (matchFrom(pattern, p + 1, segments, k)) return true;
      }
      return false;
    }
    if (s >= segments.length) return false;
    if (part !== ONE && part !== segments[s]) return false;
    p++;
    s++;
  }
  return s === segments.length;
}

/**
 * True when `pointer` matches `pattern`, where a `*` segment matches exactly
 * one segment and a `**` segment any number of segments, zero included.
 * Both are JSON Pointers, so both start with `/` (or are empty).
 *
 * @example
 * ```ts
 * matchPointerPattern('/paths/*\/*\/parameters', '/paths/~1pets/get/parameters'); // true
 * matchPointerPattern('/**\/enum', '/components/schemas/Pet/properties/status/enum'); // true
 * ```
 * (The backslashes only keep this comment open; patterns have none.)
 */
export function matchPointerPattern(pattern: string, pointer: string): boolean {
  return matchSegments(compilePattern(pattern), parsePointer(pointer));
}
