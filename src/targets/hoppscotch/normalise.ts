/**
 * The normalised (keyed) form of a Hoppscotch collection that the
 * Hoppscotch target merges: folders and requests in maps keyed by a stable
 * identity instead of nested arrays, so that the three-way merge matches a
 * request by its operation wherever the user moved it. See
 * docs/hoppscotch.md, "The sync target".
 *
 * @module
 */
import type { IdentityRule } from '../../merge/index.js';
import { endpointSignature } from './identity.js';
import { type IdentityAmbiguity, type OperationHint, matchRequests } from './match.js';
import type { HoppCollection, HoppRequest } from './schema.js';

/** The root key of {@link NormalisedCollection.folderOrder} and {@link NormalisedCollection.requestOrder}. */
export const HOPP_ROOT_KEY = '';

/** Keys of requests the user added (no operation identity) start with this. */
export const HOPP_USER_KEY_PREFIX = 'user:';

/** A folder of a {@link NormalisedCollection}. */
export interface NormalisedFolder {
  /** Key of the parent folder, `null` at the collection root. */
  parent: string | null;
  /** The folder's own fields (everything but `folders` and `requests`). */
  folder: Record<string, unknown>;
}

/** A request of a {@link NormalisedCollection}. */
export interface NormalisedRequest {
  /** Key of the folder it sits in, `null` at the collection root. */
  folder: string | null;
  /**
   * The request's fields. For a request keyed by operation identity the `id`
   * is left out (the key is the id and is written back as `id`); a
   * user-added request keeps whatever it had.
   */
  request: Record<string, unknown>;
}

/**
 * A collection as keyed maps, the `Local` shape of the Hoppscotch target:
 * - `collection`: the top-level fields without `folders` and `requests`;
 * - `folders`: folder key → parent key and fields;
 * - `requests`: request key (operation identity, or `user:…`) → folder key and fields;
 * - `folderOrder` / `requestOrder`: per parent (`""` is the root), the
 *   order of its folders / requests. They only order; where a request lives
 *   is its `folder` field.
 */
export interface NormalisedCollection {
  collection: Record<string, unknown>;
  folders: Record<string, NormalisedFolder>;
  requests: Record<string, NormalisedRequest>;
  folderOrder: Record<string, string[]>;
  requestOrder: Record<string, string[]>;
}

/**
 * What the target remembers in the store after each write (record
 * `hoppscotch-identities`): where each folder and each request with an
 * operation identity was written, under which name and endpoint, and what
 * the engine itself wrote for requests it keeps after their operation was
 * removed upstream.
 */
export interface HoppIdentityRecord {
  /** 2 since issue 12; records of version 1 are read too (see `requests`). */
  v: 1 | 2;
  /**
   * Requests with an operation identity: JSON Pointer in the written file,
   * key, name, and `METHOD /signature` (the endpoint as `endpointSignature`
   * writes it: parameter names, query and fragment kept). Version 1 records
   * hold `METHOD /path` instead (parameters `{}`, no query, no fragment).
   */
  requests: Array<{ path: string; key: string; name: string; endpoint: string }>;
  /** Folders: JSON Pointer in the written file, key and name. */
  folders: Array<{ path: string; key: string; name: string }>;
  /**
   * Requests the engine keeps (marked, under `remove` and `deprecate`) after
   * upstream removed their operation, by key: the upstream request as it was
   * before the removal. When the operation comes back, the local request
   * (mark taken off) is merged against it, so only what the user changed
   * counts as a local change.
   */
  kept?: Record<string, NormalisedRequest>;
}

/** What {@link normaliseCollection} may use to tie a local request to its operation. */
export interface IdentityHints {
  /** The record of the last write. */
  stored?: HoppIdentityRecord | undefined;
  /** The operations of rendered documents (see `operationHints`), for files whose ids were lost. */
  rendered?: Iterable<OperationHint> | undefined;
  /**
   * Take every request `id` as its key without checking it against the
   * hints (rendered collections, whose ids are operation identities).
   */
  trustIds?: boolean;
  /**
   * Called for each operation that several requests could be, equally well
   * (or that a request could be as well as another operation): none of them
   * gets its identity, and each stays the user's own.
   */
  onAmbiguity?: (ambiguity: IdentityAmbiguity) => void;
}

type Json = Record<string, unknown>;

interface FoundRequest {
  path: string;
  /** JSON Pointer of the folder it is in, `""` for the root. */
  folderPath: string;
  request: HoppRequest;
}

