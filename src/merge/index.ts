export type { ConflictKind, IdentityRule, MergeConflict, MergeOptions, MergeResult } from './types.js';
export { merge3 } from './merge3.js';
export { applyDecisions } from './apply.js';
export {
  escapePointer,
  unescapePointer,
  formatPointer,
  parsePointer,
  tryParsePointer,
  valueAtSegments,
  matchPointerPattern,
  compilePattern,
  compileSegmentPattern,
  compileWildcard,
  matchSegments,
  type CompiledPattern,
} from './pointer.js';
export { openApiIdentityRules, openApiParameterKey, setMemberKey } from './rules.js';
export { jsonEqual } from './equal.js';
