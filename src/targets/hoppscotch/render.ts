/**
 * OpenAPI 3.0 / 3.1 document to Hoppscotch collection. Pure and
 * deterministic; see docs/hoppscotch.md for the mapping and where it
 * deliberately differs from Hoppscotch's own importer.
 *
 * @module
 */
import { TargetError } from '../../errors.js';
import { isFrozenTree } from '../../json/index.js';
import { renderAuth } from './auth.js';
import { renderBody, responseExamples } from './body.js';
import { readPointer, resolveRef, trackReads } from './example.js';
import { operationIdentity } from './identity.js';
import { parseCollection } from './parse.js';
import {
  type HoppAuth,
  type HoppCollection,
  type HoppCollectionV11,
  type HoppKeyValue,
  type HoppRequest,
  type HoppRequestVariable,
  type HoppResponse,
} from './schema.js';
import { checkOptions, optionKeys } from '../../options.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** Options of {@link renderCollection}. */
export interface RenderOptions {
  /** The collection version to write: 12 (default), or 11 for Hoppscotch releases that predate collection scripts. */
  collectionVersion?: 12 | 11;
  /** The name of the collection variable holding the base URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /**
   * Validate the result with {@link parseCollection} before returning it.
   * Default true. The sync target turns it off because it validates every
   * collection it writes anyway (it halves the cost of a render).
   */
  validate?: boolean;
}

/** What {@link renderCollection} returns. */
export interface RenderedCollection {
  /** The collection, valid by {@link parseCollection}. */
  collection: HoppCollection;
  /**
   * Where each operation went: JSON Pointer of the request in `collection`
   * (e.g. `/folders/0/requests/2`) → operation identity (also in the
   * request's `id`). Keys are in collection order.
   */
  operations: Record<string, string>;
}

/** The HTTP methods that become requests, in the order they are read from a path item. */
export const RENDERED_METHODS = ['get', 'head', 'post', 'put', 'delete', 'options', 'patch'] as const;

const RENDER_KEYS = optionKeys<RenderOptions>()(['collectionVersion', 'baseUrlVariable', 'validate']);

/**
 * Render an OpenAPI 3.0 or 3.1 document (Swagger 2 must be upgraded first)
 * as a Hoppscotch collection. Every request carries its operation identity
 * (`METHOD /path`, see docs/hoppscotch.md) in its `id`, and the returned `operations`
 * map lists where each went. The output is validated (unless `validate: false`) with
 * {@link parseCollection} before it is returned, and the same input always
 * gives byte-identical JSON.
 *
 * @throws TargetError `TARGET_INVALID` when `document` is not an OpenAPI 3.x
 * object, or the options are invalid.
 */
export function renderCollection(document: unknown, options: RenderOptions = {}): RenderedCollection {
  return renderWithCache(document, checkOptions<RenderOptions>('renderCollection options', options, RENDER_KEYS), undefined);
}

/**
 * Requests rendered before, by operation object, for {@link renderWithCache}.
 * Internal to the Hoppscotch target: it keeps one per target.
 */
export type RequestCache = WeakMap<object, CachedRequest>;

/** One operation's request with everything its render read. */
export interface CachedRequest {
  path: string;
  method: string;
  baseUrl: string;
  /** The server variable its endpoint starts with, `<<baseUrl>>` or another (see {@link serverVariables}). */
  server: string;
  /** The path item's `parameters` and `servers` (a request reads both). */
  itemParameters: unknown;
  itemServers: unknown;
  /** Every pointer the render followed, with the value it found. */
  reads: Map<string, unknown>;
  /** The identity before {@link unique} made it unique. */
  identity: string;
  request: HoppRequest & { id: string };
}

/**
 * {@link renderCollection}, reusing the request of each frozen operation
 * object rendered before (in `cache`) when nothing it read has changed: the
 * same path, method and path item `parameters` and `servers`, and every
 * `$ref` it followed still leading to the same object. The engine shares
 * what did not change between two versions of a document, so an
 * incremental sync renders only the operations that did. Cached requests
 * are shared between renders: callers must not change them.
 */
