/**
 * The HTTP methods an OpenAPI path item may hold operations under, in the
 * order OpenAPI lists them.
 *
 * @module
 */

/** The HTTP methods an OpenAPI path item may hold operations under (lower case, OpenAPI's order). */
export const HTTP_METHODS = Object.freeze(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const);

/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

const METHOD_SET: ReadonlySet<string> = new Set(HTTP_METHODS);

/** True when `key` (a member of a path item) is an HTTP method, i.e. holds an operation. */
export function isHttpMethod(key: string): key is HttpMethod {
  return METHOD_SET.has(key);
}
