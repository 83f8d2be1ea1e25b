/**
 * The JSON-tree kernel: frozen trees with structural sharing, deep equality,
 * RFC 6902 patches, JSON Pointer, the canonical hash, JSON from bytes, and
 * the list of HTTP methods. Everything else builds on it; it imports nothing
 * of the library but its errors.
 *
 * @module
 */
export { adoptFrozen, deepFreeze, isFrozenTree, shareUnchanged } from './freeze.js';
export { isRecord, jsonEqual } from './equal.js';
export { jsonPatch, type PatchOperation } from './patch.js';
export {
  compilePattern,
  compileSegmentPattern,
  compileWildcard,
  escapePointer,
  formatPointer,
  matchPointerPattern,
  matchSegments,
  parsePointer,
  tryParsePointer,
  unescapePointer,
  valueAtSegments,
  type CompiledPattern,
} from './pointer.js';
export { canonicalHash, canonicalJson } from './hash.js';
export { isJsonRoundTrip, NOT_JSON_OBJECT, parseJsonBytes, tryJsonObjectBytes } from './bytes.js';
export { HTTP_METHODS, isHttpMethod, type HttpMethod } from './http.js';
