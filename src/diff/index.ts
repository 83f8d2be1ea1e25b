/**
 * The semantic OpenAPI change list: what changed between two versions of
 * an API, with oasdiff's rule ids and breaking levels. See docs/diff.md.
 *
 * @module
 */
export { diffSpecs } from './diff-specs.js';
export { listRules } from './rules.js';
export type { ChangeLevel, DiffOptions, RuleInfo, SpecChange } from './types.js';
