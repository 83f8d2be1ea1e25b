/**
 * The Bruno collection as the tree the shared collection model keys and
 * nests: a request shows `id`, `name`, `method` and `endpoint` at its top
 * level (see `CollectionTree`), with every other block of its `.bru` file
 * beside them; `seq` is the order of the lists, not a field.
 *
 * @module
 */
import type { BrunoCollection, BrunoConfig } from './collection.js';
import type { BruEnvironmentFile, BruFolderFile, BruKeyValue, BruParam, BruRequestFile, BruVar } from './lang.js';

/**
 * A request of a {@link BrunoTree}: the blocks of its `.bru` file, with
 * `meta` and the method block spread into plain fields.
 */
export interface BrunoTreeRequest {
  /** The operation identity (rendered requests only: a `.bru` file has no id). */
  id?: string;
  /** `meta.name`: the request's name in the app. */
  name: string;
  /** `GET`, `POST`, …: the method block. */
  method: string;
  /** The URL without its query (`{{baseUrl}}/pets/:petId`): the query is written from the enabled `params:query`. */
  endpoint: string;
  /** The file name without `.bru`. */
  file: string;
  /** The body mode of the method block (`none`, `json`, `formUrlEncoded`, …). */
  bodyMode: string;
  /** The auth mode of the method block (`inherit`, `none`, `bearer`, …). */
  authMode: string;
  /** `meta.tags`. */
  tags?: string[];
  params: BruParam[];
  headers: BruKeyValue[];
  auth?: Record<string, unknown>;
  body?: Record<string, unknown>;
  script?: { req?: string; res?: string };
  vars?: { req?: BruVar[]; res?: BruVar[] };
  assertions?: BruKeyValue[];
  tests?: string;
  docs?: string;
  /** Every other block (`settings`, `examples`, …), kept as it is. */
  [block: string]: unknown;
}

/** A folder of a {@link BrunoTree}: a directory and its `folder.bru`. */
export interface BrunoTreeFolder {
  /** `meta.name` of its `folder.bru`, else the directory name. */
  name: string;
  /** The directory name. */
  dir: string;
  /** The rest of its `folder.bru` (`auth`, `headers`, `script`, `vars`, `tests`, `docs`), without `meta.name` and `meta.seq`. */
  settings: BruFolderFile;
  folders: BrunoTreeFolder[];
  requests: BrunoTreeRequest[];
}

/** A Bruno collection as a tree: `bruno.json`, `collection.bru`, environments, folders and requests in order. */
export interface BrunoTree {
  /** `bruno.json` `name`. */
  name: string;
  /** The rest of `bruno.json`. */
  config: Omit<BrunoConfig, 'name'>;
  /** `collection.bru`. */
  root?: BruFolderFile;
  /** `environments/NAME.bru` by NAME. */
  environments: Record<string, BruEnvironmentFile>;
  folders: BrunoTreeFolder[];
  requests: BrunoTreeRequest[];
}

const METHOD_BLOCK_KEYS = new Set(['meta', 'http']);

/** The tree of a parsed collection folder: folders and requests in `seq` order (then by name), `seq` dropped. */
export function treeOf(collection: BrunoCollection): BrunoTree {
  const { name, ...config } = collection.config;
  const tree: BrunoTree = {
    name: typeof name === 'string' ? name : '',
    config,
    environments: collection.environments,
    folders: [],
    requests: [],
  };
  if (collection.root !== undefined) tree.root = collection.root;
  const nodes = new Map<string, { node: BrunoTreeFolder | BrunoTree; seq: number }>([['', { node: tree, seq: 0 }]]);
  const folderPaths = Object.keys(collection.folders).sort((a, b) => a.split('/').length - b.split('/').length || compare(a, b));
  const pending: Array<{ parent: string; seq: number; entry: BrunoTreeFolder }> = [];
  for (const path of folderPaths) {
    const file = collection.folders[path] as BruFolderFile;
    const dir = path.slice(path.lastIndexOf('/') + 1);
    const { meta, ...settings } = file;
    // `type: collection` is what collectionBruToJson adds to every meta block it reads, not part of the file.
    const { name: folderName, seq, type: _type, ...restMeta } = meta ?? {};
    const entry: BrunoTreeFolder = {
      name: typeof folderName === 'string' && folderName !== '' ? folderName : dir,
      dir,
      settings: Object.keys(restMeta).length > 0 ? { meta: restMeta, ...settings } : settings,
      folders: [],
      requests: [],
    };
    nodes.set(path, { node: entry, seq: seqOf(seq) });
    pending.push({ parent: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '', seq: seqOf(seq), entry });
  }
  const byParent = (list: Array<{ parent: string; seq: number; entry: BrunoTreeFolder }>) =>
    [...list].sort((a, b) => a.seq - b.seq || compare(a.entry.dir, b.entry.dir));
  for (const { parent, entry } of byParent(pending)) nodes.get(parent)?.node.folders.push(entry);
  const requests = Object.entries(collection.requests).map(([path, file]) => {
    const cut = path.lastIndexOf('/');
    return { parent: cut < 0 ? '' : path.slice(0, cut), seq: seqOf(file.meta?.seq), request: requestOf(path.slice(cut + 1), file) };
  });
  requests.sort((a, b) => a.seq - b.seq || compare(a.request.file, b.request.file));
  for (const { parent, request } of requests) nodes.get(parent)?.node.requests.push(request);
  return tree;
}

