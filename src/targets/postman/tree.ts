/**
 * A Postman collection as the tree the shared collection model keys and
 * nests (see docs/collections.md): every item's request flattened to one
 * level, so its URL, query, path variables, headers, body, auth, scripts and
 * saved responses each merge on their own, and a request shows `id`,
 * `method`, `name` and `endpoint` for identity matching. Nothing of the file
 * is lost on the way: fields this module does not name are carried in
 * `item`, `request` and `url` and written back where they were.
 *
 * @module
 */
import type { IdentityRule } from '../../merge/index.js';
import {
  type CollectionTree,
  type IdentityHints,
  type KeyedCollection,
  type NestedCollection,
  type OperationHint,
  USER_KEY_PREFIX,
  collectionIdentityRules,
  identityField,
  keyCollection,
  nestCollection,
  operationHintsOf,
} from '../collection/index.js';
import {
  type PostmanAuth,
  type PostmanBody,
  type PostmanCollection,
  type PostmanDescription,
  type PostmanEvent,
  type PostmanFolder,
  type PostmanItem,
  type PostmanKeyValue,
  type PostmanRequest,
  type PostmanResponse,
  type PostmanVariable,
  isPostmanFolder,
} from './schema.js';
import { postmanUrl, readPostmanUrl } from './url.js';

type Json = Record<string, unknown>;

/** A request item, flattened (see the module comment). */
export interface PostmanTreeRequest {
  /** The item's `id`: the operation identity in what the target renders. */
  id?: string;
  name: string;
  method: string;
  /** The URL without its query: `{{baseUrl}}/pets/:petId`. */
  endpoint: string;
  /** Query parameters, `disabled` ones included. */
  query: PostmanKeyValue[];
  /** Path variables (`:name` in `endpoint`). */
  variable: PostmanVariable[];
  header: PostmanKeyValue[];
  hash?: string;
  body?: PostmanBody | null;
  /** Absent: the request inherits its folder's auth. */
  auth?: PostmanAuth | null;
  description?: PostmanDescription;
  /** Pre-request and test scripts. */
  event?: PostmanEvent[];
  /** Saved responses ("examples"). */
  response?: PostmanResponse[];
  /** The item's own `id` when it is not the operation identity (an id the Postman app gave it). */
  postmanId?: string;
  /** Other fields of the item, the request and its URL, written back where they were. */
  item?: Json;
  request?: Json;
  url?: Json;
}

/** A folder (or, at the root, the collection) of a {@link PostmanTree}. */
export interface PostmanTreeFolder {
  name: string;
  folders: PostmanTreeFolder[];
  requests: PostmanTreeRequest[];
  [field: string]: unknown;
}

/**
 * A collection as a tree: the root's `name` and `description` are
 * `info.name` and `info.description`, the rest of `info` stays in `info`;
 * in each folder, folders come first, then requests (the order Postman's
 * importer writes; a request the user put between folders moves after them).
 */
export interface PostmanTree extends PostmanTreeFolder {
  info: Json;
}

const ITEM_FIELDS = new Set(['id', 'name', 'request', 'response', 'event']);
const REQUEST_FIELDS = new Set(['url', 'method', 'header', 'body', 'auth', 'description']);
const URL_FIELDS = new Set(['raw', 'protocol', 'host', 'port', 'path', 'query', 'variable', 'hash']);

const rest = (value: Json, known: ReadonlySet<string>): Json | undefined => {
  let out: Json | undefined;
  for (const [key, field] of Object.entries(value)) {
    if (known.has(key)) continue;
    (out ??= {})[key] = field;
  }
  return out;
};

/** The tree of a collection file (checked by `parsePostmanCollection` first). */
export function treeOf(collection: PostmanCollection): PostmanTree {
  const { info, item, ...own } = collection;
  const { name, description, ...infoRest } = info;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    info: infoRest,
    ...own,
    ...children(item),
  };
}

function children(items: ReadonlyArray<PostmanItem | PostmanFolder>): { folders: PostmanTreeFolder[]; requests: PostmanTreeRequest[] } {
  const folders: PostmanTreeFolder[] = [];
  const requests: PostmanTreeRequest[] = [];
  for (const entry of items) {
    if (isPostmanFolder(entry)) {
      const { item, name, ...own } = entry;
      folders.push({ name: name ?? '', ...own, ...children(item) });
    } else requests.push(flatten(entry));
  }
  return { folders, requests };
}

