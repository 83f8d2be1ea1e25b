/**
 * OpenAPI 3.0 / 3.1 document to Postman Collection v2.1, the way Postman's
 * own importer (openapi-to-postman, "Tags" folder strategy) names and nests
 * things: a folder per tag, requests named by `summary` (else
 * `operationId`), the server URL in the collection variable `{{baseUrl}}`,
 * path parameters as `:name` path variables with example values, example
 * bodies with a `Content-Type` header, auth from the security schemes, and
 * saved responses from the response examples. Built on the client-neutral
 * model (`renderCollectionModel`); see docs/postman.md for the mapping and
 * where it differs from the importer.
 *
 * @module
 */
import { TargetError } from '../../errors.js';
import { checkOptions, optionKeys } from '../../options.js';
import {
  type CollectionModel,
  type ModelAuth,
  type ModelBody,
  type ModelFolder,
  type ModelParameter,
  type ModelRequest,
  type ModelRequestCache,
  type OperationFilter,
  authVariable,
  checkFilter,
  renderModelWithCache,
} from '../collection/index.js';
import { postmanAuth } from './auth.js';
import { parsePostmanCollection } from './parse.js';
import {
  type PostmanAuth,
  type PostmanBody,
  type PostmanCollection,
  type PostmanKeyValue,
  type PostmanRequest,
  type PostmanResponse,
  POSTMAN_SCHEMA_URL,
} from './schema.js';
import { type PostmanTree, type PostmanTreeFolder, type PostmanTreeRequest, collectionOf, itemOf } from './tree.js';

/** Options of {@link renderPostmanCollection}. */
export interface PostmanRenderOptions {
  /** The collection variable holding the server URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /** Which operations to render (see `OperationFilter`); all by default. */
  filter?: OperationFilter;
}

const RENDER_KEYS = optionKeys<PostmanRenderOptions>()(['baseUrlVariable', 'filter']);

/**
 * Render an OpenAPI 3.0 or 3.1 document (Swagger 2 must be upgraded first,
 * as `loadSpec` does) as a Postman Collection v2.1. Every request item
 * carries its operation identity (`operationId`, else `METHOD /path`) as
 * its `id`. The same input always gives the same collection; it is checked
 * with `parsePostmanCollection` before it is returned.
 *
 * @throws TargetError `TARGET_INVALID` when `document` is not an OpenAPI 3.x object.
 */
export function renderPostmanCollection(document: unknown, options: PostmanRenderOptions = {}): PostmanCollection {
  checkOptions('renderPostmanCollection options', options, RENDER_KEYS);
  if (options.filter !== undefined) checkFilter(options.filter, 'renderPostmanCollection options.filter');
  const collection = collectionOf(renderPostmanTree(document, options, undefined));
  try {
    return parsePostmanCollection(JSON.parse(JSON.stringify(collection)));
  } catch (error) {
    throw new TargetError('TARGET_INVALID', `The rendered collection is not valid (a bug in api-live-sync): ${(error as Error).message}`, {
      cause: error,
      hint: 'Please report it with the OpenAPI document that caused it.',
    });
  }
}

/**
 * The tree (see `PostmanTree`) of a document, reusing the model request of
 * each operation that did not change (`cache`, see `renderModelWithCache`)
 * and the Postman request made of each model request before.
 */
export function renderPostmanTree(document: unknown, options: PostmanRenderOptions, cache: ModelRequestCache | undefined): PostmanTree {
  const model = renderModelWithCache(
    document,
    {
      ...(options.baseUrlVariable === undefined ? {} : { baseUrlVariable: options.baseUrlVariable }),
      ...(options.filter === undefined ? {} : { filter: options.filter }),
    },
    cache,
  );
  return treeOfModel(model);
}

function treeOfModel(model: CollectionModel): PostmanTree {
  const tree: PostmanTree = {
    name: model.name,
    ...(model.description === null ? {} : { description: model.description }),
    info: { schema: POSTMAN_SCHEMA_URL },
    folders: model.folders.map(folderOf),
    requests: model.requests.map(requestOf),
    // Auth variables are secret and empty: the user fills them in (in the app, or an environment); a sync never writes their values.
    variable: model.variables.map((variable) =>
      variable.secret
        ? { key: variable.key, value: '', type: 'string', secret: true }
        : { key: variable.key, value: variable.value, type: 'string' },
    ),
  };
  const auth = authOf(model.auth);
  if (auth !== undefined && auth.type !== 'noauth') tree.auth = auth;
  return tree;
}

function folderOf(folder: ModelFolder): PostmanTreeFolder {
  return {
    name: folder.name,
    ...(folder.description === null ? {} : { description: folder.description }),
    folders: folder.folders.map(folderOf),
    requests: folder.requests.map(requestOf),
  };
}

/** The Postman request of each model request made so far: a model request that did not change is written by the same object. */
const made = new WeakMap<ModelRequest, PostmanTreeRequest>();

function requestOf(model: ModelRequest): PostmanTreeRequest {
  let request = made.get(model);
  if (request === undefined) {
    request = makeRequest(model);
    made.set(model, request);
  }
  return request;
}

const row = (p: ModelParameter): PostmanKeyValue => ({
  key: p.name,
  value: p.value,
  ...(p.description === '' ? {} : { description: p.description }),
  // An optional parameter without an example is listed, unchecked (the importer's "disabled" optional parameters).
  ...(p.required || p.value !== '' ? {} : { disabled: true }),
});

