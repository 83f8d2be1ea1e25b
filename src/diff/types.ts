/**
 * Types of the semantic OpenAPI change list.
 *
 * @module
 */

/**
 * How much a change can hurt a client written against the base document:
 * - `breaking`: existing clients may fail (oasdiff's `error` level);
 * - `warning`: clients may fail in some setups (oasdiff's `warn`);
 * - `info`: compatible; worth knowing.
 */
export type ChangeLevel = 'breaking' | 'warning' | 'info';

/** One semantic difference between the base and the remote document. */
export interface SpecChange {
  /** The rule that found it: oasdiff's own id where the meaning is the same (see docs/diff.md). */
  id: string;
  /** How much it can hurt existing clients. */
  level: ChangeLevel;
  /** The operation it concerns, as `METHOD /path/template` (`GET /pets/{id}`); absent for document-level changes. */
  operation?: string;
  /**
   * JSON Pointer (RFC 6901) to the nearest place of the change: into the
   * remote document, or into the base document for things that were removed.
   */
  path: string;
  /** One human-readable line. */
  text: string;
  /** Structured facts: names, old and new values, the property path inside a schema. */
  details?: Record<string, unknown>;
}

/** A rule the classifier implements, as listed by `listRules()`. */
export interface RuleInfo {
  /** The rule id, e.g. `request-parameter-became-required`. */
  id: string;
  /** Its default level. */
  level: ChangeLevel;
  /** What it means, in one line. */
  description: string;
  /** Whether oasdiff has a rule with the same id and meaning (false for our own rules). */
  oasdiff: boolean;
}

/** Options of `diffSpecs`. */
export interface DiffOptions {
  /**
   * Report an operation that was removed and another that was added as one
   * `endpoint-moved` change as well (the pair is still reported). Default `true`.
   */
  detectRenames?: boolean;
  /**
   * The lowest confidence for a structural (not operationId-based) rename
   * match, from 0 to 1. Default `0.6`.
   */
  renameThreshold?: number;
  /** Drop changes below this level. Default `'info'` (keep everything). */
  minLevel?: ChangeLevel;
  /** Override the level of given rule ids (like oasdiff's `--severity-levels`). */
  levels?: Readonly<Record<string, ChangeLevel>>;
}
