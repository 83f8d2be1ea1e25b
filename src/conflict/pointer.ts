/**
 * JSON Pointer helpers and the pointer glob used by `rules()`: `*` matches
 * one segment (or, inside a segment, any run of characters), `**` matches
 * any number of segments, zero included.
 *
 * @module
 */

/** The HTTP methods an OpenAPI path item may hold, lower case. */
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * The segments of a JSON Pointer (RFC 6901), unescaped: `''` is the whole
 * document, `'/paths/~1pets/get'` is `['paths', '/pets', 'get']`. A string
 * that does not start with `/` yields `undefined`.
 */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at `segments` inside `doc`, or `undefined` when any step is missing. */
export function valueAt(doc: unknown, segments: readonly string[]): unknown {
  let current = doc;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** A compiled glob over segments. */
export type SegmentGlob = readonly (RegExp | '**')[];

/**
 * Compile a pointer glob such as `/paths/**\/description` or
 * `**\/description`. A leading `/` is optional; `~1` and `~0` escape `/` and
 * `~` as in JSON Pointer.
 */
export function compilePointerGlob(pattern: string): SegmentGlob {
  const body = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  if (body === '' && pattern === '') return [];
  return compileSegments(body.split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/**
 * Compile a path-template glob such as `/pets/*` or `/pets/{id}`. Parameter
 * names do not matter: `{id}` in the pattern matches `{petId}` in the template.
 */
export function compileTemplateGlob(pattern: string): SegmentGlob {
  const body = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  return compileSegments(body.split('/').map(normaliseParameters));
}

/** True when `segments` match the compiled glob. */
export function matchSegments(glob: SegmentGlob, segments: readonly string[]): boolean {
  // reachable[j]: the first i pattern parts can match the first j segments.
  let reachable = new Array<boolean>(segments.length + 1).fill(false);
  reachable[0] = true;
  for (const part of glob) {
    const next = new Array<boolean>(segments.length + 1).fill(false);
    if (part === '**') {
      let any = false;
      for (let j = 0; j <= segments.length; j += 1) {
        any = any || reachable[j] === true;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= segments.length; j += 1) {
        next[j] = reachable[j - 1] === true && part.test(segments[j - 1] ?? '');
      }
    }
    reachable = next;
  }
  return reachable[segments.length] === true;
}

/** True when the path template (e.g. `/pets/{petId}`) matches a compiled template glob. */
export function matchTemplate(glob: SegmentGlob, template: string): boolean {
  const body = template.startsWith('/') ? template.slice(1) : template;
  return matchSegments(glob, body.split('/').map(normaliseParameters));
}

/** Compile a single-segment glob (`*` = any run of characters) into an anchored RegExp. */
export function compileWord(pattern: string, flags = ''): RegExp {
  const source = pattern
    .split('*')
    .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, `s${flags}`);
}

/** Where in an OpenAPI document a pointer lands: its path template and, below a method, its operation. */
export interface OperationScope {
  /** The path template, e.g. `/pets/{petId}`. */
  template: string;
  /** The lower-case method when the pointer is at or below an operation. */
  method?: string;
}

/**
 * The OpenAPI scope of a pointer: `/paths/~1pets~1{id}/get/responses` is in
 * operation `get /pets/{id}`; `/paths/~1pets/parameters` only in template
 * `/pets`; anything outside `/paths/<template>` has no scope.
 */
export function operationScope(segments: readonly string[]): OperationScope | undefined {
  const [root, template, method] = segments;
  if (root !== 'paths' || template === undefined) return undefined;
  if (method !== undefined && METHODS.has(method)) return { template, method };
  return { template };
}

function compileSegments(parts: readonly string[]): SegmentGlob {
  return parts.map((part) => (part === '**' ? '**' : compileWord(part)));
}

function normaliseParameters(segment: string): string {
  return segment.replace(/\{[^}]*\}/g, '{}');
}