export function renderWithCache(document: unknown, options: RenderOptions, cache: RequestCache | undefined): RenderedCollection {
  const version = options.collectionVersion ?? 12;
  const baseUrl = options.baseUrlVariable ?? 'baseUrl';
  if (version !== 12 && version !== 11) {
    throw new TargetError('TARGET_INVALID', `Expected \`collectionVersion\` to be 12 or 11, got ${JSON.stringify(version)}.`, {
      hint: 'Leave it out for the newest format (12); use 11 for older Hoppscotch releases.',
    });
  }
  if (!/^[A-Za-z_][\w.-]*$/.test(baseUrl)) {
    throw new TargetError(
      'TARGET_INVALID',
      `Expected \`baseUrlVariable\` to be a variable name (letters, digits, _ . -), got ${JSON.stringify(baseUrl)}.`,
      {
        hint: 'Use a plain name such as "baseUrl".',
      },
    );
  }
  if (!isObject(document) || typeof document.openapi !== 'string' || !/^3\./.test(document.openapi)) {
    const got = isObject(document)
      ? `an object with openapi ${JSON.stringify(document.openapi)} and swagger ${JSON.stringify(document.swagger)}`
      : typeof document;
    throw new TargetError('TARGET_INVALID', `Expected an OpenAPI 3.0 or 3.1 document to render, got ${got}.`, {
      hint: 'Load the document with loadSpec(), which upgrades Swagger 2.0 to OpenAPI 3.0.',
    });
  }
  const documentServer = serverUrl(document.servers);
  const servers = serverVariables(document, baseUrl, documentServer);
  const context: Context = { document, baseUrl, servers, seen: new Map() };
  // Only a document frozen throughout can be trusted not to have changed under a cached request.
  if (!isFrozenTree(document)) cache = undefined;
  const info = isObject(document.info) ? document.info : {};
  const root: Draft = {
    name: nonEmpty(info.title) ?? 'Untitled Collection',
    description: nonEmpty(info.description) ?? null,
    folders: [],
    requests: [],
  };
  const folders = buildFolders(document, root);

  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = resolveRef(rawItem, document);
    if (!isObject(item)) continue;
    for (const method of Object.keys(item)) {
      if (!(RENDERED_METHODS as readonly string[]).includes(method)) continue;
      const operation = item[method];
      if (!isObject(operation)) continue;
      const request =
        cache === undefined
          ? renderRequest(context, path, method, item, operation)
          : cachedRequest(context, cache, path, method, item, operation);
      placeOf(operation, folders, root).requests.push(request);
    }
  }

  const operations: Record<string, string> = {};
  const collection = finish(root, version, true, '', operations);
  collection.variables = [{ key: baseUrl, initialValue: documentServer, currentValue: '', secret: false }];
  for (const [url, key] of servers)
    if (key !== baseUrl) collection.variables.push({ key, initialValue: url, currentValue: '', secret: false });
  collection.auth = renderAuth(document.security, document, 'collection');
  try {
    if (options.validate !== false) parseCollection(JSON.parse(JSON.stringify(collection)));
  } catch (error) {
    throw new TargetError('TARGET_INVALID', `The rendered collection is not valid (a bug in api-live-sync): ${(error as Error).message}`, {
      cause: error,
      hint: 'Please report it with the OpenAPI document that caused it.',
    });
  }
  return { collection, operations };
}

interface Context {
  readonly document: Json;
  readonly baseUrl: string;
  /** Server URL → the collection variable that holds it (see {@link serverVariables}). */
  readonly servers: ReadonlyMap<string, string>;
  /** Identities handed out so far, to keep them unique (a duplicated operationId gets `#2`). */
  readonly seen: Map<string, number>;
}

interface Draft {
  name: string;
  description: string | null;
  folders: Draft[];
  requests: Array<HoppRequest & { id: string }>;
}

