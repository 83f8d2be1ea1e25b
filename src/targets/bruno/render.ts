/**
 * OpenAPI 3.0 / 3.1 document to a Bruno collection tree, named and nested
 * the way Bruno's own OpenAPI import does it: a folder per tag (first tag),
 * request names from `summary`, else `operationId`, else `description`,
 * else `METHOD path`, made unique across the collection with ` (METHOD)`;
 * URLs `{{baseUrl}}/pets/:petId`; one environment per server holding
 * `baseUrl` and the auth variables (secret, empty); collection auth from the
 * document's `security`, request auth `inherit` unless the operation has its
 * own. Pure and deterministic; see docs/bruno.md.
 *
 * @module
 */
import { TargetError } from '../../errors.js';
import { exampleFromSchema, readPointer, resolveRef } from '../hoppscotch/example.js';
import { mediaExamples, orderedMediaTypes } from '../hoppscotch/body.js';
import { operationIdentity } from '../hoppscotch/identity.js';
import { parameterValue, pathVariableValue, RENDERED_METHODS } from '../hoppscotch/render.js';
import type { BruEnvironmentFile, BruFolderFile, BruKeyValue, BruParam } from './lang.js';
import { NameSet, safeName } from './names.js';
import { inFileOrder, type BrunoTree, type BrunoTreeFolder, type BrunoTreeRequest } from './tree.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** Options of {@link renderBrunoTree}. */
export interface BrunoRenderOptions {
  /** The environment variable that holds the server URL. Default `baseUrl`. */
  baseUrlVariable?: string;
}

/** A path template variable Bruno can show as `:name`. */
const PATH_VARIABLE = /\{([A-Za-z0-9_.-]+)\}/g;

/** A key a `.bru` line can hold: no whitespace but spaces and no backslash (Bruno quotes keys with spaces, but not tabs, and does not escape backslashes), not starting with its `~` (disabled) or `@` (local) marks or a space. */
const PLAIN_KEY = /^[^~@\s\\](?:[^\s\\]| )*$/;

/** Headers a parameter may not set, per the OpenAPI specification (they come from the body and auth). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/** Render a document into a Bruno collection tree, each request carrying its operation identity as `id`. */
export function renderBrunoTree(document: unknown, options: BrunoRenderOptions = {}): BrunoTree {
  if (!isObject(document) || typeof document.openapi !== 'string' || !/^3\./.test(document.openapi)) {
    const got = isObject(document) ? `an object with openapi ${JSON.stringify(document.openapi)}` : typeof document;
    throw new TargetError('TARGET_INVALID', `Expected an OpenAPI 3.0 or 3.1 document to render, got ${got}.`, {
      hint: 'Load the document with loadSpec(), which upgrades Swagger 2.0 to OpenAPI 3.0.',
    });
  }
  const baseUrl = options.baseUrlVariable ?? 'baseUrl';
  const info = isObject(document.info) ? document.info : {};
  const title = text(info.title) ?? 'Untitled Collection';
  const tagDocs = new Map<string, string>();
  for (const tag of Array.isArray(document.tags) ? document.tags : []) {
    if (isObject(tag) && typeof tag.name === 'string' && oneLine(tag.name) !== '' && !tagDocs.has(oneLine(tag.name)))
      tagDocs.set(oneLine(tag.name), text(tag.description) ?? '');
  }
  const tree: BrunoTree = {
    name: title,
    config: { version: '1', type: 'collection', ignore: ['node_modules', '.git'] },
    root: rootFile(document, info),
    environments: environments(document, baseUrl),
    folders: [],
    requests: [],
  };
  const usedNames = new Set<string>();
  const seen = new Map<string, number>();
  const folders = new Map<string, { folder: BrunoTreeFolder; files: NameSet }>();
  const rootFiles = new NameSet();
  const dirs = new NameSet();
  // Folders in the order of the document's tags, then of first use.
  const tagOrder = [...tagDocs.keys()];
  const placed: Array<{ tag: string | undefined; request: BrunoTreeRequest }> = [];
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = resolveRef(rawItem, document);
    if (!isObject(item)) continue;
    for (const method of Object.keys(item)) {
      if (!(RENDERED_METHODS as readonly string[]).includes(method)) continue;
      const operation = item[method];
      if (!isObject(operation)) continue;
      // The first tag names the folder (a `meta` line: one line, trimmed); an empty one is no tag.
      const first: unknown = Array.isArray(operation.tags) ? operation.tags[0] : undefined;
      const tag = typeof first === 'string' && oneLine(first) !== '' ? oneLine(first) : undefined;
      if (tag !== undefined && !tagOrder.includes(tag)) tagOrder.push(tag);
      placed.push({ tag, request: renderRequest(document, path, method, item, operation, baseUrl, usedNames, seen) });
    }
  }
  for (const tag of tagOrder) {
    if (!placed.some((p) => p.tag === tag)) continue;
    const settings: BruFolderFile = { auth: { mode: 'inherit' } };
    const docs = tagDocs.get(tag);
    if (docs) settings.docs = docs;
    const folder: BrunoTreeFolder = { name: tag, dir: dirs.take(safeName(tag)), settings, folders: [], requests: [] };
    folders.set(tag, { folder, files: new NameSet() });
    tree.folders.push(folder);
  }
  for (const { tag, request } of placed) {
    const place = tag === undefined ? undefined : folders.get(tag);
    request.file = (place?.files ?? rootFiles).take(safeName(request.name));
    (place?.folder ?? tree).requests.push(request);
  }
  return tree;
}