/** The tree request of one `.bru` file (`fileName` with its extension). */
export function requestOf(fileName: string, file: BruRequestFile): BrunoTreeRequest {
  const { meta, http, params, headers, ...blocks } = file;
  const { name, seq: _seq, type: _type, tags, ...restMeta } = meta ?? { name: '' };
  const url = http?.url ?? '';
  const cut = url.indexOf('?');
  const request: BrunoTreeRequest = {
    name: typeof name === 'string' ? name : '',
    method: (http?.method ?? 'get').toUpperCase(),
    endpoint: cut < 0 ? url : url.slice(0, cut),
    file: fileName.endsWith('.bru') ? fileName.slice(0, -'.bru'.length) : fileName,
    bodyMode: http?.body ?? 'none',
    authMode: http?.auth ?? 'none',
    params: params ?? [],
    headers: headers ?? [],
  };
  if (Array.isArray(tags) && tags.length > 0) request.tags = tags;
  if (Object.keys(restMeta).length > 0) request.meta = restMeta;
  for (const [key, value] of Object.entries(blocks)) if (!METHOD_BLOCK_KEYS.has(key)) request[key] = value;
  return request;
}

/** The `.bru` file of a tree request at position `seq` (1-based) of its folder. */
export function requestFile(request: BrunoTreeRequest, seq: number): BruRequestFile {
  const { id: _id, name, method, endpoint, file: _file, bodyMode, authMode, tags, params, headers, meta: extraMeta, ...blocks } = request;
  const query = params
    .filter((p) => p.type === 'query' && p.enabled)
    .map((p) => `${p.name}=${p.value}`)
    .join('&');
  const file: BruRequestFile = {
    meta: {
      name,
      type: 'http',
      seq: String(seq),
      ...(isRecord(extraMeta) ? extraMeta : {}),
      ...(tags !== undefined && tags.length > 0 ? { tags } : {}),
    },
    http: { method: method.toLowerCase(), url: query === '' ? endpoint : `${endpoint}?${query}`, body: bodyMode, auth: authMode },
  };
  if (params.length > 0) file.params = params;
  if (headers.length > 0) file.headers = headers;
  for (const [key, value] of Object.entries(blocks)) if (value !== undefined) file[key] = value;
  return file;
}

/** The `folder.bru` of a tree folder at position `seq` (1-based) of its parent. */
export function folderFile(folder: Pick<BrunoTreeFolder, 'name' | 'settings'>, seq: number): BruFolderFile {
  const { meta, ...settings } = folder.settings;
  return { meta: { name: folder.name, seq: String(seq), ...(meta ?? {}) }, ...settings };
}

/** The parsed collection a tree is written as: directories and file names as the tree says, `seq` from the order. */
export function collectionOf(tree: BrunoTree): BrunoCollection {
  const collection: BrunoCollection = {
    config: { ...tree.config, name: tree.name } as BrunoConfig,
    folders: {},
    requests: {},
    environments: tree.environments,
  };
  if (tree.root !== undefined) collection.root = tree.root;
  const visit = (node: BrunoTree | BrunoTreeFolder, prefix: string): void => {
    node.folders.forEach((folder, index) => {
      const path = `${prefix}${folder.dir}`;
      collection.folders[path] = folderFile(folder, index + 1);
      visit(folder, `${path}/`);
    });
    node.requests.forEach((request, index) => {
      collection.requests[`${prefix}${request.file}.bru`] = requestFile(request, index + 1);
    });
  };
  visit(tree, '');
  return collection;
}

function seqOf(value: unknown): number {
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A request with its lists in the order its `.bru` file holds them (what a
 * read gives back): query params enabled then disabled, then path params
 * (always enabled: a `params:path` line cannot be disabled); headers,
 * form fields and assertions enabled then disabled; variables enabled, then
 * enabled local (`@`), then disabled. Returns `request` itself when it is
 * in that order already.
 */
export function inFileOrder(request: BrunoTreeRequest): BrunoTreeRequest {
  let out = request;
  const set = (key: string, value: unknown) => {
    if (out === request) out = { ...request };
    out[key] = value;
  };
  const params = request.params;
  if (Array.isArray(params)) {
    const query = params.filter((p) => p.type !== 'path');
    const path = params.filter((p) => p.type === 'path').map((p) => (p.enabled ? p : { ...p, enabled: true }));
    const ordered = [...enabledFirst(query), ...path];
    if (ordered.some((p, i) => p !== params[i])) set('params', ordered);
  }
  for (const key of ['headers', 'assertions'] as const) {
    const list = request[key];
    if (Array.isArray(list)) {
      const ordered = enabledFirst(list);
      if (ordered.some((p, i) => p !== list[i])) set(key, ordered);
    }
  }
  if (isRecord(request.body)) {
    let body = request.body;
    for (const key of ['formUrlEncoded', 'multipartForm']) {
      const list = body[key];
      if (!Array.isArray(list)) continue;
      const ordered = enabledFirst(list as BruKeyValue[]);
      if (ordered.some((p, i) => p !== list[i])) body = { ...body, [key]: ordered };
    }
    if (body !== request.body) set('body', body);
  }
  if (isRecord(request.vars)) {
    let vars = request.vars;
    for (const key of ['req', 'res'] as const) {
      const list = vars[key];
      if (!Array.isArray(list)) continue;
      const ordered = [
        ...list.filter((v) => v.enabled && !v.local),
        ...list.filter((v) => v.enabled && v.local),
        ...list.filter((v) => !v.enabled),
      ];
      if (ordered.some((p, i) => p !== list[i])) vars = { ...vars, [key]: ordered };
    }
    if (vars !== request.vars) set('vars', vars);
  }
  return out;
}

function enabledFirst<T extends { enabled: boolean }>(list: readonly T[]): T[] {
  return [...list.filter((item) => item.enabled), ...list.filter((item) => !item.enabled)];
}
