export type { BindingRecords, MergeSides, PreparedMerge, ReconcileInfo, SyncTarget, TargetContext, TargetWriteReport } from './types.js';
export { LocalFile, MOVED_SUFFIX } from './local-file.js';
export type { LocalFileWriteReport } from './local-file.js';
export { MemoryTarget } from './memory.js';
export type { MemoryTargetOptions } from './memory.js';
export { openApiFileTarget } from './openapi-file.js';
export type { OpenApiFileTargetOptions } from './openapi-file.js';
export * from './hoppscotch/index.js';
