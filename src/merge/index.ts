export type { ConflictKind, IdentityRule, MergeConflict, MergeOptions, MergeResult } from './types.js';
