/**
 * JSON Pointer (RFC 6901) helpers and the pointer patterns that identity
 * rules (merge) and conflict rules (`rules()`) share.
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
  // Stryker disable next-line StringLiteral: a fast path; the replacements below give the same text
  if (!segment.includes('~') && !segment.includes('/')) return segment;
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Undo {@link escapePointer}: `~1` becomes `/`, then `~0` becomes `~`. */
export function unescapePointer(segment: string): string {
  // Stryker disable next-line StringLiteral: a fast path; the replacements below give the same text
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

/** A `~` that is not `~0` or `~1`. */
const INVALID_ESCAPE = /~(?![01])/;

/**
 * Split a JSON Pointer into unescaped segments, or `undefined` when the text
 * is not a JSON Pointer. The non-throwing form of {@link parsePointer}, for
 * pointers that come from outside (a resolver's decision, a stored plan).
 *
 * @example
 * ```ts
 * tryParsePointer('/paths/~1pets/get'); // ['paths', '/pets', 'get']
 * tryParsePointer('paths/pets'); // undefined
 * ```
 */
export function tryParsePointer(pointer: string): string[] | undefined {
  if (typeof pointer !== 'string') return undefined;
  if (pointer === '') return [];
  if (!pointer.startsWith('/') || INVALID_ESCAPE.test(pointer)) return undefined;
  return pointer.slice(1).split('/').map(unescapePointer);
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
  const segments = tryParsePointer(pointer);
  if (segments === undefined) {
    throw new ConflictError('POINTER_INVALID', `Expected a JSON Pointer (RFC 6901), got ${JSON.stringify(pointer)}`, {
      hint: 'A pointer is empty or starts with "/"; write "~" as "~0" and "/" inside a key as "~1".',
      details: { pointer },
    });
  }
  return segments;
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

/**
 * The value at unescaped `segments` inside `doc`, or `undefined` when a step
 * is missing (an absent own key, an index that is not a canonical array
 * index, a step into a primitive). Inherited properties are never read.
 *
 * @example
 * ```ts
 * valueAtSegments({ tags: ['a', 'b'] }, ['tags', '1']); // 'b'
 * valueAtSegments(doc, parsePointer('/paths/~1pets/get'));
 * ```
 */
export function valueAtSegments(doc: unknown, segments: readonly string[]): unknown {
  let current = doc;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/* ---------------------------------------------------------------- patterns */

/** A `*` segment: exactly one segment. */
const ONE: unique symbol = Symbol('*');
/** A `**` segment: any number of segments, zero included. */
const ANY: unique symbol = Symbol('**');

/** One compiled pattern segment: a literal, a wildcard word (`x-*`), `*` or `**`. */
type PatternPart = string | RegExp | typeof ONE | typeof ANY;

/** A pattern compiled by {@link compilePattern} or {@link compileSegmentPattern}; match it with {@link matchSegments}. */
export interface CompiledPattern {
  /** The pattern as written (segments joined with `/` for {@link compileSegmentPattern}). */
  readonly source: string;
  /** The compiled segments. */
  readonly parts: readonly PatternPart[];
}

/**
 * A single-segment wildcard as an anchored RegExp: `*` matches any run of
 * characters (none included), everything else matches itself.
 *
 * @example
 * ```ts
 * compileWildcard('beta-*').test('beta-users'); // true
 * compileWildcard('GET', { ignoreCase: true }).test('get'); // true
 * ```
 */
export function compileWildcard(text: string, options: { ignoreCase?: boolean } = {}): RegExp {
  const source = text
    .split('*')
    .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, options.ignoreCase === true ? 'si' : 's');
}

function compilePart(segment: string): PatternPart {
  if (segment === '*') return ONE;
  if (segment === '**') return ANY;
  // Stryker disable next-line StringLiteral: a segment without `*` compiles to a pattern that matches only itself
  return segment.includes('*') ? compileWildcard(segment) : segment;
}

/**
 * Compile a pointer pattern once for repeated matching. The pattern is a
 * JSON Pointer (it starts with `/`, or is `''`) whose segments, after
 * unescaping (`~1` is `/`, `~0` is `~`), are:
 *
 * - `*`: exactly one segment;
 * - `**`: any number of segments, zero included;
 * - text with `*` in it (`x-*`, `2*`): one segment, `*` matching any run of
 *   characters inside it;
 * - anything else: that segment, literally.
 *
 * @throws ConflictError `POINTER_INVALID` when the pattern is not a JSON Pointer.
 */
export function compilePattern(pattern: string): CompiledPattern {
  return { source: pattern, parts: parsePointer(pattern).map(compilePart) };
}

/**
 * Compile a pattern already split into unescaped segments, with the same
 * segment meanings as {@link compilePattern}. For paths that are not
 * pointers, such as OpenAPI path templates split on `/`.
 */
export function compileSegmentPattern(segments: readonly string[]): CompiledPattern {
  return { source: segments.join('/'), parts: segments.map(compilePart) };
}

/**
 * Match unescaped segments against a compiled pattern. Linear in the
 * segments for patterns without `**`; with `**`, the classic wildcard walk
 * (resume after the last `**`), at most patterns × segments steps, never
 * exponential.
 */
export function matchSegments(pattern: CompiledPattern, segments: readonly string[]): boolean {
  const parts = pattern.parts;
  let p = 0;
  let s = 0;
  let resumePart = -1;
  let resumeSegment = 0;
  while (s < segments.length) {
    const part = parts[p];
    if (part === ANY) {
      resumePart = ++p;
      resumeSegment = s;
    } else if (part !== undefined && matchPart(part, segments[s] as string)) {
      p++;
      s++;
    } else if (resumePart >= 0) {
      // Let the last `**` take one more segment and try again from there.
      p = resumePart;
      s = ++resumeSegment;
    } else {
      return false;
    }
  }
  while (parts[p] === ANY) p++;
  return p === parts.length;
}

function matchPart(part: Exclude<PatternPart, typeof ANY>, segment: string): boolean {
  if (part === ONE) return true;
  if (typeof part === 'string') return part === segment;
  return part.test(segment);
}

/**
 * True when `pointer` matches `pattern` (see {@link compilePattern} for the
 * segment meanings). Both are JSON Pointers, so both start with `/` (or are
 * empty).
 *
 * @example
 * ```ts
 * matchPointerPattern('/paths/*\/*\/parameters', '/paths/~1pets/get/parameters'); // true
 * matchPointerPattern('/**\/enum', '/components/schemas/Pet/properties/status/enum'); // true
 * matchPointerPattern('/paths/*\/get/responses/2*', '/paths/~1pets/get/responses/201'); // true
 * ```
 * (The backslashes only keep this comment open; patterns have none.)
 *
 * @throws ConflictError `POINTER_INVALID` when either is not a JSON Pointer.
 */
export function matchPointerPattern(pattern: string, pointer: string): boolean {
  return matchSegments(compilePattern(pattern), parsePointer(pointer));
}
