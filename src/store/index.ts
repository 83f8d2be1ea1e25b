export type { BaseRecord, SyncStore } from './types.js';
export { MemoryStore } from './memory.js';
export { FileStore } from './file.js';
export type { FileStoreOptions } from './file.js';
export { writeFileAtomic, TEMP_SUFFIX } from './atomic.js';
