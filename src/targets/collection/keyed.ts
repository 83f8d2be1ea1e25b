/**
 * A client's collection tree to the keyed form and back: which request is
 * which operation (ids, the stored record of the last write, what was just
 * rendered), which folder is which, and the nesting and the record of where
 * everything was written. Client-neutral: a client format shows its file as
 * a {@link CollectionTree} whose requests are {@link MatchableRequest}s.
 *
 * @module
 */
import { endpointSignature } from './identity.js';
import { type IdentityAmbiguity, type MatchableRequest, type OperationHint, type ShapeOf, matchRequests } from './match.js';
import {
  COLLECTION_ROOT_KEY,
  USER_KEY_PREFIX,
  type CollectionIdentityRecord,
  type KeyedCollection,
  type KeyedFolder,
  type KeyedRequest,
  ownEntry,
} from './model.js';

/**
 * A collection (or folder) as a tree, the form a client format reads its
 * file into: its own fields, its folders and its requests, in order. Each
 * request shows `id`, `method`, `name` and `endpoint` at its top level (see
 * {@link MatchableRequest}).
 */
export interface CollectionTree<R extends MatchableRequest = MatchableRequest> {
  /** The folder's name (a folder is a tag). */
  readonly name: unknown;
  readonly folders: readonly CollectionTree<R>[];
  readonly requests: readonly R[];
}

