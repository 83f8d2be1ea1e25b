/**
 * Which request of a collection is which operation, and the identity rules
 * the three-way merge uses for collection arrays.
 *
 * @module
 */
import type { IdentityRule } from '../../merge/index.js';
import type { HoppCollection, HoppRequest } from './schema.js';

/**
 * Normalise an endpoint or a path template so that the same operation
 * compares equal however it is written:
 * - a leading `<<variable>>` (the base URL, whatever its name) or a literal
 *   `scheme://host[:port]` is removed;
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

function normalised(endpoint: string, keepNames: boolean, keepSuffix: boolean): string {
  let path = endpoint.trim();
  path = path.replace(/^<<[^<>]*>>/, '');
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

/**
 * The merge key of a request: its `id` when it has one (rendered requests
 * carry their operation identity there), else its method and normalised
 * endpoint. Use `attachIdentities` first on a collection whose `id`s
 * were lost (re-exported from Hoppscotch, or made by its own importer).
 */
export function requestKey(request: unknown): string | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const { id, method, endpoint } = request as Record<string, unknown>;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof method === 'string' && typeof endpoint === 'string') return endpointIdentity(method, endpoint);
  return undefined;
}

/** Every request of a collection, depth first, folders before the collection's own requests. */
export function allRequests(collection: HoppCollection): HoppRequest[] {
  const out: HoppRequest[] = [];
  const walk = (node: HoppCollection): void => {
    for (const folder of node.folders) walk(folder);
    out.push(...node.requests);
  };
  walk(collection);
  return out;
}

const field =
  (name: string) =>
  (item: unknown): string | undefined => {
    if (item === null || typeof item !== 'object') return undefined;
    const value = (item as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };

/**
 * Identity rules of a collection for the three-way merge (paths are JSON
 * Pointer patterns where `**` matches any depth, the root included):
 * - folders by `name` (a folder is a tag; a renamed folder is a new folder);
 * - requests by {@link requestKey} (operation identity), so a renamed or
 *   moved request stays the same request;
 * - headers by `key`, case-insensitively (HTTP header names are);
 * - query params, request variables, form fields and collection variables
 *   by `key`, case-sensitively.
 * Saved `responses` are an object keyed by name, merged key by key without a rule.
 */
export const hoppscotchIdentityRules: readonly IdentityRule[] = [
  { path: '/**/folders', key: field('name') },
  { path: '/**/requests', key: requestKey },
  { path: '/**/headers', key: (item) => field('key')(item)?.toLowerCase() },
  { path: '/**/params', key: field('key') },
  { path: '/**/requestVariables', key: field('key') },
  { path: '/**/variables', key: field('key') },
  { path: '/**/body/body', key: field('key') },
];