/**
 * The flattened form of each item, and the item of each flattened request,
 * made so far: a request that did not change between two writes (the merge
 * keeps the rendered object) is converted once. Both sides are treated as
 * read-only.
 */
const flattened = new WeakMap<PostmanItem, PostmanTreeRequest>();
const items = new WeakMap<PostmanTreeRequest, PostmanItem>();

/** One request item, flattened. */
export function flatten(item: PostmanItem): PostmanTreeRequest {
  let flat = flattened.get(item);
  if (flat === undefined) {
    flat = flattenItem(item);
    flattened.set(item, flat);
  }
  return flat;
}

function flattenItem(item: PostmanItem): PostmanTreeRequest {
  const request: PostmanRequest = typeof item.request === 'string' ? { url: item.request } : item.request;
  const url = readPostmanUrl(request.url);
  const out: PostmanTreeRequest = {
    ...(item.id === undefined ? {} : { id: item.id, postmanId: item.id }),
    name: item.name ?? '',
    method: (request.method ?? 'GET').toUpperCase(),
    endpoint: url.address,
    query: url.query,
    variable: url.variable,
    header: Array.isArray(request.header) ? request.header : [],
  };
  if (url.hash !== undefined) out.hash = url.hash;
  if (request.body !== undefined) out.body = request.body;
  if (request.auth !== undefined) out.auth = request.auth;
  if (request.description !== undefined) out.description = request.description;
  if (item.event !== undefined) out.event = item.event;
  if (item.response !== undefined) out.response = item.response;
  const itemRest = rest(item, ITEM_FIELDS);
  if (itemRest !== undefined) out.item = itemRest;
  const requestRest = rest(request, REQUEST_FIELDS);
  // A header list written as one string (the format allows it) is kept as it was.
  if (typeof request.header === 'string') out.request = { ...requestRest, header: request.header };
  else if (requestRest !== undefined) out.request = requestRest;
  const urlRest = typeof request.url === 'object' ? rest(request.url, URL_FIELDS) : undefined;
  if (urlRest !== undefined) out.url = urlRest;
  return out;
}

/** A flattened request as the item Postman writes: `id`, `name`, `event`, `request`, `response`, then its other fields. */
export function itemOf(flat: PostmanTreeRequest): PostmanItem {
  let item = items.get(flat);
  if (item === undefined) {
    item = makeItem(flat);
    items.set(flat, item);
  }
  return item;
}

function makeItem(flat: PostmanTreeRequest): PostmanItem {
  const request: PostmanRequest = {
    method: flat.method,
    header: flat.header,
    ...(flat.body === undefined ? {} : { body: flat.body }),
    url: {
      ...postmanUrl({
        address: flat.endpoint,
        query: flat.query,
        variable: flat.variable,
        ...(flat.hash === undefined ? {} : { hash: flat.hash }),
      }),
      ...flat.url,
    },
    ...(flat.auth === undefined ? {} : { auth: flat.auth }),
    ...(flat.description === undefined ? {} : { description: flat.description }),
    ...flat.request,
  };
  const id = flat.postmanId ?? flat.id;
  return {
    ...(id === undefined ? {} : { id }),
    name: flat.name,
    ...(flat.event === undefined ? {} : { event: flat.event }),
    request,
    ...(flat.response === undefined ? {} : { response: flat.response }),
    ...flat.item,
  };
}

/** The collection file of a tree: `info` first (`_postman_id`, `name`, `description`, `schema`, the rest), then `item`, then the rest. */
export function collectionOf(tree: PostmanTree): PostmanCollection {
  const { name, description, info, folders, requests, ...own } = tree;
  const { _postman_id, schema, ...infoRest } = info;
  return {
    info: {
      ...(_postman_id === undefined ? {} : { _postman_id: _postman_id as string }),
      name,
      ...(description === undefined ? {} : { description: description as PostmanDescription }),
      schema: schema as string,
      ...infoRest,
    },
    item: itemList({ folders, requests }),
    ...own,
  };
}

function itemList(node: Pick<PostmanTreeFolder, 'folders' | 'requests'>): Array<PostmanItem | PostmanFolder> {
  return [
    ...node.folders.map((folder): PostmanFolder => {
      const { name, folders, requests, ...own } = folder;
      return { name, ...own, item: itemList({ folders, requests }) };
    }),
    ...node.requests.map(itemOf),
  ];
}

/** Every request of a tree, folders first, depth first. */
export function allTreeRequests(node: PostmanTreeFolder): PostmanTreeRequest[] {
  return [...node.folders.flatMap(allTreeRequests), ...node.requests];
}

