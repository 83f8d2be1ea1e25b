/**
 * Operation identity, client-neutral: how an operation is named
 * (`operationId`, else `METHOD /path`) and how an endpoint written by any
 * client (`<<baseUrl>>/pets/<<id>>`, `{{baseUrl}}/pets/:id`, a literal
 * server URL) is normalised so the same operation compares equal.
 *
 * @module
 */

/**
 * Normalise an endpoint or a path template so that the same operation
 * compares equal however it is written:
 * - a leading variable (the base URL, whatever its name), written
 *   `<<variable>>` (Hoppscotch) or `{{variable}}` (Postman, Bruno), or a
 *   literal `scheme://host[:port]` is removed;
 * - every path parameter, written `{id}`, `<<id>>`, `{{id}}` or `:id`,
 *   becomes `{}` (names do not matter: renaming `{id}` to `{petId}` keeps
 *   the identity);
 * - repeated slashes collapse, a trailing slash goes, a leading one is added;
 * - a query or fragment written in the endpoint or template is kept (AWS-style
 *   APIs tell operations apart by `/#X-Amz-Target=…` or `/?Action=…` alone);
 *   parameters in it are written `{}` too. Query parameters that are
 *   `params` of the request are not part of the endpoint and play no part.
 *
 * @example
 * normaliseEndpoint('<<baseUrl>>/pets/<<petId>>') // '/pets/{}'
 * normaliseEndpoint('{{baseUrl}}/pets/:petId') // '/pets/{}'
 * normaliseEndpoint('https://api.example.com:8443/pets/:id/') // '/pets/{}'
 * normaliseEndpoint('<<baseUrl>>/#X-Amz-Target=Lake.GetLFTag') // '/#X-Amz-Target=Lake.GetLFTag'
 */
export function normaliseEndpoint(endpoint: string): string {
  return normalised(endpoint, false, true);
}

/**
 * {@link normaliseEndpoint} with the parameter names kept, each written
 * `{name}`: `/v2/{sinkName}` and `/v2/{name}` normalise alike but have
 * different signatures. Identity matching uses it to tell apart operations on
 * the same path shape.
 *
 * @example
 * endpointSignature('<<baseUrl>>/v2/<<sinkName>>') // '/v2/{sinkName}'
 */
export function endpointSignature(endpoint: string): string {
  return normalised(endpoint, true, true);
}

/**
 * The path of an endpoint as identities were written before query and
 * fragment were kept (api-live-sync 0.x up to issue 12): {@link normaliseEndpoint}
 * without them. Used to read identity records and ids of that time.
 */
export function endpointPath(endpoint: string): string {
  return normalised(endpoint, false, false);
}

/**
 * The variable an endpoint starts with, `<<name>>` or `{{name}}`: the base
 * URL in every client's rendering. Group 1 or 2 is its name.
 */
export const LEADING_VARIABLE = /^(?:<<([^<>]*)>>|\{\{([^{}]*)\}\})/;

function normalised(endpoint: string, keepNames: boolean, keepSuffix: boolean): string {
  let path = endpoint.trim();
  path = path.replace(LEADING_VARIABLE, '');
  path = path.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '');
  const cut = path.search(/[?#]/);
  let suffix = cut < 0 ? '' : path.slice(cut);
  if (cut >= 0) path = path.slice(0, cut);
  const name = keepNames ? (_whole: string, n: string) => `{${n}}` : () => '{}';
  const params = (text: string) =>
    text
      .replace(/\{\{([^{}]*)\}\}/g, name)
      .replace(/<<([^<>]*)>>/g, name)
      .replace(/\{([^{}/]*)\}/g, name);
  path = params(path).replace(/(^|\/):([A-Za-z_][\w.-]*)/g, (_whole, lead: string, n: string) => `${lead}${keepNames ? `{${n}}` : '{}'}`);
  path = path.replace(/\/{2,}/g, '/');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (!keepSuffix) return path;
  suffix = params(suffix);
  return suffix === '?' || suffix === '#' ? path : path + suffix;
}

/**
 * The identity of an operation: its `operationId` when it has a non-empty
 * one, else `METHOD /normalised/template` (see {@link normaliseEndpoint}).
 *
 * @example
 * operationIdentity('get', '/pets/{petId}', 'showPetById') // 'showPetById'
 * operationIdentity('get', '/pets/{petId}') // 'GET /pets/{}'
 */
export function operationIdentity(method: string, pathTemplate: string, operationId?: string): string {
  if (operationId !== undefined && operationId.trim() !== '') return operationId.trim();
  return endpointIdentity(method, pathTemplate);
}

/** `METHOD /normalised/path` of a method and an endpoint or template; the fallback identity. */
export function endpointIdentity(method: string, endpoint: string): string {
  return `${method.toUpperCase()} ${normaliseEndpoint(endpoint)}`;
}
