/**
 * What is specific to conflicts in the pointers `rules()` and the AI resolver
 * read: where in an OpenAPI document a conflict lands (its path template and
 * operation), and globs over path templates. Pointer parsing and the pointer
 * pattern language itself are the merge module's (`tryParsePointer`,
 * `compilePattern`, `matchSegments`), so identity rules and conflict rules
 * speak one dialect.
 *
 * @module
 */
import { compileSegmentPattern, isHttpMethod, matchSegments, type CompiledPattern } from '../json/index.js';

/** The HTTP methods an OpenAPI path item may hold, lower case. */

/**
 * Compile a path-template glob such as `/pets/*`, `/admin/**` or
 * `/pets/{id}`. Templates are split on `/` (they are not pointers: no `~`
 * escapes), and parameter names do not matter: `{id}` in the pattern matches
 * `{petId}` in the template. Segment meanings are the pointer patterns' own.
 */
export function compileTemplateGlob(pattern: string): CompiledPattern {
  return compileSegmentPattern(templateSegments(pattern));
}

/** True when the path template (e.g. `/pets/{petId}`) matches a compiled template glob. */
export function matchTemplate(glob: CompiledPattern, template: string): boolean {
  return matchSegments(glob, templateSegments(template));
}

/** Where in an OpenAPI document a pointer lands: its path template and, below a method, its operation. */
export interface OperationScope {
  /** The path template, e.g. `/pets/{petId}`. */
  template: string;
  /** The lower-case method when the pointer is at or below an operation. */
  method?: string;
}

/**
 * The OpenAPI scope of a pointer's segments: `/paths/~1pets~1{id}/get/responses`
 * is in operation `get /pets/{id}`; `/paths/~1pets/parameters` only in
 * template `/pets`; anything outside `/paths/<template>` has no scope.
 */
export function operationScope(segments: readonly string[]): OperationScope | undefined {
  const [root, template, method] = segments;
  if (root !== 'paths' || template === undefined) return undefined;
  if (method !== undefined && isHttpMethod(method)) return { template, method };
  return { template };
}

function templateSegments(template: string): string[] {
  const body = template.startsWith('/') ? template.slice(1) : template;
  return body.split('/').map((segment) => segment.replace(/\{[^}]*\}/g, '{}'));
}
