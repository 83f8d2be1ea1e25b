export type { ConflictKind, IdentityRule, MergeConflict, MergeOptions, MergeResult } from './types.js';
export { merge3 } from './merge3.js';
export { openApiIdentityRules, openApiParameterKey, setMemberKey } from './rules.js';