function renderRequest(
  document: Json,
  path: string,
  method: string,
  item: Json,
  operation: Json,
  baseUrl: string,
  usedNames: Set<string>,
  seen: Map<string, number>,
): BrunoTreeRequest {
  let identity = operationIdentity(method, path, typeof operation.operationId === 'string' ? operation.operationId : undefined);
  const count = (seen.get(identity) ?? 0) + 1;
  seen.set(identity, count);
  if (count > 1) identity = `${identity}#${count}`;

  let name = oneLine((text(operation.summary) ?? text(operation.operationId) ?? text(operation.description) ?? '').replace(/\s+/g, ' '));
  if (name === '') name = `${method} ${path}`;
  if (usedNames.has(name)) {
    let unique = `${name} (${method.toUpperCase()})`;
    for (let n = 1; usedNames.has(unique); n++) unique = `${name} (${n})`;
    name = unique;
  }
  usedNames.add(name);

  const params: BruParam[] = [];
  const headers: BruKeyValue[] = [];
  for (const parameter of parametersOf(item, operation, document)) {
    const value = oneLine(parameter.in === 'path' ? pathVariableValue(parameter, document) : parameterValue(parameter, document));
    const enabled = parameter.in === 'path' || parameter.required === true || value !== '';
    if (parameter.in === 'query') params.push({ name: parameter.name as string, value, enabled, type: 'query' });
    else if (parameter.in === 'path') params.push({ name: parameter.name as string, value, enabled: true, type: 'path' });
    else if (parameter.in === 'header' && !IGNORED_HEADERS.has((parameter.name as string).toLowerCase()))
      headers.push({ name: parameter.name as string, value, enabled });
  }
  // Path variables: those of the template whose names Bruno reads after a `:`, in template order.
  const order = [...path.matchAll(PATH_VARIABLE)].map((m) => m[1] as string);
  const pathParams = order.map(
    (name) =>
      params.find((p) => p.type === 'path' && p.name === name) ?? { name, value: `<${name}>`, enabled: true, type: 'path' as const },
  );
  params.splice(0, params.length, ...params.filter((p) => p.type === 'query'), ...pathParams);

  const endpoint = `{{${baseUrl}}}${path.replace(PATH_VARIABLE, ':$1')}`;
  const request: BrunoTreeRequest = {
    id: identity,
    name,
    method: method.toUpperCase(),
    endpoint,
    file: '',
    bodyMode: 'none',
    authMode: 'inherit',
    params,
    headers,
  };
  Object.assign(request, renderBody(operation.requestBody, document));
  const auth = renderAuth(operation.security, document);
  if (auth !== undefined) {
    request.authMode = auth.mode;
    if (auth.block !== undefined) request.auth = auth.block;
  }
  const docs = [text(operation.description), operation.deprecated === true ? 'Deprecated.' : undefined].filter((d) => d !== undefined);
  if (docs.length > 0) request.docs = docs.join('\n\n');
  return inFileOrder(request);
}