function makeRequest(model: ModelRequest): PostmanTreeRequest {
  const header = model.headers.map(row);
  if (model.cookies.length > 0) {
    header.push({
      key: 'Cookie',
      value: model.cookies.map((c) => `${c.name}=${c.value}`).join('; '),
      description: `Cookie parameters: ${model.cookies.map((c) => c.name).join(', ')}`,
    });
  }
  const body = bodyOf(model.body);
  if (body !== undefined) header.push({ key: 'Content-Type', value: body.mediaType });
  const endpoint = `{{${model.server}}}${model.path
    .split('/')
    .map((segment) => segment.replace(/^\{([^{}]+)\}$/, ':$1').replace(/\{([^{}]+)\}/g, '{{$1}}'))
    .join('/')}`;
  const request: PostmanTreeRequest = {
    id: model.key,
    name: model.name,
    method: model.method,
    endpoint,
    query: model.query.map(row),
    variable: model.pathVariables.map((p) => ({
      key: p.name,
      value: p.value,
      ...(p.description === '' ? {} : { description: p.description }),
    })),
    header,
  };
  if (body !== undefined) request.body = body.body;
  const auth = authOf(model.auth);
  if (auth !== undefined) request.auth = auth;
  if (model.description !== null) request.description = model.description;
  if (model.responses.length > 0) {
    const { id: _id, ...withoutId } = request;
    const original = itemOf(withoutId).request;
    request.response = model.responses.map((example): PostmanResponse => ({
      name: example.name,
      originalRequest: structuredClone(original) as PostmanRequest,
      status: example.status,
      ...(example.code === null ? {} : { code: example.code }),
      header: example.headers.map((h) => ({ key: h.key === 'content-type' ? 'Content-Type' : h.key, value: h.value })),
      _postman_previewlanguage: previewLanguage(example.headers.find((h) => h.key.toLowerCase() === 'content-type')?.value ?? ''),
      cookie: [],
      body: example.body,
    }));
  }
  return request;
}

function previewLanguage(mediaType: string): string {
  if (/json/.test(mediaType)) return 'json';
  if (/xml/.test(mediaType)) return 'xml';
  if (/html/.test(mediaType)) return 'html';
  return 'text';
}

/**
 * Postman's form of a request body (`undefined`: none), and the media type
 * its `Content-Type` header says: JSON and other text as `raw` (with the
 * editor language), `multipart/form-data` as `formdata` (binary fields as
 * files), urlencoded as `urlencoded`, anything else as `file`.
 */
function bodyOf(body: ModelBody): { body: PostmanBody; mediaType: string } | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return { body: { mode: 'raw', raw: body.text, options: { raw: { language: 'json' } } }, mediaType: body.mediaType };
    case 'text': {
      const language = /xml/.test(body.mediaType) ? 'xml' : /html/.test(body.mediaType) ? 'html' : 'text';
      return { body: { mode: 'raw', raw: body.text, options: { raw: { language } } }, mediaType: body.mediaType };
    }
    case 'form':
      return {
        body: {
          mode: 'formdata',
          formdata: body.fields.map((f) =>
            f.file ? { key: f.name, type: 'file', src: [] } : { key: f.name, value: f.value, type: 'text' },
          ),
        },
        mediaType: body.mediaType,
      };
    case 'urlencoded':
      return {
        body: { mode: 'urlencoded', urlencoded: body.fields.map((f) => ({ key: f.name, value: f.value })) },
        mediaType: body.mediaType,
      };
    case 'binary':
      return { body: { mode: 'file', file: {} }, mediaType: body.mediaType };
  }
}

const OAUTH_GRANTS = {
  authorizationCode: 'authorization_code',
  clientCredentials: 'client_credentials',
  password: 'password_credentials',
  implicit: 'implicit',
} as const;

/**
 * Postman's form of an auth (`undefined`: inherit the folder's). Each
 * credential refers to its auth variable (`{{bearerAuth_token}}`, see
 * `authVariables`), a secret, empty collection variable the user fills in
 * once; an API key names its header or query parameter.
 */
function authOf(auth: ModelAuth): PostmanAuth | undefined {
  const ref = (part: Parameters<typeof authVariable>[1]) => ('scheme' in auth ? `{{${authVariable(auth.scheme, part)}}}` : '');
  switch (auth.type) {
    case 'inherit':
      return undefined;
    case 'none':
      return postmanAuth({ type: 'noauth', values: {} });
    case 'basic':
      return postmanAuth({ type: 'basic', values: { username: ref('username'), password: ref('password') } });
    case 'bearer':
      return postmanAuth({ type: 'bearer', values: { token: ref('token') } });
    case 'digest':
      return postmanAuth({ type: 'digest', values: { username: ref('username'), password: ref('password'), realm: '' } });
    case 'apiKey':
      return postmanAuth({ type: 'apikey', values: { key: auth.name, value: ref('key'), in: auth.in } });
    case 'oauth2':
      return postmanAuth({
        type: 'oauth2',
        values: {
          grant_type: OAUTH_GRANTS[auth.flow],
          ...(auth.authorizationUrl === '' ? {} : { authUrl: auth.authorizationUrl }),
          ...(auth.tokenUrl === '' ? {} : { accessTokenUrl: auth.tokenUrl }),
          clientId: ref('clientId'),
          clientSecret: ref('clientSecret'),
          ...(auth.scopes === '' ? {} : { scope: auth.scopes }),
          addTokenTo: 'header',
        },
      });
  }
}
