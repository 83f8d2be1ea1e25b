/**
 * Identity matching for Hoppscotch collections: the request shape of a
 * Hoppscotch request and the hints of a rendered collection, for the
 * client-neutral matching of ../collection/match.ts.
 *
 * @module
 */
import {
  type OperationHint,
  type RequestToMatch,
  type MatchResult,
  type StoredHint,
  matchRequests as matchAnyRequests,
  operationHintsOf,
} from '../collection/match.js';
import { allRequests } from './identity.js';
import type { HoppCollection, HoppRequest } from './schema.js';

export { withoutRepeat } from '../collection/match.js';
export type { IdentityAmbiguity, MatchResult, OperationHint, RequestToMatch, StoredHint } from '../collection/match.js';

/**
 * The shape of a request: its path variable, query parameter and form or
 * top-level JSON body field names and its body type. Two operations on the same
 * path shape rarely share it.
 */
export function requestShape(request: Pick<HoppRequest, 'requestVariables' | 'params' | 'body'>): string {
  const names = (list: ReadonlyArray<{ key: string }> | undefined) =>
    (list ?? [])
      .map((item) => item.key)
      .sort()
      .join(',');
  const body = request.body as { contentType: string | null; body: unknown } | undefined;
  let fields = '';
  if (Array.isArray(body?.body)) fields = names(body.body as Array<{ key: string }>);
  else if (typeof body?.body === 'string' && body.body.length <= 65_536 && /json/.test(body.contentType ?? '')) {
    try {
      const value: unknown = JSON.parse(body.body);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) fields = Object.keys(value).sort().join(',');
    } catch {
      // Not JSON (yet): no field names.
    }
  }
  return `${names(request.requestVariables)}|${names(request.params)}|${body?.contentType ?? ''}|${fields}`;
}

/**
 * The client-neutral `matchRequests` of ../collection/match.ts on
 * Hoppscotch requests, ties broken by {@link requestShape}.
 */
export function matchRequests(
  requests: readonly RequestToMatch<HoppRequest>[],
  trusted: (id: string) => boolean,
  rendered: Iterable<OperationHint>,
  stored: readonly StoredHint[],
): MatchResult {
  return matchAnyRequests(requests, trusted, rendered, stored, requestShape);
}

/**
 * What {@link matchRequests} needs of each request of a rendered collection
 * (see `operationHintsOf`): the collection variables give the literal
 * spelling of endpoints that start with one.
 */
export function operationHints(collection: HoppCollection): OperationHint[] {
  const values = new Map(collection.variables.map((v) => [v.key, v.initialValue]));
  return operationHintsOf(allRequests(collection), values, requestShape);
}

/**
 * Give every request of `local` that carries no identity known to
 * `rendered` the identity of the rendered request it is, found by
 * {@link matchRequests} (endpoint with query, fragment and parameter names,
 * method, name, shape; never position alone; a tie gives nobody the
 * identity). Returns a new collection; `local` is not changed. Requests that
 * match nothing keep what they had: they are the user's own.
 */
export function attachIdentities<C extends HoppCollection>(local: C, rendered: HoppCollection): C {
  const hints = operationHints(rendered);
  const known = new Set(hints.map((hint) => hint.key));
  const found: RequestToMatch<HoppRequest>[] = [];
  const collect = (node: HoppCollection, path: string): void => {
    node.folders.forEach((folder, index) => collect(folder, `${path}/folders/${index}`));
    node.requests.forEach((request, index) => found.push({ path: `${path}/requests/${index}`, request }));
  };
  collect(local, '');
  const { keys } = matchRequests(found, (id) => known.has(id), hints, []);
  const idAt = new Map(found.map((entry, index) => [entry.request, keys[index]]));
  const visit = <T extends HoppCollection>(collection: T): T => ({
    ...collection,
    requests: collection.requests.map((request) => {
      const id = idAt.get(request);
      return id === undefined || id === request.id ? request : { ...request, id };
    }),
    folders: collection.folders.map((folder) => visit(folder)),
  });
  return visit(local);
}
