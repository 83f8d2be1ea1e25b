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
 * - the query string and fragment are removed;
 * - every path parameter, written `{id}`, `<<id>>`, `{{id}}` or `:id`,
 *   becomes `{}` (names do not matter: renaming `{id}` to `{petId}` keeps
 *   the identity);
 * - repeated slashes collapse, a trailing slash goes, a leading one is added.
 *
 * @example
 * normaliseEndpoint('<<baseUrl>>/pets/<<petId>>?x=1') // '/pets/{}'
 * normaliseEndpoint('https://api.example.com:8443/pets/:id/') // '/pets/{}'
 */
export function normaliseEndpoint(endpoint: string): string {
  let path = endpoint.trim();
  path = path.replace(/^<<[^<>]*>>/, '');
  path = path.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '');
  path = path.replace(/[?#].*$/, '');
  path = path
    .replace(/\{\{[^{}]*\}\}/g, '{}')
    .replace(/<<[^<>]*>>/g, '{}')
    .replace(/\{[^{}/]*\}/g, '{}')
    .replace(/(^|\/):[A-Za-z_][\w.-]*/g, '$1{}');
  path = path.replace(/\/{2,}/g, '/');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
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
 * endpoint. Use {@link attachIdentities} first on a collection whose `id`s
 * were lost (re-exported from Hoppscotch, or made by its own importer).
 */
export function requestKey(request: unknown): string | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const { id, method, endpoint } = request as Record<string, unknown>;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof method === 'string' && typeof endpoint === 'string') return endpointIdentity(method, endpoint);
  return undefined;
}

/**
 * Give every request of `local` that carries no identity known to
 * `rendered` the identity of the rendered request with the same method and
 * normalised endpoint (first match wins; each rendered identity is handed
 * out once). Returns a new collection; `local` is not changed. Requests that
 * match nothing keep what they had: they are the user's own.
 */
export function attachIdentities<C extends HoppCollection>(local: C, rendered: HoppCollection): C {
  const known = new Set<string>();
  const byEndpoint = new Map<string, string>();
  for (const request of allRequests(rendered)) {
    if (request.id === undefined) continue;
    known.add(request.id);
    const key = endpointIdentity(request.method, request.endpoint);
    if (!byEndpoint.has(key)) byEndpoint.set(key, request.id);
  }
  // Identities a local request already holds are not handed out again.
  const taken = new Set(allRequests(local).flatMap((request) => (request.id !== undefined && known.has(request.id) ? [request.id] : [])));
  const visit = <T extends HoppCollection>(collection: T): T => ({
    ...collection,
    requests: collection.requests.map((request) => {
      if (request.id !== undefined && known.has(request.id)) return request;
      const key = endpointIdentity(request.method, request.endpoint);
      const id = byEndpoint.get(key);
      if (id === undefined || taken.has(id)) return request;
      taken.add(id);
      return { ...request, id };
    }),
    folders: collection.folders.map((folder) => visit(folder)),
  });
  return visit(local);
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

const field = (name: string) => (item: unknown): string | undefined => {
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
