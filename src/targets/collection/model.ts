/**
 * The client-neutral collection model: the keyed form every client target
 * (Hoppscotch, Postman, Bruno) merges. Folders and requests sit in maps keyed
 * by a stable identity instead of nested arrays, so the three-way merge finds
 * a request by its operation wherever the user moved it and whatever they
 * renamed it to. What each request holds is the client's own fields, so a
 * field only one client has (scripts, `disabled` flags, saved responses,
 * `seq`) is merged like any other and never lost. See docs/collections.md.
 *
 * @module
 */
import type { IdentityRule } from '../../merge/index.js';

/** The root key of {@link KeyedCollection.folderOrder} and {@link KeyedCollection.requestOrder}. */
export const COLLECTION_ROOT_KEY = '';

/** Keys of requests the user added (no operation identity) start with this. */
export const USER_KEY_PREFIX = 'user:';

/** A folder of a {@link KeyedCollection}. */
export interface KeyedFolder {
  /** Key of the parent folder, `null` at the collection root. */
  parent: string | null;
  /** The folder's own fields (everything but `folders` and `requests`). */
  folder: Record<string, unknown>;
}

/** A request of a {@link KeyedCollection}. */
export interface KeyedRequest {
  /** Key of the folder it sits in, `null` at the collection root. */
  folder: string | null;
  /**
   * The request's fields, in the client's own form. For a request keyed by
   * operation identity the `id` is left out (the key is the id and is written
   * back as `id`); a user-added request keeps whatever it had.
   */
  request: Record<string, unknown>;
}

/**
 * A collection as keyed maps, the `Local` shape of every client target:
 * - `collection`: the top-level fields without `folders` and `requests`
 *   (name, description, variables, auth, client-only fields);
 * - `folders`: folder key → parent key and fields;
 * - `requests`: request key (operation identity, or `user:…`) → folder key and fields;
 * - `folderOrder` / `requestOrder`: per parent (`""` is the root), the
 *   order of its folders / requests. They only order; where a request lives
 *   is its `folder` field.
 *
 * A request the user deleted is absent here while the base (the last
 * synced render) still has it: the base is its tombstone, so the merge
 * leaves it deleted for as long as upstream does not change it.
 */
export interface KeyedCollection {
  collection: Record<string, unknown>;
  folders: Record<string, KeyedFolder>;
  requests: Record<string, KeyedRequest>;
  folderOrder: Record<string, string[]>;
  requestOrder: Record<string, string[]>;
}

/**
 * What a client target remembers in the store after each write: where each
 * folder and each request with an operation identity was written, under
 * which name and endpoint, and what the engine itself wrote for requests it
 * keeps after their operation was removed upstream.
 */
export interface CollectionIdentityRecord {
  /** 2 since issue 12; records of version 1 are read too (see `requests`). */
  v: 1 | 2;
  /**
   * Requests with an operation identity: where in the written tree (JSON
   * Pointer, `/folders/0/requests/2`), key, name, and `METHOD /signature`
   * (the endpoint as `endpointSignature` writes it: parameter names, query
   * and fragment kept). Version 1 records hold `METHOD /path` instead
   * (parameters `{}`, no query, no fragment).
   */
  requests: Array<{ path: string; key: string; name: string; endpoint: string }>;
  /** Folders: JSON Pointer in the written tree, key and name. */
  folders: Array<{ path: string; key: string; name: string }>;
  /**
   * Requests the engine keeps (marked, under `remove` and `deprecate`) after
   * upstream removed their operation, by key: the upstream request as it was
   * before the removal. When the operation comes back, the local request
   * (mark taken off) is merged against it, so only what the user changed
   * counts as a local change.
   */
  kept?: Record<string, KeyedRequest>;
}

/**
 * `record[key]` when `record` has that key itself, else `undefined`: keys
 * are folder names and operation ids, and `record["constructor"]` must not
 * find `Object.prototype.constructor`.
 */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

const stringKey = (item: unknown): string | undefined => (typeof item === 'string' ? item : undefined);

/**
 * The identity key of a list item for an {@link IdentityRule}: its string
 * field `name` (lower-cased with `lower`, for names compared without case,
 * such as HTTP headers); `undefined` when the item has none.
 */
export const identityField =
  (name: string, lower = false) =>
  (item: unknown): string | undefined => {
    if (item === null || typeof item !== 'object') return undefined;
    const value = (item as Record<string, unknown>)[name];
    if (typeof value !== 'string') return undefined;
    return lower ? value.toLowerCase() : value;
  };

/**
 * Identity rules of a {@link KeyedCollection} for the three-way merge: the
 * order lists as sets of keys, then the client's own rules for the lists
 * inside a request (headers, params, form fields, variables, scripts...).
 * Folders and requests are maps already, merged key by key, field by field.
 */
export function collectionIdentityRules(clientRules: readonly IdentityRule[]): readonly IdentityRule[] {
  return [{ path: '/folderOrder/*', key: stringKey, set: true }, { path: '/requestOrder/*', key: stringKey, set: true }, ...clientRules];
}
