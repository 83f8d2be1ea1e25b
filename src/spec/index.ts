export { canonicalHash, canonicalJson } from './hash.js';
export { DEFAULT_MAX_ALIAS_COUNT, DEFAULT_MAX_DEPTH, loadSpec } from './load.js';
export { DEFAULT_MAX_BYTES, readLimited } from './read-limited.js';
export { openRegularFile } from './open-file.js';
export type { OpenRegularFileOptions, RegularFileOpening } from './open-file.js';
export type { LoadedSpec, LoadOptions, SpecVersion } from './types.js';