// ---------------------------------------------------------------- folders

/**
 * One folder per tag. Tags nest by the OpenAPI 3.2 `parent` field of a tag
 * object (a tag's folder sits inside its parent's); a `/` in a tag name is
 * just a character. Folder order: the document's `tags` list, then tags only
 * used by operations, in the order first used. Folders that end up with no
 * request anywhere below them are left out.
 */
function buildFolders(document: Json, root: Draft): Map<string, { draft: Draft; depth: number }> {
  const declared = new Map<string, Json>();
  for (const tag of Array.isArray(document.tags) ? document.tags : []) {
    if (isObject(tag) && typeof tag.name === 'string' && !declared.has(tag.name)) declared.set(tag.name, tag);
  }
  const names = [...declared.keys()];
  for (const rawItem of Object.values(isObject(document.paths) ? document.paths : {})) {
    const item = resolveRef(rawItem, document);
    if (!isObject(item)) continue;
    for (const method of Object.keys(item)) {
      if (!(RENDERED_METHODS as readonly string[]).includes(method)) continue;
      const operation = item[method];
      if (!isObject(operation) || !Array.isArray(operation.tags)) continue;
      for (const tag of operation.tags) if (typeof tag === 'string' && !names.includes(tag)) names.push(tag);
    }
  }
  const parentOf = (name: string): string | undefined => {
    const parent = declared.get(name)?.parent;
    return typeof parent === 'string' && parent !== name && declared.has(parent) ? parent : undefined;
  };
  const depthOf = (name: string): number => {
    let depth = 0;
    const visited = new Set([name]);
    for (let p = parentOf(name); p !== undefined && !visited.has(p); p = parentOf(p)) {
      visited.add(p);
      depth++;
    }
    return depth;
  };
  const folders = new Map<string, { draft: Draft; depth: number }>();
  for (const name of names) {
    folders.set(name, {
      draft: { name, description: nonEmpty(declared.get(name)?.description) ?? null, folders: [], requests: [] },
      depth: depthOf(name),
    });
  }
  for (const name of names) {
    const entry = folders.get(name);
    if (entry === undefined) continue;
    const parent = parentOf(name);
    const parentEntry = parent === undefined || depthOf(name) === 0 ? undefined : folders.get(parent);
    (parentEntry?.draft ?? root).folders.push(entry.draft);
  }
  return folders;
}

/**
 * The folder of an operation: its deepest tag (the one with the most
 * `parent` ancestors), the first listed on a tie; the collection root when
 * it has no tags.
 */
function placeOf(operation: Json, folders: Map<string, { draft: Draft; depth: number }>, root: Draft): Draft {
  let best: { draft: Draft; depth: number } | undefined;
  for (const tag of Array.isArray(operation.tags) ? operation.tags : []) {
    const entry = typeof tag === 'string' ? folders.get(tag) : undefined;
    if (entry !== undefined && (best === undefined || entry.depth > best.depth)) best = entry;
  }
  return best?.draft ?? root;
}

function hasRequests(draft: Draft): boolean {
  return draft.requests.length > 0 || draft.folders.some(hasRequests);
}

function finish(draft: Draft, version: 11 | 12, isRoot: boolean, pointer: string, operations: Record<string, string>): HoppCollection {
  draft.requests.forEach((request, index) => {
    operations[`${pointer}/requests/${index}`] = request.id;
  });
  const folders = draft.folders
    .filter(hasRequests)
    .map((folder, index) => finish(folder, version, false, `${pointer}/folders/${index}`, operations));
  const auth: HoppAuth = isRoot ? { authType: 'none', authActive: true } : { authType: 'inherit', authActive: true };
  const rest = { requests: draft.requests, auth, headers: [], variables: [], description: draft.description };
  if (version === 11) return { v: 11, name: draft.name, folders: folders as HoppCollectionV11[], ...rest };
  return { v: 12, name: draft.name, folders, ...rest, preRequestScript: '', testScript: '' };
}

