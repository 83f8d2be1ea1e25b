/**
 * The normalised (keyed) form of a Hoppscotch collection that the
 * Hoppscotch target merges: the client-neutral keyed model of
 * ../collection/ (folders and requests in maps keyed by a stable identity
 * instead of nested arrays, so that the three-way merge matches a request by
 * its operation wherever the user moved it), with Hoppscotch's nesting. See
 * docs/hoppscotch.md, "The sync target", and docs/collections.md.
 *
 * @module
 */
import type { IdentityRule } from '../../merge/index.js';
import {
  type CollectionIdentityRecord,
  type IdentityHints,
  type KeyedCollection as NormalisedCollection,
  collectionIdentityRules,
  identityField,
  keyCollection,
  nestCollection,
} from '../collection/index.js';
import { requestShape } from './match.js';
import type { HoppCollection } from './schema.js';

export { COLLECTION_ROOT_KEY as HOPP_ROOT_KEY, USER_KEY_PREFIX as HOPP_USER_KEY_PREFIX, ownEntry } from '../collection/index.js';
export type {
  IdentityHints,
  KeyedCollection as NormalisedCollection,
  KeyedFolder as NormalisedFolder,
  KeyedRequest as NormalisedRequest,
} from '../collection/index.js';

/**
 * What the target remembers in the store after each write (record
 * `hoppscotch-identities`): the client-neutral identity record, paths being
 * JSON Pointers in the written collection file.
 */
export type HoppIdentityRecord = CollectionIdentityRecord;

type Json = Record<string, unknown>;

/**
 * Turn a collection into its keyed form (see `keyCollection`: request keys
 * from ids, the stored record and the render's operations; folder keys from
 * the stored record and names), ties between requests broken by their
 * Hoppscotch shape (`requestShape`).
 */
export function normaliseCollection(collection: HoppCollection, hints: IdentityHints = {}): NormalisedCollection {
  return keyCollection(collection, hints, requestShape);
}

/** What {@link denormaliseCollection} returns. */
export interface DenormalisedCollection {
  /** The collection, nested again (not yet validated). */
  collection: HoppCollection;
  /** Where each folder and identity-keyed request went, for the store. */
  record: HoppIdentityRecord;
}

/**
 * Nest a keyed collection again (see `nestCollection`). A request keyed by
 * operation identity gets the key as its `id`. A v12 folder inside a v11 one
 * is written as v11 (without collection scripts). Keys in Hoppscotch's own
 * order: `v`, (`id`,) `name`, `folders`, `requests`, the rest. The result is
 * not validated: the target does that before writing.
 */
export function denormaliseCollection(normalised: NormalisedCollection): DenormalisedCollection {
  const { collection, record } = nestCollection<HoppCollection, Json, number>(normalised, {
    root: 12,
    enter(fields, maxVersion) {
      const node: Json = { ...fields };
      let version = node.v === 11 || node.v === 12 ? node.v : 12;
      if (version > maxVersion) {
        version = maxVersion;
        delete node.preRequestScript;
        delete node.testScript;
      }
      node.v = version;
      return { fields: node, state: version };
    },
    folder(node, children) {
      const { folders: _f, requests: _r, v, id, name, ...own } = node;
      return {
        v,
        ...(id === undefined ? {} : { id }),
        name,
        folders: children.folders,
        requests: children.requests,
        ...own,
      } as unknown as HoppCollection;
    },
    request(fields, id) {
      if (id === undefined) return fields;
      const { v, ...rest } = fields;
      return { v, id, ...rest };
    },
  });
  return { collection, record };
}

/**
 * Identity rules of the {@link NormalisedCollection} for the three-way merge:
 * order lists as sets of keys; headers by `key` case-insensitively; query
 * params, request variables, collection and folder variables and form fields
 * by `key`. Folders and requests are maps already (merged key by key), and
 * so are saved `responses` (by name).
 */
export const hoppscotchTargetIdentityRules: readonly IdentityRule[] = collectionIdentityRules([
  { path: '/**/headers', key: identityField('key', true) },
  { path: '/**/params', key: identityField('key') },
  { path: '/**/requestVariables', key: identityField('key') },
  { path: '/**/variables', key: identityField('key') },
  { path: '/**/body/body', key: identityField('key') },
]);
