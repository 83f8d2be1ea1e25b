export { canonicalHash, canonicalJson } from './hash.js';
export { loadSpec } from './load.js';
export type { LoadedSpec, LoadOptions, SpecVersion } from './types.js';