/** What `keyCollection` may use to tie a local request to its operation. */
export interface IdentityHints {
  /** The record of the last write. */
  stored?: CollectionIdentityRecord | undefined;
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

interface FoundRequest<R> {
  path: string;
  /** JSON Pointer of the folder it is in, `""` for the root. */
  folderPath: string;
  request: R;
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
export function keyCollection<R extends MatchableRequest>(
  collection: CollectionTree<R>,
  hints: IdentityHints = {},
  shapeOf?: ShapeOf<R>,
): KeyedCollection {
  const stored = hints.stored;

  // Every folder and request with the JSON Pointer of where it is.
  const folderEntries: Array<{ path: string; node: CollectionTree<R> }> = [];
  const found: FoundRequest<R>[] = [];
  const collect = (node: CollectionTree<R>, path: string): void => {
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
    !id.startsWith(USER_KEY_PREFIX) &&
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
    shapeOf,
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
        : `${String(request.method).toUpperCase()} ${endpointSignature(String(request.endpoint))} ${String(request.name)}`;
    const key = uniqueKey(`${USER_KEY_PREFIX}${own}`, taken);
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
    if (at !== undefined && at.name === String(entry.node.name) && !claimedFolders.has(at.key)) claim(entry.path, at.key);
  }
  // 2. Same name elsewhere (a moved folder).
  for (const entry of unclaimed()) {
    const byName = storedFolders.find((f) => f.name === String(entry.node.name) && !claimedFolders.has(f.key));
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
    if (at !== undefined && !claimedFolders.has(at.key) && !folderEntries.some((e) => String(e.node.name) === at.name))
      claim(entry.path, at.key);
  }
  // 5. Its name.
  for (const entry of unclaimed()) claim(entry.path, uniqueKey(String(entry.node.name), claimedFolders));

  // The keyed form.
  const folders: Record<string, KeyedFolder> = {};
  const folderOrder: Record<string, string[]> = {};
  const requestOrder: Record<string, string[]> = {};
  const keyAt = (path: string): string | null => (path === '' ? null : (folderKeyOf.get(path) as string));
  for (const { path, node } of folderEntries) {
    const key = keyAt(path) as string;
    const parent = keyAt(path.slice(0, path.lastIndexOf('/folders/')));
    folders[key] = { parent, folder: ownFields(node) };
    listAt(folderOrder, parent ?? COLLECTION_ROOT_KEY).push(key);
  }
  const requests: Record<string, KeyedRequest> = {};
  found.forEach(({ folderPath, request }, index) => {
    const key = keys[index] as string;
    const folder = keyAt(folderPath);
    let fields: Json;
    if (key.startsWith(USER_KEY_PREFIX)) fields = { ...(request as unknown as Json) };
    else {
      const { id: _id, ...rest } = request as unknown as Json;
      fields = rest;
    }
    requests[key] = { folder, request: fields };
    listAt(requestOrder, folder ?? COLLECTION_ROOT_KEY).push(key);
  });

  return { collection: ownFields(collection), folders, requests, folderOrder, requestOrder };
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
  if (name !== '' && name !== COLLECTION_ROOT_KEY && name !== '__proto__' && !taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name}#${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The fields of a folder or collection without its `folders` and `requests`. */
export function ownFields(node: object): Json {
  const { folders: _folders, requests: _requests, ...rest } = node as Json;
  return rest;
}

/** How {@link nestCollection} builds a client's tree; `S` is what a folder hands down to its children. */
export interface NestHooks<N, R, S> {
  /** What the root hands down. */
  readonly root: S;
  /**
   * A folder's (or, with `key` `null`, the collection's) own fields before
   * its children are built, and what it hands down to them. Default: the
   * fields as they are, the parent's state.
   */
  enter?(fields: Record<string, unknown>, state: S, key: string | null): { fields: Record<string, unknown>; state: S };
  /** Build a folder (or, with `key` `null`, the collection) from its fields and built children. */
  folder(fields: Record<string, unknown>, children: { folders: N[]; requests: R[] }, key: string | null, state: S): N;
  /**
   * Build a request from its fields: for a request keyed by operation
   * identity, `id` is the key (written back as the request's id); for a
   * user's request, `id` is `undefined` and `fields` are as the user had
   * them (an id copied from a synced request, as a "Duplicate" makes, taken off).
   */
  request(fields: Record<string, unknown>, id: string | undefined, state: S): R;
}

/** What {@link nestCollection} returns. */
export interface NestedCollection<N> {
  /** The collection, nested again (not yet validated). */
  collection: N;
  /** Where each folder and identity-keyed request went, for the store. */
  record: CollectionIdentityRecord;
}

/**
 * Nest a keyed collection again: folders under their parents, requests in
 * their folders, each list in its order (entries missing from an order list
 * follow, in map order), built by the client's `hooks`. A folder whose
 * parent is missing or part of a cycle goes to the root; a request whose
 * folder is missing goes to the root. A user request carrying the `id` of
 * another request (a duplicate) is built without it. The record lists each
 * folder and identity-keyed request at its JSON Pointer in the tree
 * (`/folders/0/requests/2`) with its name and `METHOD /signature`.
 */
export function nestCollection<N, R, S>(keyed: KeyedCollection, hooks: NestHooks<N, R, S>): NestedCollection<N> {
  const { folders, requests } = keyed;
  const record: CollectionIdentityRecord = { v: 2, requests: [], folders: [] };

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
  const childFolders = groupOrdered(Object.keys(folders), (key) => parentOf.get(key) ?? null, keyed.folderOrder);
  const childRequests = groupOrdered(
    Object.keys(requests),
    (key) => {
      const folder = ownEntry(requests, key)?.folder ?? null;
      return folder !== null && ownEntry(folders, folder) !== undefined ? folder : null;
    },
    keyed.requestOrder,
  );

  const build = (own: Json, key: string | null, path: string, parentState: S): N => {
    const { fields, state } = hooks.enter?.(own, parentState, key) ?? { fields: own, state: parentState };
    const subFolders = (childFolders.get(key ?? COLLECTION_ROOT_KEY) ?? []).map((childKey, index) => {
      const childPath = `${path}/folders/${index}`;
      const child = folders[childKey] as KeyedFolder;
      record.folders.push({ path: childPath, key: childKey, name: String(child.folder.name ?? '') });
      return build(child.folder, childKey, childPath, state);
    });
    const subRequests = (childRequests.get(key ?? COLLECTION_ROOT_KEY) ?? []).map((requestKey, index) => {
      const entry = requests[requestKey] as KeyedRequest;
      if (requestKey.startsWith(USER_KEY_PREFIX)) {
        // A copy of a synced request (a "Duplicate") carries the original's id: drop it, the id is the original's.
        const { id, ...rest } = entry.request;
        const copied = typeof id === 'string' && !id.startsWith(USER_KEY_PREFIX) && ownEntry(requests, id) !== undefined;
        return hooks.request(copied ? rest : entry.request, undefined, state);
      }
      const request = entry.request;
      record.requests.push({
        path: `${path}/requests/${index}`,
        key: requestKey,
        name: String(request.name ?? ''),
        endpoint: `${String(request.method ?? '').toUpperCase()} ${endpointSignature(String(request.endpoint ?? ''))}`,
      });
      return hooks.request(request, requestKey, state);
    });
    return hooks.folder(fields, { folders: subFolders, requests: subRequests }, key, state);
  };
  const collection = build(keyed.collection, null, '', hooks.root);
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
    const parent = parentOf(key) ?? COLLECTION_ROOT_KEY;
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
