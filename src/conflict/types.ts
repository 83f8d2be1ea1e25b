/**
 * The conflict resolver contract.
 *
 * @module
 */
import type { MergeConflict } from '../merge/index.js';

/** A resolver's answer for one conflict. */
export type ConflictDecision =
  | { path: string; take: 'local' | 'remote'; reason: string; resolver?: string }
  | { path: string; take: 'value'; value: unknown; reason: string; resolver?: string };

/** What a resolver gets besides the conflicts. */
export interface ConflictContext {
  readonly bindingId: string;
  readonly jobId: string;
  /** The rendered base, local and remote documents the merge ran on. */
  readonly base: unknown;
  readonly local: unknown;
  readonly remote: unknown;
  /** The semantic changes base → remote, when known. */
  readonly changes: readonly unknown[];
  readonly signal: AbortSignal;
  /**
   * Hold the job and wait for a person to answer `conflicts` (default: every
   * conflict of the job) through `engine.resolveConflicts(jobId, decisions)`;
   * resolves `undefined` on timeout. Provided by the engine; the `manual()`
   * strategy passes the conflicts it was given, so a person is asked only
   * what earlier resolvers of a chain left open.
   */
  readonly awaitDecisions?: (timeoutMs: number, conflicts?: readonly MergeConflict[]) => Promise<ConflictDecision[] | undefined>;
}

/**
 * Decides conflicts. It may decide only some; undecided ones go to the next
 * resolver of a `chain`, and finally keep the local value.
 */
export interface ConflictResolver {
  /** A short name, recorded in each decision. */
  readonly name: string;
  resolve(conflicts: readonly MergeConflict[], context: ConflictContext): Promise<ConflictDecision[]> | ConflictDecision[];
}

/** A decision a resolver returned that cannot be used, and why. */
export interface RejectedDecision {
  /** What the resolver returned, as it was. */
  decision: unknown;
  /** Why it was rejected, e.g. `path "/x" is not one of the 2 conflict(s) given to the resolver`. */
  reason: string;
  /** The name of the resolver that returned it. */
  resolver: string;
}

/** What `resolveConflicts` returns: the usable decisions and what is left open. */
export interface ResolveOutcome {
  /** Validated decisions, each with `resolver` set. */
  decisions: ConflictDecision[];
  /** Conflicts no usable decision covers, in their original order. */
  undecided: MergeConflict[];
  /** Decisions the resolver returned that could not be used. */
  rejected: RejectedDecision[];
}
