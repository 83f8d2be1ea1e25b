/**
 * OpenAPI 3.0 / 3.1 document to the client-neutral collection model: one
 * folder per tag, one request per operation keyed by its operation identity,
 * parameters, example bodies, auth from security schemes, saved response
 * examples and the server variables. Pure and deterministic; each client
 * format writes it in its own form (see docs/collections.md).
 *
 * @module
 */
import { TargetError } from '../../errors.js';
import { isFrozenTree } from '../../json/index.js';
import { type ModelAuth, authVariables, modelAuth } from './auth.js';
import { type ModelBody, type ResponseExample, renderBody, responseExamples } from './body.js';
import { readPointer, resolveRef, trackReads } from './example.js';
import { type OperationFilter, type OperationPredicate, operationFilter } from './filter.js';
import { operationIdentity } from './identity.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** A parameter of a request: its name, example value (`""` when none), whether it is required, and its description. */
export interface ModelParameter {
  name: string;
  value: string;
  required: boolean;
  description: string;
}

/** One request of a {@link CollectionModel}: an operation, client-neutral. */
export interface ModelRequest {
  /** The operation identity (`operationId`, else `METHOD /path`; `#2`, `#3` for repeats), unique in the collection. */
  key: string;
  /** The summary, else the operationId, else `Untitled Request`. */
  name: string;
  /** `GET`, `POST`, ... */
  method: string;
  /** The path template as the document writes it, `/pets/{petId}`. */
  path: string;
  /** The variable holding the server URL the request goes to (`baseUrl`, or one of {@link CollectionModel.variables}). */
  server: string;
  /** The description, with `Deprecated.` and the other request media types as paragraphs; `null` when there is none. */
  description: string | null;
  /** Whether the operation is `deprecated`. */
  deprecated: boolean;
  /** Path parameters, in order (always required, never empty: see `pathVariableValue`). */
  pathVariables: ModelParameter[];
  /** Query parameters. */
  query: ModelParameter[];
  /** Header parameters, without `Accept`, `Content-Type` and `Authorization` (the body and auth set those). */
  headers: ModelParameter[];
  /** Cookie parameters. */
  cookies: ModelParameter[];
  /** The request body of the preferred media type. */
  body: ModelBody;
  /** The auth of the operation (`inherit`: the collection's). */
  auth: ModelAuth;
  /** Saved response examples. */
  responses: ResponseExample[];
}

/** A folder of a {@link CollectionModel}: a tag. Only folders with a request somewhere below them are kept. */
export interface ModelFolder {
  /** The tag name. */
  name: string;
  description: string | null;
  folders: ModelFolder[];
  requests: ModelRequest[];
}

/**
 * A collection variable: the server URLs (`baseUrl` and one per other
 * server), and one per credential of a security scheme, always empty and
 * `secret` (see `authVariables`).
 */
export interface ModelVariable {
  key: string;
  value: string;
  secret: boolean;
  /** `server`: a server URL; `auth`: a credential the user fills in. */
  kind: 'server' | 'auth';
}

/** An OpenAPI document as a collection, client-neutral (what {@link renderCollectionModel} returns). */
export interface CollectionModel {
  /** `info.title`, else `Untitled Collection`. */
  name: string;
  description: string | null;
  folders: ModelFolder[];
  /** Requests without a tag. */
  requests: ModelRequest[];
  /** Server variables first (`baseUrl` is the first), then auth variables. */
  variables: ModelVariable[];
  /** The auth of the whole collection, from the document's `security`. */
  auth: ModelAuth;
}

/** Options of {@link renderCollectionModel}. */
export interface ModelOptions {
  /** The name of the variable holding the base URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /** Which operations to render (checked with `checkFilter`); all by default. */
  filter?: OperationFilter;
}

/** The HTTP methods that become requests, in the order they are read from a path item. */
export const RENDERED_METHODS = ['get', 'head', 'post', 'put', 'delete', 'options', 'patch'] as const;

/**
 * Render an OpenAPI 3.0 or 3.1 document (Swagger 2 must be upgraded first)
 * as the client-neutral collection model. The same input always gives the
 * same model.
 *
 * @throws TargetError `TARGET_INVALID` when `document` is not an OpenAPI 3.x object.
 */
export function renderCollectionModel(document: unknown, options: ModelOptions = {}): CollectionModel {
  return renderModelWithCache(document, options, undefined);
}

/** Requests rendered before, by operation object, for {@link renderModelWithCache}. A client target keeps one. */
export type ModelRequestCache = WeakMap<object, CachedModelRequest>;

/** One operation's request with everything its render read. */
export interface CachedModelRequest {
  path: string;
  method: string;
  baseUrl: string;
  /** The server variable its endpoint starts with (see {@link serverVariables}). */
  server: string;
  /** The path item's `parameters` and `servers` (a request reads both). */
  itemParameters: unknown;
  itemServers: unknown;
  /** Every pointer the render followed, with the value it found. */
  reads: Map<string, unknown>;
  /** The identity before it was made unique. */
  identity: string;
  request: ModelRequest;
}

/**
 * {@link renderCollectionModel}, reusing the request of each frozen
 * operation object rendered before (in `cache`) when nothing it read has
 * changed: the same path, method and path item `parameters` and `servers`,
 * and every `$ref` it followed still leading to the same object. The engine
 * shares what did not change between two versions of a document, so an
 * incremental sync renders only the operations that did. Cached requests
 * are shared between renders: callers must not change them.
 */
