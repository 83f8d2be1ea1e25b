export type { BindingRecords, ReconcileInfo, SyncTarget, TargetContext } from './types.js';
export { MemoryTarget } from './memory.js';
export type { MemoryTargetOptions } from './memory.js';
export { openApiFileTarget } from './openapi-file.js';
export type { OpenApiFileTargetOptions } from './openapi-file.js';
export * from './hoppscotch/index.js';
