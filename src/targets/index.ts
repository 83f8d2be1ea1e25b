export type {
  BindingRecords,
  MergeSides,
  PreparedMerge,
  ReadInfo,
  ReconcileInfo,
  SyncFence,
  SyncTarget,
  TargetContext,
  TargetWriteReport,
} from './types.js';
export { LocalFile, MOVED_SUFFIX } from './local-file.js';
export type { LocalFileWriteReport } from './local-file.js';
export { fencedFileWrite, fileEpochPath, readFileEpoch } from './fence.js';
export type { FileFence } from './fence.js';
export { MemoryTarget } from './memory.js';
export type { MemoryTargetOptions } from './memory.js';
export { openApiFileTarget, WRITTEN_RECORD } from './openapi-file.js';
export { OPENAPI_REMOVED_KEY, isRemovedMark, reconcileOpenApiDocument } from './openapi-removal.js';
export type { OpenApiRemovedMark } from './openapi-removal.js';
export { removalAction, removedUpstream } from './removal.js';
export type { KeyedEntries, RemovalAction, RemovalSides, RemovedEntry } from './removal.js';
export type { OpenApiFileTargetOptions, WrittenRecord } from './openapi-file.js';
export * from './hoppscotch/index.js';
export { postmanTarget, renderPostmanCollection, parsePostmanCollection } from './postman/index.js';
export type { PostmanCollection, PostmanTargetOptions } from './postman/index.js';
export { brunoTarget } from './bruno/index.js';
export type { BrunoTargetOptions } from './bruno/index.js';