/** The operation's parameters with the path item's (an operation parameter replaces a path-item one of the same `in` and `name`). */
function parametersOf(item: Json, operation: Json, document: Json): Json[] {
  const merged = new Map<string, Json>();
  for (const list of [item.parameters, operation.parameters]) {
    for (const raw of Array.isArray(list) ? list : []) {
      const parameter = resolveRef(raw, document);
      if (!isObject(parameter) || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
      if (!PLAIN_KEY.test(parameter.name)) continue;
      merged.set(`${parameter.in}\u0000${parameter.name}`, parameter);
    }
  }
  return [...merged.values()];
}

/**
 * The body of a request, in Bruno's modes: JSON (the example, else one
 * generated from the schema), form-urlencoded and multipart (one line per
 * schema property), XML and text (a string example). Other media types
 * send no body.
 */
function renderBody(requestBody: unknown, document: Json): Pick<BrunoTreeRequest, 'bodyMode' | 'body'> {
  const resolved = resolveRef(requestBody, document);
  if (!isObject(resolved)) return { bodyMode: 'none' };
  const content = isObject(resolved.content) ? resolved.content : {};
  for (const mediaType of orderedMediaTypes(content)) {
    const media = isObject(content[mediaType]) ? (content[mediaType] as Json) : {};
    const type = mediaType.toLowerCase().split(';')[0]?.trim() ?? '';
    const example = (): unknown => {
      const [first] = mediaExamples(media, document);
      return first !== undefined ? first.value : exampleFromSchema(media.schema, { document, direction: 'request' });
    };
    if (type === 'application/json' || type.endsWith('+json')) {
      const value = example();
      return { bodyMode: 'json', body: { json: jsonText(value === undefined ? {} : value) } };
    }
    if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
      const value = example();
      const fields = isObject(value)
        ? Object.entries(value)
            .filter(([name]) => PLAIN_KEY.test(name))
            .map(([name, v]) => ({ name, value: oneLine(scalar(v)), enabled: true }))
        : [];
      const mode = type === 'multipart/form-data' ? 'multipartForm' : 'formUrlEncoded';
      if (fields.length === 0) return { bodyMode: mode };
      return {
        bodyMode: mode,
        body: { [mode]: mode === 'multipartForm' ? fields.map((f) => ({ ...f, type: 'text', contentType: '' })) : fields },
      };
    }
    if (type.endsWith('/xml') || type.endsWith('+xml')) {
      const value = example();
      return textBody('xml', typeof value === 'string' ? value : '');
    }
    if (type.startsWith('text/')) {
      const value = example();
      return textBody('text', typeof value === 'string' ? value : scalar(value));
    }
  }
  return { bodyMode: 'none' };
}

interface RenderedAuth {
  mode: string;
  block?: Record<string, unknown>;
  /** Environment variables the auth reads, all secret. */
  variables: string[];
}

/**
 * Bruno auth of a security requirement list: `undefined` when none is
 * declared (a request inherits), `none` for `[]` or an optional `{}` first,
 * else the first scheme of the first requirement: http basic, bearer and
 * digest, apiKey in a header or the query, oauth2 and openIdConnect (a
 * bearer token: the flows are the user's to set up in the app). Credentials
 * are `{{variables}}` of the environments, left empty there.
 */
