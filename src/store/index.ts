export type { BaseRecord, SyncStore } from './types.js';
export { MemoryStore } from './memory.js';
export { FileStore } from './file.js';
export type { FileStoreOptions } from './file.js';
export { syncDirectory, TEMP_SUFFIX, writeFileAtomic, writeTempFile } from './atomic.js';