// ---------------------------------------------------------------- servers

/** `servers[0].url` with its variables replaced by their defaults, without a trailing slash; `""` when there is none. */
export function serverUrl(servers: unknown): string {
  const server: unknown = Array.isArray(servers) ? servers[0] : undefined;
  if (!isObject(server) || typeof server.url !== 'string') return '';
  const variables = isObject(server.variables) ? server.variables : {};
  const url = server.url.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    return isObject(variable) && variable.default !== undefined ? String(variable.default) : whole;
  });
  return url.length > 1 ? url.replace(/\/+$/, '') : url === '/' ? '' : url;
}

// ---------------------------------------------------------------- requests

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description: string;
  value: string;
}

/**
 * The operation's parameters with the path item's: an operation parameter
 * replaces a path-item one of the same `in` and `name`. Path-item ones come
 * first, in their order, then the operation's own.
 */
function parametersOf(item: Json, operation: Json, document: Json): Parameter[] {
  const merged = new Map<string, Json>();
  for (const list of [item.parameters, operation.parameters]) {
    for (const raw of Array.isArray(list) ? list : []) {
      const parameter = resolveRef(raw, document);
      if (!isObject(parameter) || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
      merged.set(`${parameter.in}\u0000${parameter.name}`, parameter);
    }
  }
  return [...merged.values()].map((parameter) => ({
    name: parameter.name as string,
    in: parameter.in as string,
    required: parameter.required === true || parameter.in === 'path',
    description: typeof parameter.description === 'string' ? parameter.description : '',
    value: parameter.in === 'path' ? pathVariableValue(parameter, document) : parameterValue(parameter, document),
  }));
}

/**
 * The value of a path variable: {@link parameterValue}, else the schema's
 * `example`, first `examples` entry or first non-null `enum` value, else
 * the placeholder `<name>`: a path variable is never empty, so a request
 * never goes out as `/items/` or `//` (the placeholder goes out
 * percent-encoded, `/items/%3Cid%3E`, and reads as what to fill in).
 */
export function pathVariableValue(parameter: Json, document: unknown): string {
  const value = parameterValue(parameter, document);
  if (value !== '') return value;
  const schema = resolveRef(parameter.schema, document);
  if (isObject(schema)) {
    const examples = Array.isArray(schema.examples) ? schema.examples : [];
    const enumValues = Array.isArray(schema.enum) ? schema.enum.filter((v) => v !== null) : [];
    const found = [schema.example, examples[0], enumValues[0]].find(
      (c) => c !== undefined && c !== null && typeof c !== 'object' && String(c) !== '',
    );
    if (found !== undefined) return String(found);
  }
  return `<${typeof parameter.name === 'string' ? parameter.name : 'value'}>`;
}

/** Example value of a parameter: `example`, first `examples[*].value`, `x-example`, `default`, `schema.default`; else `""`. */
export function parameterValue(parameter: Json, document: unknown): string {
  const examples = isObject(parameter.examples) ? Object.values(parameter.examples).map((e) => resolveRef(e, document)) : [];
  const fromExamples = examples.find((e) => isObject(e) && e.value !== undefined) as Json | undefined;
  const schema = resolveRef(parameter.schema, document);
  const candidates = [
    parameter.example,
    fromExamples?.value,
    parameter['x-example'],
    parameter.default,
    isObject(schema) ? schema.default : undefined,
  ];
  const value = candidates.find((c) => c !== undefined);
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(',');
  return JSON.stringify(value);
}

/** Headers a parameter may not set, per the OpenAPI specification (they come from the body and auth). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function renderRequest(context: Context, path: string, method: string, item: Json, operation: Json): HoppRequest & { id: string } {
  const { document } = context;
  const parameters = parametersOf(item, operation, document);
  const row = (p: Parameter): HoppKeyValue => ({
    key: p.name,
    value: p.value,
    active: p.required || p.value !== '',
    description: p.description,
  });
  const params = parameters.filter((p) => p.in === 'query').map(row);
  const headers = parameters.filter((p) => p.in === 'header' && !IGNORED_HEADERS.has(p.name.toLowerCase())).map(row);
  const cookies = parameters.filter((p) => p.in === 'cookie');
  if (cookies.length > 0) {
    headers.push({
      key: 'Cookie',
      value: cookies.map((c) => `${c.name}=${c.value}`).join('; '),
      active: cookies.some((c) => c.required || c.value !== ''),
      description: `Cookie parameters: ${cookies.map((c) => c.name).join(', ')}`,
    });
  }
  const requestVariables: HoppRequestVariable[] = parameters
    .filter((p) => p.in === 'path')
    .map((p) => ({ key: p.name, value: p.value, active: true }));

  const endpoint = `${serverOf(context, item, operation)}${path.replace(/\{([^{}]+)\}/g, '<<$1>>')}`;
  const name = nonEmpty(operation.summary) ?? nonEmpty(operation.operationId) ?? 'Untitled Request';
  const { body, others } = renderBody(operation.requestBody, document);
  const auth = renderAuth(operation.security, document, 'request');
  const description = describe(operation, others);
  const id = unique(context, identityOf(path, method, operation));

  const request: HoppRequest & { id: string } = {
    v: '17',
    id,
    name,
    method: method.toUpperCase(),
    endpoint,
    params,
    headers,
    preRequestScript: '',
    testScript: '',
    auth,
    body,
    requestVariables,
    responses: {},
    description,
  };
  for (const example of responseExamples(operation.responses, document)) {
    const response: HoppResponse = {
      name: example.name,
      originalRequest: structuredClone({
        v: '6' as const,
        name,
        method: request.method,
        endpoint,
        headers,
        params,
        body,
        auth,
        requestVariables,
      }),
      status: example.status,
      code: example.code,
      headers: example.headers,
      body: example.body,
    };
    request.responses[example.name] = response;
  }
  return request;
}

/** {@link renderRequest} through the cache: the request rendered before when nothing it read changed. */
function cachedRequest(
  context: Context,
  cache: RequestCache,
  path: string,
  method: string,
  item: Json,
  operation: Json,
): HoppRequest & { id: string } {
  const hit = cache.get(operation);
  const server = serverOf(context, item, operation);
  if (
    hit !== undefined &&
    hit.path === path &&
    hit.method === method &&
    hit.baseUrl === context.baseUrl &&
    hit.server === server &&
    hit.itemParameters === item.parameters &&
    hit.itemServers === item.servers &&
    unchangedReads(hit.reads, context.document)
  ) {
    const id = unique(context, hit.identity);
    return id === hit.request.id ? hit.request : { ...hit.request, id };
  }
  const identity = identityOf(path, method, operation);
  const { value: request, reads } = trackReads(() => renderRequest(context, path, method, item, operation));
  cache.set(operation, {
    path,
    method,
    baseUrl: context.baseUrl,
    server,
    itemParameters: item.parameters,
    itemServers: item.servers,
    reads,
    identity,
    request,
  });
  return request;
}

function unchangedReads(reads: ReadonlyMap<string, unknown>, document: Json): boolean {
  for (const [ref, value] of reads) if (readPointer(document, ref) !== value) return false;
  return true;
}

function identityOf(path: string, method: string, operation: Json): string {
  return operationIdentity(method, path, typeof operation.operationId === 'string' ? operation.operationId : undefined);
}

/**
 * The absolute server URL of an operation that has its own `servers` (or
 * whose path item has), resolved like {@link serverUrl}. A relative one is
 * ignored, like no override at all, as it is relative to where the document
 * was served.
 */
function serverOverride(item: Json, operation: Json): string | undefined {
  const servers = [operation.servers, item.servers].find((list) => Array.isArray(list) && list.length > 0);
  const url = serverUrl(servers);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : undefined;
}

/** `<<variable>>` the endpoint of an operation starts with: its own server's variable, else the base URL's. */
function serverOf(context: Context, item: Json, operation: Json): string {
  const url = serverOverride(item, operation);
  return `<<${(url === undefined ? undefined : context.servers.get(url)) ?? context.baseUrl}>>`;
}

/**
 * One collection variable per distinct server of operations and path items
 * (`servers` other than the document's): server URL → variable name, so that
 * every request moves with a variable when the user points it at a staging
 * server or a mock. The document's own server is `baseUrl`. Other names are
 * `baseUrl_` and the shortest readable part of the URL that no other server
 * shares: the host's first label (`https://uploads.github.com` →
 * `baseUrl_uploads`), else with the path (`baseUrl_api_v2`), else the whole
 * host and port (`baseUrl_files_a_example`); then `_2`, `_3` in URL order. An
 * IP address or `localhost` is written whole (`baseUrl_127_0_0_1_4010`).
 * Servers are taken in URL order. A name depends only on the set of servers
 * of the document, never on where an operation sits.
 */
export function serverVariables(document: Json, baseUrl: string, documentServer: string): Map<string, string> {
  const urls = new Set<string>();
  for (const rawItem of Object.values(isObject(document.paths) ? document.paths : {})) {
    const item = resolveRef(rawItem, document);
    if (!isObject(item)) continue;
    for (const method of RENDERED_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const url = serverOverride(item, operation);
      if (url !== undefined && url !== documentServer) urls.add(url);
    }
  }
  const names = new Map<string, string>();
  if (documentServer !== '') names.set(documentServer, baseUrl);
  const sorted = [...urls].sort();
  // Each server takes the shortest name no other server shares: host label, then with the path, then the whole host and port.
  const levels = [0, 1, 2].map((level) => {
    const slugs = new Map(sorted.map((url) => [url, slugOf(url, level)]));
    const counts = new Map<string, number>();
    for (const slug of slugs.values()) counts.set(slug, (counts.get(slug) ?? 0) + 1);
    return { slugs, counts };
  });
  const taken = new Set<string>([baseUrl]);
  for (const url of sorted) {
    const level = levels.find(({ slugs, counts }) => counts.get(slugs.get(url) as string) === 1) ?? (levels[2] as (typeof levels)[number]);
    const slug = level.slugs.get(url) as string;
    let name = `${baseUrl}_${slug}`;
    for (let n = 2; taken.has(name); n++) name = `${baseUrl}_${slug}_${n}`;
    taken.add(name);
    names.set(url, name);
  }
  return names;
}

/**
 * A readable, variable-safe part of a server URL: at level 0 the host's
 * first label, at 1 that and the path, at 2 the whole host, port and path
 * (an IP address or `localhost` is always whole).
 */
function slugOf(url: string, level: number): string {
  let text = url;
  try {
    const parsed = new URL(url);
    const whole = level >= 2 || /^[\d.]+$|^\[|^localhost$/i.test(parsed.hostname);
    const host = whole ? `${parsed.hostname}_${parsed.port}` : (parsed.hostname.split('.')[0] ?? '');
    text = level >= 1 ? `${host}_${decodeURIComponent(parsed.pathname)}` : host;
  } catch {
    // Not a URL the platform parses: its own characters, made safe below.
  }
  const slug = text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return slug === '' ? 'server' : slug;
}

function describe(operation: Json, otherMediaTypes: string[]): string | null {
  const parts: string[] = [];
  const text = nonEmpty(operation.description);
  if (text !== undefined) parts.push(text);
  if (operation.deprecated === true) parts.push('Deprecated.');
  if (otherMediaTypes.length > 0) parts.push(`Other request media types: ${otherMediaTypes.join(', ')}.`);
  return parts.length > 0 ? parts.join('\n\n') : null;
}

function unique(context: Context, identity: string): string {
  const count = (context.seen.get(identity) ?? 0) + 1;
  context.seen.set(identity, count);
  return count === 1 ? identity : `${identity}#${count}`;
}
