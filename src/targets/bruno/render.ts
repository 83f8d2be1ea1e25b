/**
 * OpenAPI 3.0 / 3.1 document to a Bruno collection tree: the client-neutral
 * model (`renderCollectionModel`) in Bruno's form, named and nested the way
 * Bruno's own OpenAPI import does it: a folder per tag (`folder.bru` with
 * `auth: inherit` and the tag's description as docs), a request file per
 * operation named after the request, URLs `{{baseUrl}}/pets/:petId`, the
 * collection's auth in `collection.bru`, and one environment holding the
 * server URLs and the auth variables (secret, empty). Pure and
 * deterministic; see docs/bruno.md.
 *
 * @module
 */
import {
  type CollectionModel,
  type ModelAuth,
  type ModelBody,
  type ModelFolder,
  type ModelRequest,
  type ModelRequestCache,
  type OperationFilter,
  authVariable,
  renderModelWithCache,
} from '../collection/index.js';
import type { BruEnvironmentFile, BruFolderFile, BruKeyValue, BruParam } from './lang.js';
import { NameSet, safeName } from './names.js';
import { inFileOrder, type BrunoTree, type BrunoTreeFolder, type BrunoTreeRequest } from './tree.js';

/** Options of {@link renderBrunoTree}. */
export interface BrunoRenderOptions {
  /** The environment variable that holds the server URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /** The environment the server URLs and auth variables go to. Default `api`. */
  environment?: string;
  /** Which operations to render (checked with `checkFilter`); all by default. */
  filter?: OperationFilter;
}

/** The environment a render writes when none is named. */
export const BRUNO_DEFAULT_ENVIRONMENT = 'api';

/** A path template variable Bruno can show as `:name`. */
const PATH_VARIABLE = /\{([A-Za-z0-9_.-]+)\}/g;

/**
 * A key a `.bru` line can hold: no whitespace but spaces and no backslash
 * (Bruno quotes keys with spaces, but not tabs, and does not escape
 * backslashes), not starting with its `~` (disabled) or `@` (local) marks or
 * a space.
 */
const PLAIN_KEY = /^[^~@\s\\](?:[^\s\\]| )*$/;

/**
 * Render a document into a Bruno collection tree, each request carrying its
 * operation identity as `id`. `cache` (one per target) reuses the model
 * requests of operations that did not change.
 */
export function renderBrunoTree(document: unknown, options: BrunoRenderOptions = {}, cache?: ModelRequestCache): BrunoTree {
  const baseUrl = options.baseUrlVariable ?? 'baseUrl';
  const model = renderModelWithCache(
    document,
    { baseUrlVariable: baseUrl, ...(options.filter === undefined ? {} : { filter: options.filter }) },
    cache,
  );
  return brunoTreeOf(model, options.environment ?? BRUNO_DEFAULT_ENVIRONMENT);
}

/** The Bruno tree of a rendered model. */
export function brunoTreeOf(model: CollectionModel, environment: string): BrunoTree {
  const secrets = new Set<string>();
  const root: BruFolderFile = { auth: authBlock(model.auth, 'none', secrets).settings };
  if (model.description !== null) root.docs = model.description;
  const tree: BrunoTree = {
    name: oneLine(model.name) || 'Untitled Collection',
    config: { version: '1', type: 'collection', ignore: ['node_modules', '.git'] },
    root,
    environments: {},
    folders: [],
    requests: [],
  };
  const dirs = new NameSet();
  tree.folders = model.folders.flatMap((folder) => folderOf(folder, dirs, secrets));
  const files = new NameSet();
  tree.requests = model.requests.map((request) => requestOf(request, files, secrets));
  // Folders and request files share a directory: names unique across both.
  dedupeAgainst(tree);
  const variables: BruEnvironmentFile['variables'] = model.variables.map((v) => ({
    name: v.key,
    value: oneLine(v.value),
    enabled: true,
    secret: v.secret,
  }));
  for (const name of secrets) if (!variables.some((v) => v.name === name)) variables.push({ name, value: '', enabled: true, secret: true });
  tree.environments[safeName(environment)] = { variables };
  return tree;
}

function folderOf(folder: ModelFolder, dirs: NameSet, secrets: Set<string>): BrunoTreeFolder[] {
  const name = oneLine(folder.name);
  const settings: BruFolderFile = { auth: { mode: 'inherit' } };
  if (folder.description !== null) settings.docs = folder.description;
  const files = new NameSet();
  const children = new NameSet();
  const out: BrunoTreeFolder = {
    name: name === '' ? 'untitled' : name,
    dir: dirs.take(safeName(name)),
    settings,
    folders: folder.folders.flatMap((child) => folderOf(child, children, secrets)),
    requests: folder.requests.map((request) => requestOf(request, files, secrets)),
  };
  dedupeAgainst(out);
  return [out];
}

/**
 * Give request files that collide with a sub-folder's name (case-insensitively)
 * the first ` (n)` suffix free among the folders and every other request file.
 */
function dedupeAgainst(node: BrunoTree | BrunoTreeFolder): void {
  const dirs = new Set(node.folders.map((f) => f.dir.toLowerCase()));
  if (dirs.size === 0) return;
  const taken = new NameSet();
  for (const dir of node.folders) taken.take(dir.dir);
  const collides = (request: BrunoTreeRequest): boolean => dirs.has(request.file.toLowerCase());
  for (const request of node.requests) if (!collides(request)) taken.take(request.file);
  for (const request of node.requests) if (collides(request)) request.file = taken.take(request.file);
}