// ------------------------------------------------------------------ identity

/**
 * The shape of a request, for telling apart operations on the same path:
 * its path variable, query and body field names and its body mode.
 */
export function postmanRequestShape(request: PostmanTreeRequest): string {
  const names = (list: ReadonlyArray<{ key?: string | null }> | undefined) =>
    (list ?? [])
      .map((entry) => String(entry.key ?? ''))
      .sort()
      .join(',');
  const body = request.body ?? undefined;
  let fields = '';
  if (Array.isArray(body?.formdata)) fields = names(body.formdata);
  else if (Array.isArray(body?.urlencoded)) fields = names(body.urlencoded);
  else if (typeof body?.raw === 'string' && body.raw.length <= 65_536) {
    try {
      const value: unknown = JSON.parse(body.raw);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) fields = Object.keys(value).sort().join(',');
    } catch {
      // Not JSON: no field names.
    }
  }
  return `${names(request.variable)}|${names(request.query)}|${body?.mode ?? ''}|${fields}`;
}

/**
 * What identity matching needs of each request of a rendered tree (see
 * `operationHintsOf`): the collection variables give an endpoint that
 * starts with one (`{{baseUrl}}/pets`) its literal spelling too
 * (`https://api.example.com/pets`), as a collection whose user wrote the
 * server URL in place of the variable holds it.
 */
export function postmanOperationHints(tree: PostmanTree): OperationHint[] {
  const variables = Array.isArray(tree.variable) ? (tree.variable as PostmanVariable[]) : [];
  const values = new Map(variables.flatMap((v) => (typeof v.key === 'string' && typeof v.value === 'string' ? [[v.key, v.value]] : [])));
  return operationHintsOf(allTreeRequests(tree), values, postmanRequestShape);
}

/**
 * The keyed form of a tree (`keyCollection`). An item id that is the
 * request's key is not kept twice: only an id the key does not say (one the
 * Postman app gave) stays, as `postmanId`, and is written back.
 */
export function keyPostmanTree(tree: PostmanTree, hints: IdentityHints): KeyedCollection {
  const keyed = keyCollection(tree, hints, postmanRequestShape);
  for (const [key, entry] of Object.entries(keyed.requests)) {
    const { postmanId } = entry.request;
    if (postmanId === undefined) continue;
    if (key.startsWith(USER_KEY_PREFIX) || postmanId === key) {
      const { postmanId: _id, ...fields } = entry.request;
      keyed.requests[key] = { ...entry, request: fields };
    }
  }
  return keyed;
}

/** The tree of a keyed collection (`nestCollection`): a request keyed by operation identity gets its key as `id`, unless it keeps its own. */
export function nestPostmanTree(keyed: KeyedCollection): NestedCollection<PostmanTree> {
  return nestCollection<PostmanTreeFolder, PostmanTreeRequest, null>(keyed, {
    root: null,
    folder: (fields, children) => ({ ...fields, name: String(fields.name ?? ''), ...children }),
    request(fields, id) {
      if (id === undefined) return fields as unknown as PostmanTreeRequest;
      const made = nested.get(fields);
      if (made?.id === id) return made;
      const request = { id, ...fields } as unknown as PostmanTreeRequest;
      nested.set(fields, request);
      return request;
    },
  }) as NestedCollection<PostmanTree>;
}

/** The request nested from each keyed request's fields (with its key as `id`), so an unchanged request is the same object at every write. */
const nested = new WeakMap<object, PostmanTreeRequest>();

/**
 * Identity rules of the keyed Postman collection: headers by `key`
 * case-insensitively; query parameters, path, collection and folder
 * variables, form and urlencoded fields and auth attributes by `key`;
 * scripts by `listen`; saved responses by `name`.
 */
export const postmanIdentityRules: readonly IdentityRule[] = collectionIdentityRules([
  { path: '/**/header', key: identityField('key', true) },
  { path: '/**/query', key: identityField('key') },
  { path: '/**/variable', key: identityField('key') },
  { path: '/**/body/formdata', key: identityField('key') },
  { path: '/**/body/urlencoded', key: identityField('key') },
  { path: '/**/event', key: identityField('listen') },
  { path: '/**/response', key: identityField('name') },
  { path: '/**/auth/*', key: identityField('key') },
]);

/** A tree is a {@link CollectionTree} of flattened requests. */
export type PostmanCollectionTree = CollectionTree<PostmanTreeRequest>;
