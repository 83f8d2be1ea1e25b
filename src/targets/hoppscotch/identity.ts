/**
 * Which request of a collection is which operation, and the identity rules
 * the three-way merge uses for collection arrays.
 *
 * @module
 */
import type { IdentityRule } from '../../merge/index.js';
import { endpointIdentity } from '../collection/identity.js';
import { identityField } from '../collection/model.js';
import type { HoppCollection, HoppRequest } from './schema.js';

export { endpointIdentity, endpointPath, endpointSignature, normaliseEndpoint, operationIdentity } from '../collection/identity.js';

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
  { path: '/**/folders', key: identityField('name') },
  { path: '/**/requests', key: requestKey },
  { path: '/**/headers', key: (item) => identityField('key')(item)?.toLowerCase() },
  { path: '/**/params', key: identityField('key') },
  { path: '/**/requestVariables', key: identityField('key') },
  { path: '/**/variables', key: identityField('key') },
  { path: '/**/body/body', key: identityField('key') },
];
