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
