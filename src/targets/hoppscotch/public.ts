/**
 * `api-live-sync/hoppscotch`: the Hoppscotch target and what an embedder
 * needs around it: the collection file format (types, a validating parser,
 * the reader), the OpenAPI → collection renderer, and the keyed form the
 * merge works on (see docs/hoppscotch.md). The zod schemas, identity and
 * matching helpers behind them stay internal.
 *
 * @packageDocumentation
 */
export { hoppscotchTarget, readCollectionFile, reconcileCollection } from './target.js';
export type { HoppscotchTargetOptions } from './target.js';
export { parseCollection, parseCollections } from './parse.js';
export type { ParsedCollection } from './parse.js';
export { HOPP_COLLECTION_VERSION, HOPP_REQUEST_VERSION } from './schema.js';
export type {
  HoppAuth,
  HoppBody,
  HoppCollection,
  HoppCollectionV11,
  HoppCollectionV12,
  HoppCollectionVariable,
  HoppFormField,
  HoppKeyValue,
  HoppOAuth2Grant,
  HoppOriginalRequest,
  HoppRequest,
  HoppRequestVariable,
  HoppResponse,
} from './schema.js';
export { renderCollection } from './render.js';
export type { RenderOptions, RenderedCollection } from './render.js';
export { denormaliseCollection, hoppscotchTargetIdentityRules, normaliseCollection } from './normalise.js';
export type {
  DenormalisedCollection,
  HoppIdentityRecord,
  IdentityHints,
  NormalisedCollection,
  NormalisedFolder,
  NormalisedRequest,
} from './normalise.js';
