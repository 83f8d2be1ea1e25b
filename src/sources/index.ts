export type {
  DocumentResult,
  FetchValidators,
  NotModifiedResult,
  RawResult,
  SourceFetchContext,
  SourceFetchResult,
  SpecSource,
} from './types.js';
export { MemorySource, functionSource } from './memory.js';
export type { FunctionSourceOptions, FunctionSourceResult } from './memory.js';
export { HTTP_SOURCE_DEFAULTS, httpSource } from './http.js';
export type { HttpAuth, HttpSource, HttpSourceOptions } from './http.js';
export { redactUrl, parseRetryAfter } from './http-errors.js';
export { DISCOVER_DEFAULTS, discoverSpec, looksLikeOpenApi } from './discovery.js';
export type { DiscoverOptions, DiscoveredSpec } from './discovery.js';
export { CONTENT_SIGNATURES, FRAMEWORK_PATHS, FRAMEWORK_PORTS, HEADER_SIGNATURES } from './frameworks.js';
export type { ContentSignature, FrameworkPath, HeaderSignature } from './frameworks.js';
export { DEFAULT_FILE_DEBOUNCE_MS, DEFAULT_FILE_POLL_MS, fileSource } from './file.js';
export type { FileSourceOptions } from './file.js';
export { compositeSource } from './composite.js';
export type { CompositeMember, CompositeSourceOptions } from './composite.js';