/**
 * Turn a collection into its keyed form. Request keys:
 * 1. the request's `id` when it is an operation identity we know (from the
 *    stored record or a render; with `trustIds`, any `id`). An id of the
 *    identity rules before issue 12 that a rendered operation has outgrown
 *    (`POST /` for `POST /#X-Amz-Target=…`) is not taken as it is, but is a
 *    signal below;
 * 2. every other request is matched to an operation not yet taken by every
 *    signal there is (see `matchRequests`): endpoint with query, fragment
 *    and parameter names, method, name, the place the stored record says it
 *    was written at, an old id, and its shape. A match is taken only where it
 *    is the best both ways; a tie is reported to `onAmbiguity`, never guessed;
 * 3. otherwise the request is the user's own: `user:` + its `id`, or its
 *    method, endpoint and name (`#2`, `#3` for duplicates).
 *
 * Folder keys, first match wins: the stored record's folder at the same
 * place with the same name; a stored folder of that name elsewhere (a moved
 * folder); the stored folder most of whose requests it now holds (a renamed
 * folder, moved or not); the stored folder at the same place whose name is
 * gone (a renamed, emptied folder); else the name (`#2`, ... for duplicates).
 */
export function normaliseCollection(collection: HoppCollection, hints: IdentityHints = {}): NormalisedCollection {
  const stored = hints.stored;

  // Every folder and request with the JSON Pointer of where it is.
  const folderEntries: Array<{ path: string; node: HoppCollection }> = [];
  const found: FoundRequest[] = [];
  const collect = (node: HoppCollection, path: string): void => {
    node.folders.forEach((child, index) => {
      const childPath = `${path}/folders/${index}`;
      folderEntries.push({ path: childPath, node: child });
      collect(child, childPath);
    });
    node.requests.forEach((request, index) => {
      found.push({ path: `${path}/requests/${index}`, folderPath: path, request });
    });
  };
  collect(collection, '');

  // Request keys.
  const storedRequests = stored?.requests ?? [];
  const rendered = [...(hints.rendered ?? [])];
  const renderedKeys = new Set(rendered.map((hint) => hint.key));
  const storedKeys = new Set(storedRequests.map((entry) => entry.key));
  const outgrown = new Set(rendered.flatMap((hint) => (hint.legacyId === undefined ? [] : [hint.legacyId])));
  const trusted = (id: string): boolean =>
    !id.startsWith(HOPP_USER_KEY_PREFIX) &&
    (hints.trustIds === true ||
      renderedKeys.has(id) ||
      (storedKeys.has(id) && !outgrown.has(id.replace(/#\d+$/, ''))) ||
      (renderedKeys.size === 0 && storedKeys.size === 0));
  const legacy = stored?.v === 1;
  const match = matchRequests(
    found,
    trusted,
    rendered,
    storedRequests.map((entry) => ({ ...entry, legacy })),
  );
  for (const ambiguity of match.ambiguities) hints.onAmbiguity?.(ambiguity);
  const taken = new Set<string>();
  const keys: Array<string | undefined> = match.keys.map((key) => {
    if (key === undefined) return undefined;
    const safe = safeKey(key);
    taken.add(safe);
    return safe;
  });
  found.forEach(({ request }, index) => {
    if (keys[index] !== undefined) return;
    const own =
      typeof request.id === 'string' && request.id !== ''
        ? request.id.replace(/^user:/, '')
        : `${request.method.toUpperCase()} ${endpointSignature(request.endpoint)} ${request.name}`;
    const key = uniqueKey(`${HOPP_USER_KEY_PREFIX}${own}`, taken);
    keys[index] = key;
    taken.add(key);
  });

  // Folder keys.
  const storedFolders = stored?.folders ?? [];
  const storedFolderAt = new Map(storedFolders.map((f) => [f.path, f]));
  const claimedFolders = new Set<string>();
  const folderKeyOf = new Map<string, string>();
  const claim = (path: string, key: string) => {
    key = safeKey(key);
    folderKeyOf.set(path, key);
    claimedFolders.add(key);
  };
  const unclaimed = () => folderEntries.filter((entry) => !folderKeyOf.has(entry.path));
  // 1. Same place, same name.
  for (const entry of folderEntries) {
    const at = storedFolderAt.get(entry.path);
    if (at !== undefined && at.name === entry.node.name && !claimedFolders.has(at.key)) claim(entry.path, at.key);
  }
  // 2. Same name elsewhere (a moved folder).
  for (const entry of unclaimed()) {
    const byName = storedFolders.find((f) => f.name === entry.node.name && !claimedFolders.has(f.key));
    if (byName !== undefined) claim(entry.path, byName.key);
  }
  // 3. The stored folder most of whose requests it holds (a renamed folder, moved or not).
  const storedFolderOf = new Map<string, string>();
  for (const entry of storedRequests) {
    const folder = storedFolderAt.get(entry.path.slice(0, entry.path.lastIndexOf('/requests/')));
    if (folder !== undefined) storedFolderOf.set(entry.key, folder.key);
  }
  for (const entry of unclaimed()) {
    const votes = new Map<string, number>();
    found.forEach(({ folderPath }, index) => {
      const was = folderPath === entry.path ? storedFolderOf.get(keys[index] as string) : undefined;
      if (was !== undefined && !claimedFolders.has(was)) votes.set(was, (votes.get(was) ?? 0) + 1);
    });
    const best = [...votes].sort((a, b) => b[1] - a[1])[0];
    if (best !== undefined) claim(entry.path, best[0]);
  }
  // 4. Same place, the old name gone (a renamed, emptied folder).
  for (const entry of unclaimed()) {
    const at = storedFolderAt.get(entry.path);
    if (at !== undefined && !claimedFolders.has(at.key) && !folderEntries.some((e) => e.node.name === at.name)) claim(entry.path, at.key);
  }
  // 5. Its name.
  for (const entry of unclaimed()) claim(entry.path, uniqueKey(entry.node.name, claimedFolders));

  // The keyed form.
  const folders: Record<string, NormalisedFolder> = {};
  const folderOrder: Record<string, string[]> = {};
  const requestOrder: Record<string, string[]> = {};
  const keyAt = (path: string): string | null => (path === '' ? null : (folderKeyOf.get(path) as string));
  for (const { path, node } of folderEntries) {
    const key = keyAt(path) as string;
    const parent = keyAt(path.slice(0, path.lastIndexOf('/folders/')));
    folders[key] = { parent, folder: ownFields(node) };
    listAt(folderOrder, parent ?? HOPP_ROOT_KEY).push(key);
  }
  const requests: Record<string, NormalisedRequest> = {};
  found.forEach(({ folderPath, request }, index) => {
    const key = keys[index] as string;
    const folder = keyAt(folderPath);
    let fields: Json;
    if (key.startsWith(HOPP_USER_KEY_PREFIX)) fields = { ...request };
    else {
      const { id: _id, ...rest } = request;
      fields = rest;
    }
    requests[key] = { folder, request: fields };
    listAt(requestOrder, folder ?? HOPP_ROOT_KEY).push(key);
  });

  return { collection: ownFields(collection), folders, requests, folderOrder, requestOrder };
}

/**
 * `record[key]` when `record` has that key itself, else `undefined`: keys
 * are folder names and operation ids, and `record["constructor"]` must not
 * find `Object.prototype.constructor`.
 */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The list at `record[key]`, created when the record does not have it itself. */
function listAt(record: Record<string, string[]>, key: string): string[] {
  const list = ownEntry(record, key);
  if (list !== undefined) return list;
  const created: string[] = [];
  record[key] = created;
  return created;
}

/** A key that is safe as a plain object key: `__proto__` would set the prototype instead. */
function safeKey(key: string): string {
  return key === '__proto__' ? '__proto__#1' : key;
}

/** `name`, or `name#2`, `name#3`, ... : the first not in `taken` (an empty name starts at `#2`). */
function uniqueKey(name: string, taken: ReadonlySet<string>): string {
  if (name !== '' && name !== HOPP_ROOT_KEY && name !== '__proto__' && !taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name}#${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function ownFields(node: HoppCollection): Json {
  const { folders: _folders, requests: _requests, ...rest } = node;
  return rest;
}

/** What {@link denormaliseCollection} returns. */
export interface DenormalisedCollection {
  /** The collection, nested again (not yet validated). */
  collection: HoppCollection;
  /** Where each folder and identity-keyed request went, for the store. */
  record: HoppIdentityRecord;
}

/**
 * Nest a keyed collection again: folders under their parents, requests in
 * their folders, each list in its order (entries missing from an order list
 * follow, in map order). A request keyed by operation identity gets the key
 * as its `id`; a user request carrying the `id` of another request (a
 * duplicate) is written without it. A folder whose parent is missing or part of a cycle goes to
 * the root; a request whose folder is missing goes to the root. A v12 folder
 * inside a v11 one is written as v11 (without collection scripts). The
 * result is not validated: the target does that before writing.
 */
export function denormaliseCollection(normalised: NormalisedCollection): DenormalisedCollection {
  const { folders, requests } = normalised;
  const record: HoppIdentityRecord = { v: 2, requests: [], folders: [] };

  // Effective parent: a missing parent or a cycle puts the folder at the root.
  const parentOf = new Map<string, string | null>();
  for (const key of Object.keys(folders)) {
    let parent = ownEntry(folders, key)?.parent ?? null;
    if (parent !== null && ownEntry(folders, parent) === undefined) parent = null;
    parentOf.set(key, parent);
  }
  for (const key of parentOf.keys()) {
    const seen = new Set<string>([key]);
    for (let p = parentOf.get(key) ?? null; p !== null; p = parentOf.get(p) ?? null) {
      if (seen.has(p)) {
        parentOf.set(key, null);
        break;
      }
      seen.add(p);
    }
  }
  const childFolders = groupOrdered(Object.keys(folders), (key) => parentOf.get(key) ?? null, normalised.folderOrder);
  const childRequests = groupOrdered(
    Object.keys(requests),
    (key) => {
      const folder = ownEntry(requests, key)?.folder ?? null;
      return folder !== null && ownEntry(folders, folder) !== undefined ? folder : null;
    },
    normalised.requestOrder,
  );

  const build = (fields: Json, key: string | null, path: string, maxVersion: number): HoppCollection => {
    const node: Json = { ...fields };
    let version = node.v === 11 || node.v === 12 ? node.v : 12;
    if (version > maxVersion) {
      version = maxVersion;
      delete node.preRequestScript;
      delete node.testScript;
    }
    node.v = version;
    const subFolders = (childFolders.get(key ?? HOPP_ROOT_KEY) ?? []).map((childKey, index) => {
      const childPath = `${path}/folders/${index}`;
      const child = folders[childKey] as NormalisedFolder;
      record.folders.push({ path: childPath, key: childKey, name: String(child.folder.name ?? '') });
      return build(child.folder, childKey, childPath, version);
    });
    const subRequests = (childRequests.get(key ?? HOPP_ROOT_KEY) ?? []).map((requestKey, index) => {
      const entry = requests[requestKey] as NormalisedRequest;
      if (requestKey.startsWith(HOPP_USER_KEY_PREFIX)) {
        // A copy of a synced request (Hoppscotch's "Duplicate") carries the original's id: drop it, the id is the original's.
        const { id, ...rest } = entry.request;
        return typeof id === 'string' && !id.startsWith(HOPP_USER_KEY_PREFIX) && ownEntry(requests, id) !== undefined
          ? rest
          : entry.request;
      }
      const { v, ...rest } = entry.request;
      record.requests.push({
        path: `${path}/requests/${index}`,
        key: requestKey,
        name: String(rest.name ?? ''),
        endpoint: `${String(rest.method ?? '').toUpperCase()} ${endpointSignature(String(rest.endpoint ?? ''))}`,
      });
      return { v, id: requestKey, ...rest };
    });
    // Hoppscotch's own key order: v, (id,) name, folders, requests, the rest.
    const { folders: _f, requests: _r, v, id, name, ...own } = node;
    return {
      v,
      ...(id === undefined ? {} : { id }),
      name,
      folders: subFolders,
      requests: subRequests,
      ...own,
    } as unknown as HoppCollection;
  };
  const collection = build(normalised.collection, null, '', 12);
  return { collection, record };
}

/** Group keys by parent; each group in the parent's order list, then the rest in the given order. */
function groupOrdered(
  keys: readonly string[],
  parentOf: (key: string) => string | null,
  order: Record<string, string[]>,
): Map<string, string[]> {
  const groups = new Map<string, Set<string>>();
  for (const key of keys) {
    const parent = parentOf(key) ?? HOPP_ROOT_KEY;
    let group = groups.get(parent);
    if (group === undefined) groups.set(parent, (group = new Set()));
    group.add(key);
  }
  const out = new Map<string, string[]>();
  for (const [parent, members] of groups) {
    const ordered: string[] = [];
    for (const key of ownEntry(order, parent) ?? []) {
      if (members.delete(key)) ordered.push(key);
    }
    ordered.push(...members);
    out.set(parent, ordered);
  }
  return out;
}

const stringKey = (item: unknown): string | undefined => (typeof item === 'string' ? item : undefined);
const field =
  (name: string, lower = false) =>
  (item: unknown): string | undefined => {
    if (item === null || typeof item !== 'object') return undefined;
    const value = (item as Json)[name];
    if (typeof value !== 'string') return undefined;
    return lower ? value.toLowerCase() : value;
  };

/**
 * Identity rules of the {@link NormalisedCollection} for the three-way merge:
 * order lists as sets of keys; headers by `key` case-insensitively; query
 * params, request variables, collection and folder variables and form fields
 * by `key`. Folders and requests are maps already (merged key by key), and
 * so are saved `responses` (by name).
 */
export const hoppscotchTargetIdentityRules: readonly IdentityRule[] = [
  { path: '/folderOrder/*', key: stringKey, set: true },
  { path: '/requestOrder/*', key: stringKey, set: true },
  { path: '/**/headers', key: field('key', true) },
  { path: '/**/params', key: field('key') },
  { path: '/**/requestVariables', key: field('key') },
  { path: '/**/variables', key: field('key') },
  { path: '/**/body/body', key: field('key') },
];
