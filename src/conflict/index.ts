export type { ConflictContext, ConflictDecision, ConflictResolver, RejectedDecision, ResolveOutcome } from './types.js';
export { isJsonValue, jsonProblem, validateDecisions, type DecisionValidation } from './validate.js';
export { resolveConflicts } from './resolve.js';
export { chain, DEFAULT_MANUAL_TIMEOUT_MS, manual, preferLocal, preferRemote, type ManualOptions } from './strategies.js';
export { rules, type Rule, type RuleMatch, type RulesOptions } from './rules.js';
export { applyDecisions } from './apply.js';
