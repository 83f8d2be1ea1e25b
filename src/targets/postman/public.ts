/**
 * `api-live-sync/postman`: the Postman target and what an embedder needs
 * around it: the Collection v2.1 file format (types, a checking parser, the
 * reader) and the OpenAPI → collection renderer (see docs/postman.md). The
 * keyed form and the identity helpers behind them stay internal.
 *
 * @packageDocumentation
 */
export { postmanTarget, readPostmanCollectionFile } from './target.js';
export type { PostmanTargetOptions } from './target.js';
export { parsePostmanCollection } from './parse.js';
export { renderPostmanCollection } from './render.js';
export type { PostmanRenderOptions } from './render.js';
export { POSTMAN_SCHEMA_URL } from './schema.js';
export type {
  PostmanAuth,
  PostmanAuthAttribute,
  PostmanBody,
  PostmanCollection,
  PostmanDescription,
  PostmanEvent,
  PostmanFolder,
  PostmanFormField,
  PostmanInfo,
  PostmanItem,
  PostmanKeyValue,
  PostmanRequest,
  PostmanResponse,
  PostmanScript,
  PostmanUrl,
  PostmanVariable,
} from './schema.js';
export type { OperationFilter, OperationMatch } from '../collection/index.js';