function renderAuth(security: unknown, document: Json): RenderedAuth | undefined {
  if (!Array.isArray(security)) return undefined;
  const first: unknown = security[0];
  if (first === undefined || (isObject(first) && Object.keys(first).length === 0)) return { mode: 'none', variables: [] };
  if (!isObject(first)) return undefined;
  const name = Object.keys(first)[0] as string;
  const schemes = readPointer(document, '#/components/securitySchemes');
  const scheme = resolveRef(isObject(schemes) ? schemes[name] : undefined, document);
  if (!isObject(scheme)) return undefined;
  switch (scheme.type) {
    case 'http': {
      const kind = String(scheme.scheme ?? '').toLowerCase();
      if (kind === 'basic')
        return {
          mode: 'basic',
          block: { basic: { username: '{{username}}', password: '{{password}}' } },
          variables: ['username', 'password'],
        };
      if (kind === 'digest')
        return {
          mode: 'digest',
          block: { digest: { username: '{{username}}', password: '{{password}}' } },
          variables: ['username', 'password'],
        };
      if (kind === 'bearer') return { mode: 'bearer', block: { bearer: { token: '{{token}}' } }, variables: ['token'] };
      return undefined;
    }
    case 'apiKey': {
      if ((scheme.in !== 'header' && scheme.in !== 'query') || typeof scheme.name !== 'string' || !/^[^\r\n]+$/.test(scheme.name))
        return undefined;
      return {
        mode: 'apikey',
        block: { apikey: { key: scheme.name, value: '{{apiKey}}', placement: scheme.in === 'query' ? 'queryparams' : 'header' } },
        variables: ['apiKey'],
      };
    }
    case 'oauth2':
    case 'openIdConnect':
      return { mode: 'bearer', block: { bearer: { token: '{{accessToken}}' } }, variables: ['accessToken'] };
    default:
      return undefined;
  }
}

/** `collection.bru`: the document's security as the collection's auth, its description as docs. */
function rootFile(document: Json, info: Json): BruFolderFile {
  const auth = renderAuth(document.security, document);
  const root: BruFolderFile = { auth: { mode: auth?.mode ?? 'none', ...(auth?.block ?? {}) } };
  const docs = text(info.description);
  if (docs !== undefined) root.docs = docs;
  return root;
}

/**
 * One environment per server (named after its description, else its URL):
 * `baseUrl` with the server's URL (variables at their defaults), then every
 * auth variable the document's schemes use, secret and empty.
 */
function environments(document: Json, baseUrl: string): Record<string, BruEnvironmentFile> {
  const secrets = new Set<string>();
  const schemes = readPointer(document, '#/components/securitySchemes');
  for (const name of isObject(schemes) ? Object.keys(schemes) : []) {
    for (const variable of renderAuth([{ [name]: [] }], document)?.variables ?? []) secrets.add(variable);
  }
  const servers = (Array.isArray(document.servers) ? document.servers : []).filter(
    (s): s is Json => isObject(s) && typeof s.url === 'string',
  );
  const names = new NameSet();
  const out: Record<string, BruEnvironmentFile> = {};
  for (const server of servers.length > 0 ? servers : [{ url: '' }]) {
    const url = serverUrlOf(server);
    const label = text(server.description) ?? (url === '' ? 'default' : url.replace(/^[a-z]+:\/\//i, ''));
    const variables = [
      { name: baseUrl, value: url, enabled: true, secret: false },
      ...[...secrets].map((name) => ({ name, value: '', enabled: true, secret: true })),
    ];
    out[names.take(safeName(label))] = { variables };
  }
  return out;
}

/** A server's URL with its variables at their defaults, without a trailing slash. */
function serverUrlOf(server: Json): string {
  const variables = isObject(server.variables) ? server.variables : {};
  const url = String(server.url).replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    return isObject(variable) && variable.default !== undefined ? String(variable.default) : whole;
  });
  return oneLine(url.length > 1 ? url.replace(/\/+$/, '') : url === '/' ? '' : url);
}

/** A text body; an empty one is no block at all (Bruno writes none for it). */
function textBody(mode: 'xml' | 'text', value: string): Pick<BrunoTreeRequest, 'bodyMode' | 'body'> {
  return value === '' ? { bodyMode: mode } : { bodyMode: mode, body: { [mode]: value } };
}

function jsonText(value: unknown): string {
  if (typeof value === 'string') {
    try {
      JSON.parse(value);
      return value;
    } catch {
      return JSON.stringify(value);
    }
  }
  return JSON.stringify(value, null, 2);
}

function scalar(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A `.bru` key-value line holds one line: line breaks become spaces, the ends are trimmed (Bruno trims them on read). */
function oneLine(value: string): string {
  // A value starting with ''' would open one of Bruno's multi-line values.
  return value
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .replace(/^'''/, "''");
}
