/**
 * The Hoppscotch target: the collection file format, the
 * OpenAPI → collection renderer, example values, operation identity, the
 * keyed form the merge works on and the sync target itself.
 *
 * @module
 */
export {
  HoppAuthSchema,
  HoppBodySchema,
  HoppCollectionSchema,
  HoppCollectionV11Schema,
  HoppCollectionV12Schema,
  HoppCollectionVariableSchema,
  HoppKeyValueSchema,
  HoppOAuth2GrantSchema,
  HoppOriginalRequestSchema,
  HoppRequestSchema,
  HoppRequestVariableSchema,
  HoppResponseSchema,
  HOPP_COLLECTION_VERSION,
  HOPP_COLLECTION_VERSIONS,
  HOPP_REQUEST_VERSION,
  HOPP_TEXT_CONTENT_TYPES,
} from './schema.js';
export { parseCollection, parseCollections } from './parse.js';
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
export { renderCollection, serverUrl, serverVariables, parameterValue, pathVariableValue, RENDERED_METHODS } from './render.js';
export type { RenderOptions, RenderedCollection } from './render.js';
export { exampleFromSchema, resolveRef } from '../collection/example.js';
export type { ExampleOptions } from '../collection/example.js';
export { renderAuth } from './auth.js';
export { mediaTypeRank, orderedMediaTypes } from './body.js';
export {
  allRequests,
  endpointIdentity,
  endpointPath,
  endpointSignature,
  hoppscotchIdentityRules,
  normaliseEndpoint,
  operationIdentity,
  requestKey,
} from './identity.js';
export { attachIdentities, matchRequests, operationHints, requestShape } from './match.js';
export type { IdentityAmbiguity, MatchResult, OperationHint, RequestToMatch, StoredHint } from './match.js';
export {
  HOPP_DEPRECATED_NOTE,
  HOPP_DEPRECATED_PREFIX,
  HOPP_IDENTITY_RECORD,
  hoppscotchTarget,
  prepareCollectionMerge,
  readCollectionFile,
  reconcileCollection,
} from './target.js';
export type { HoppscotchTargetOptions } from './target.js';
export {
  HOPP_ROOT_KEY,
  HOPP_USER_KEY_PREFIX,
  denormaliseCollection,
  hoppscotchTargetIdentityRules,
  normaliseCollection,
} from './normalise.js';
export type {
  DenormalisedCollection,
  HoppIdentityRecord,
  IdentityHints,
  NormalisedCollection,
  NormalisedFolder,
  NormalisedRequest,
} from './normalise.js';