export function renderModelWithCache(document: unknown, options: ModelOptions, cache: ModelRequestCache | undefined): CollectionModel {
  const baseUrl = options.baseUrlVariable ?? 'baseUrl';
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
  const keep = operationFilter(options.filter);
  const documentServer = serverUrl(document.servers);
  const servers = serverVariables(document, baseUrl, documentServer, keep);
  const context: Context = { document, baseUrl, servers, seen: new Map() };
  // Only a document frozen throughout can be trusted not to have changed under a cached request.
  if (!isFrozenTree(document)) cache = undefined;
  const info = isObject(document.info) ? document.info : {};
  const root: ModelFolder = {
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
      if (!isObject(operation) || (keep !== undefined && !keep(path, operation))) continue;
      const request =
        cache === undefined
          ? renderRequest(context, path, method, item, operation)
          : cachedRequest(context, cache, path, method, item, operation);
      placeOf(operation, folders, root).requests.push(request);
    }
  }

  const variables: ModelVariable[] = [{ key: baseUrl, value: documentServer, secret: false, kind: 'server' }];
  for (const [url, key] of servers) if (key !== baseUrl) variables.push({ key, value: url, secret: false, kind: 'server' });
  const auth = modelAuth(document.security, document, 'collection');
  const folderList = withRequests(root.folders);
  // One secret, empty variable per credential of every scheme the collection uses, in the order first used.
  const credentials = new Set(authVariables(auth));
  const collect = (folder: Pick<ModelFolder, 'folders' | 'requests'>): void => {
    for (const request of folder.requests) for (const key of authVariables(request.auth)) credentials.add(key);
    folder.folders.forEach(collect);
  };
  collect({ folders: folderList, requests: root.requests });
  const taken = new Set(variables.map((variable) => variable.key));
  for (const key of credentials) if (!taken.has(key)) variables.push({ key, value: '', secret: true, kind: 'auth' });
  return { name: root.name, description: root.description, folders: folderList, requests: root.requests, variables, auth };
}

interface Context {
  readonly document: Json;
  readonly baseUrl: string;
  /** Server URL → the collection variable that holds it (see {@link serverVariables}). */
  readonly servers: ReadonlyMap<string, string>;
  /** Identities handed out so far, to keep them unique (a duplicated operationId gets `#2`). */
  readonly seen: Map<string, number>;
}

// ---------------------------------------------------------------- folders

/**
 * One folder per tag. Tags nest by the OpenAPI 3.2 `parent` field of a tag
 * object (a tag's folder sits inside its parent's); a `/` in a tag name is
 * just a character. Folder order: the document's `tags` list, then tags only
 * used by operations, in the order first used. Folders that end up with no
 * request anywhere below them are left out.
 */
function buildFolders(document: Json, root: ModelFolder): Map<string, { draft: ModelFolder; depth: number }> {
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
  const folders = new Map<string, { draft: ModelFolder; depth: number }>();
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
function placeOf(operation: Json, folders: Map<string, { draft: ModelFolder; depth: number }>, root: ModelFolder): ModelFolder {
  let best: { draft: ModelFolder; depth: number } | undefined;
  for (const tag of Array.isArray(operation.tags) ? operation.tags : []) {
    const entry = typeof tag === 'string' ? folders.get(tag) : undefined;
    if (entry !== undefined && (best === undefined || entry.depth > best.depth)) best = entry;
  }
  return best?.draft ?? root;
}

/** The folders with a request somewhere below them. */
function withRequests(folders: ModelFolder[]): ModelFolder[] {
  return folders.flatMap((folder) => {
    const kept = withRequests(folder.folders);
    return folder.requests.length > 0 || kept.length > 0 ? [{ ...folder, folders: kept }] : [];
  });
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

function renderRequest(context: Context, path: string, method: string, item: Json, operation: Json): ModelRequest {
  const { document } = context;
  const parameters = parametersOf(item, operation, document);
  const list = (where: string) =>
    parameters
      .filter((p) => p.in === where && !(where === 'header' && IGNORED_HEADERS.has(p.name.toLowerCase())))
      .map(({ name, value, required, description }) => ({ name, value, required, description }));
  const { body, others } = renderBody(operation.requestBody, document);
  return {
    key: unique(context, identityOf(path, method, operation)),
    name: nonEmpty(operation.summary) ?? nonEmpty(operation.operationId) ?? 'Untitled Request',
    method: method.toUpperCase(),
    path,
    server: serverOf(context, item, operation),
    description: describe(operation, others),
    deprecated: operation.deprecated === true,
    pathVariables: list('path'),
    query: list('query'),
    headers: list('header'),
    cookies: list('cookie'),
    body,
    auth: modelAuth(operation.security, document, 'request'),
    responses: responseExamples(operation.responses, document),
  };
}

/** {@link renderRequest} through the cache: the request rendered before when nothing it read changed. */
function cachedRequest(
  context: Context,
  cache: ModelRequestCache,
  path: string,
  method: string,
  item: Json,
  operation: Json,
): ModelRequest {
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
    const key = unique(context, hit.identity);
    return key === hit.request.key ? hit.request : { ...hit.request, key };
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

/** The variable of the server an operation goes to: its own server's variable, else the base URL's. */
function serverOf(context: Context, item: Json, operation: Json): string {
  const url = serverOverride(item, operation);
  return (url === undefined ? undefined : context.servers.get(url)) ?? context.baseUrl;
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
 * of the document (of the operations `keep` keeps), never on where an
 * operation sits.
 */
export function serverVariables(document: Json, baseUrl: string, documentServer: string, keep?: OperationPredicate): Map<string, string> {
  const urls = new Set<string>();
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = resolveRef(rawItem, document);
    if (!isObject(item)) continue;
    for (const method of RENDERED_METHODS) {
      const operation = item[method];
      if (!isObject(operation) || (keep !== undefined && !keep(path, operation))) continue;
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
