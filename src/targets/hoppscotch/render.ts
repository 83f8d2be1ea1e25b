/**
 * OpenAPI 3.0 / 3.1 document to Hoppscotch collection. Pure and
 * deterministic; see docs/hoppscotch.md for the mapping and where it
 * deliberately differs from Hoppscotch's own importer.
 *
 * @module
 */
import { TargetError } from '../../errors.js';
import {
  type CollectionModel,
  type ModelFolder,
  type ModelParameter,
  type ModelRequest,
  type ModelRequestCache,
  type OperationFilter,
  checkFilter,
  renderModelWithCache,
} from '../collection/index.js';
import { hoppAuth } from './auth.js';
import { hoppBody } from './body.js';
import { parseCollection } from './parse.js';
import {
  type HoppAuth,
  type HoppCollection,
  type HoppCollectionV11,
  type HoppKeyValue,
  type HoppRequest,
  type HoppResponse,
} from './schema.js';
import { checkOptions, optionKeys } from '../../options.js';

export { RENDERED_METHODS, parameterValue, pathVariableValue, serverUrl, serverVariables } from '../collection/index.js';

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
  /** Which operations to render: include and exclude by tag, path glob, operationId and `deprecated` (see docs/collections.md, "Filters"). All by default. */
  filter?: OperationFilter;
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

const RENDER_KEYS = optionKeys<RenderOptions>()(['collectionVersion', 'baseUrlVariable', 'validate', 'filter']);

/**
 * Render an OpenAPI 3.0 or 3.1 document (Swagger 2 must be upgraded first)
 * as a Hoppscotch collection: the client-neutral model
 * (`renderCollectionModel`) in Hoppscotch's form. Every request carries its
 * operation identity (`METHOD /path`, see docs/hoppscotch.md) in its `id`,
 * and the returned `operations` map lists where each went. The output is
 * validated (unless `validate: false`) with {@link parseCollection} before
 * it is returned, and the same input always gives byte-identical JSON.
 *
 * @throws TargetError `TARGET_INVALID` when `document` is not an OpenAPI 3.x
 * object, or the options are invalid.
 */
export function renderCollection(document: unknown, options: RenderOptions = {}): RenderedCollection {
  checkOptions<RenderOptions>('renderCollection options', options, RENDER_KEYS);
  if (options.filter !== undefined) checkFilter(options.filter, 'renderCollection options.filter');
  return renderWithCache(document, options, undefined);
}

/**
 * Requests rendered before, by operation object, for {@link renderWithCache}
 * (the client-neutral model's cache). Internal to the Hoppscotch target: it
 * keeps one per target.
 */
export type RequestCache = ModelRequestCache;

/**
 * {@link renderCollection}, reusing the request of each frozen operation
 * object rendered before (in `cache`) when nothing it read has changed (see
 * `renderModelWithCache`), and the Hoppscotch request made of each model
 * request before. Cached requests are shared between renders: callers must
 * not change them.
 */
export function renderWithCache(document: unknown, options: RenderOptions, cache: RequestCache | undefined): RenderedCollection {
  const version = options.collectionVersion ?? 12;
  if (version !== 12 && version !== 11) {
    throw new TargetError('TARGET_INVALID', `Expected \`collectionVersion\` to be 12 or 11, got ${JSON.stringify(version)}.`, {
      hint: 'Leave it out for the newest format (12); use 11 for older Hoppscotch releases.',
    });
  }
  const model = renderModelWithCache(
    document,
    {
      ...(options.baseUrlVariable === undefined ? {} : { baseUrlVariable: options.baseUrlVariable }),
      ...(options.filter === undefined ? {} : { filter: options.filter }),
    },
    cache,
  );
  const operations: Record<string, string> = {};
  const collection = hoppCollection(model, version, operations);
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

/** A collection model in Hoppscotch's form; `operations` receives where each request went. */
function hoppCollection(model: CollectionModel, version: 11 | 12, operations: Record<string, string>): HoppCollection {
  const collection = finish(model, version, true, '', operations);
  collection.variables = model.variables.map((variable) => ({
    key: variable.key,
    initialValue: variable.value,
    currentValue: '',
    secret: variable.secret,
  }));
  collection.auth = hoppAuth(model.auth);
  return collection;
}

function finish(
  folder: Pick<ModelFolder, 'name' | 'description' | 'folders' | 'requests'>,
  version: 11 | 12,
  isRoot: boolean,
  pointer: string,
  operations: Record<string, string>,
): HoppCollection {
  const requests = folder.requests.map((request, index) => {
    operations[`${pointer}/requests/${index}`] = request.key;
    return hoppRequest(request);
  });
  const folders = folder.folders.map((child, index) => finish(child, version, false, `${pointer}/folders/${index}`, operations));
  const auth: HoppAuth = isRoot ? { authType: 'none', authActive: true } : { authType: 'inherit', authActive: true };
  const rest = { requests, auth, headers: [], variables: [], description: folder.description };
  if (version === 11) return { v: 11, name: folder.name, folders: folders as HoppCollectionV11[], ...rest };
  return { v: 12, name: folder.name, folders, ...rest, preRequestScript: '', testScript: '' };
}

/** The Hoppscotch request of each model request made so far: a model request that did not change is written by the same object. */
const hoppRequests = new WeakMap<ModelRequest, HoppRequest & { id: string }>();

/** A model request in Hoppscotch's form (remembered per model request object, see {@link hoppRequests}). */
function hoppRequest(model: ModelRequest): HoppRequest & { id: string } {
  let request = hoppRequests.get(model);
  if (request === undefined) {
    request = makeHoppRequest(model);
    hoppRequests.set(model, request);
  }
  return request;
}

function makeHoppRequest(model: ModelRequest): HoppRequest & { id: string } {
  const row = (p: ModelParameter): HoppKeyValue => ({
    key: p.name,
    value: p.value,
    active: p.required || p.value !== '',
    description: p.description,
  });
  const params = model.query.map(row);
  const headers = model.headers.map(row);
  const { cookies } = model;
  if (cookies.length > 0) {
    headers.push({
      key: 'Cookie',
      value: cookies.map((c) => `${c.name}=${c.value}`).join('; '),
      active: cookies.some((c) => c.required || c.value !== ''),
      description: `Cookie parameters: ${cookies.map((c) => c.name).join(', ')}`,
    });
  }
  const requestVariables = model.pathVariables.map((p) => ({ key: p.name, value: p.value, active: true }));
  const endpoint = `<<${model.server}>>${model.path.replace(/\{([^{}]+)\}/g, '<<$1>>')}`;
  const { name, method } = model;
  const body = hoppBody(model.body);
  const auth = hoppAuth(model.auth);
  const request: HoppRequest & { id: string } = {
    v: '17',
    id: model.key,
    name,
    method,
    endpoint,
    params,
    headers,
    preRequestScript: '',
    testScript: '',
    auth,
    body,
    requestVariables,
    responses: {},
    description: model.description,
  };
  for (const example of model.responses) {
    const response: HoppResponse = {
      name: example.name,
      originalRequest: structuredClone({
        v: '6' as const,
        name,
        method,
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