function requestOf(model: ModelRequest, files: NameSet, secrets: Set<string>): BrunoTreeRequest {
  const name = oneLine(model.name) || `${model.method} ${model.path}`;
  const params: BruParam[] = [];
  for (const p of model.query) {
    if (!PLAIN_KEY.test(p.name)) continue;
    const value = oneLine(p.value);
    params.push({ name: p.name, value, enabled: p.required || value !== '', type: 'query' });
  }
  // Path variables: those of the template Bruno can show as `:name`, in template order.
  for (const [, variable] of model.path.matchAll(PATH_VARIABLE)) {
    const found = model.pathVariables.find((p) => p.name === variable);
    params.push({ name: variable as string, value: oneLine(found?.value ?? '') || `<${variable}>`, enabled: true, type: 'path' });
  }
  const headers: BruKeyValue[] = model.headers
    .filter((h) => PLAIN_KEY.test(h.name))
    .map((h) => {
      const value = oneLine(h.value);
      return { name: h.name, value, enabled: h.required || value !== '' };
    });
  const auth = authBlock(model.auth, 'inherit', secrets);
  const request: BrunoTreeRequest = {
    id: model.key,
    name,
    method: model.method,
    endpoint: `{{${model.server}}}${model.path.replace(PATH_VARIABLE, ':$1')}`,
    file: files.take(safeName(name)),
    bodyMode: 'none',
    authMode: auth.mode,
    params,
    headers,
  };
  if (auth.block !== undefined) request.auth = auth.block;
  Object.assign(request, bodyOf(model.body));
  if (model.description !== null && model.description !== '') request.docs = model.description;
  return inFileOrder(request);
}

/**
 * A body in Bruno's modes: JSON, form-urlencoded and multipart (text fields;
 * file fields as text fields to fill in), text and XML. An empty text or
 * list is no block at all (Bruno writes none for it); binary bodies send
 * nothing.
 */
function bodyOf(body: ModelBody): Pick<BrunoTreeRequest, 'bodyMode' | 'body'> {
  switch (body.kind) {
    case 'none':
    case 'binary':
      return { bodyMode: 'none' };
    case 'json':
      return body.text === '' ? { bodyMode: 'json' } : { bodyMode: 'json', body: { json: body.text } };
    case 'text': {
      const mode = /xml/.test(body.mediaType) ? 'xml' : 'text';
      return body.text === '' ? { bodyMode: mode } : { bodyMode: mode, body: { [mode]: body.text } };
    }
    case 'urlencoded':
    case 'form': {
      const mode = body.kind === 'form' ? 'multipartForm' : 'formUrlEncoded';
      const fields = body.fields
        .filter((f) => PLAIN_KEY.test(f.name))
        .map((f) => ({
          name: f.name,
          value: oneLine(f.value),
          enabled: true,
          ...(mode === 'multipartForm' ? { type: 'text', contentType: '' } : {}),
        }));
      return fields.length === 0 ? { bodyMode: mode } : { bodyMode: mode, body: { [mode]: fields } };
    }
  }
}

/**
 * Bruno's auth of a client-neutral auth: its mode, the block a request file
 * holds (`auth:bearer {…}`), and the settings of a `folder.bru` or
 * `collection.bru` (`{ mode, bearer: {…} }`). Credentials are environment
 * variables named after the scheme (`authVariable`: `{{petstore_auth_token}}`),
 * added to `secrets`. OAuth 2 becomes a bearer token (`<scheme>_token`): its
 * flows are the user's to set up in the app.
 */
function authBlock(
  auth: ModelAuth,
  fallback: 'none' | 'inherit',
  secrets: Set<string>,
): { mode: string; block?: Record<string, unknown>; settings: Record<string, unknown> } {
  const variable = (scheme: string, part: 'username' | 'password' | 'token' | 'key'): string => {
    const name = authVariable(scheme, part);
    secrets.add(name);
    return `{{${name}}}`;
  };
  const make = (mode: string, block?: Record<string, unknown>) => ({
    mode,
    ...(block === undefined ? {} : { block }),
    settings: { mode, ...(block ?? {}) },
  });
  switch (auth.type) {
    case 'inherit':
      return make(fallback === 'none' ? 'none' : 'inherit');
    case 'none':
      return make('none');
    case 'basic':
    case 'digest':
      return make(auth.type, {
        [auth.type]: { username: variable(auth.scheme, 'username'), password: variable(auth.scheme, 'password') },
      });
    case 'bearer':
    case 'oauth2':
      return make('bearer', { bearer: { token: variable(auth.scheme, 'token') } });
    case 'apiKey':
      if (!PLAIN_KEY.test(auth.name)) return make(fallback);
      return make('apikey', {
        apikey: { key: auth.name, value: variable(auth.scheme, 'key'), placement: auth.in === 'query' ? 'queryparams' : 'header' },
      });
  }
}

/** A `.bru` key-value line holds one line: line breaks become spaces, the ends are trimmed (Bruno trims them on read). */
function oneLine(value: string): string {
  // A value starting with ''' would open one of Bruno's multi-line values.
  return value
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim()
    .replace(/^'''/, "''");
}
