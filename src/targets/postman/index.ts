/**
 * The Postman target: the Collection v2.1 file format, the OpenAPI →
 * collection renderer and the sync target itself.
 *
 * @module
 */
export { POSTMAN_SCHEMA_URL, PostmanCollectionSchema, PostmanFolderSchema, PostmanItemSchema, isPostmanFolder } from './schema.js';
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
export { parsePostmanCollection } from './parse.js';
export { renderPostmanCollection, renderPostmanTree } from './render.js';
export type { PostmanRenderOptions } from './render.js';
export { POSTMAN_IDENTITY_RECORD, postmanTarget, readPostmanCollectionFile } from './target.js';
export type { PostmanTargetOptions } from './target.js';
export {
  allTreeRequests,
  collectionOf,
  flatten,
  itemOf,
  keyPostmanTree,
  nestPostmanTree,
  postmanIdentityRules,
  postmanOperationHints,
  postmanRequestShape,
  treeOf,
} from './tree.js';
export type { PostmanTree, PostmanTreeFolder, PostmanTreeRequest } from './tree.js';
export { pathVariableNames, postmanUrl, readPostmanUrl } from './url.js';
export type { PostmanAddress } from './url.js';
export { postmanAuth } from './auth.js';
export type { AuthValues } from './auth.js';
