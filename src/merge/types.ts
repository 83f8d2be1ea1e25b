/**
 * Types of the three-way merge.
 *
 * @module
 */

/**
 * How both sides disagree at one place:
 * - `both-changed`: local and remote changed the same value differently;
 * - `changed-vs-deleted`: local changed what remote deleted;
 * - `deleted-vs-changed`: local deleted what remote changed;
 * - `both-added`: both added the same key (or identity) with different values;
 * - `ambiguous-identity`: not found by `merge3` but reported by a target
 *   (`SyncTarget.prepareMerge`): it could not tell which local item is this
 *   remote one (a Hoppscotch collection whose request ids were lost, with
 *   several requests that could each be the operation). The merged copy
 *   holds the local side (nothing at the path); taking remote adds the
 *   remote item.
 */
export type ConflictKind = 'both-changed' | 'changed-vs-deleted' | 'deleted-vs-changed' | 'both-added' | 'ambiguous-identity';

/** One place where local and remote disagree. A value absent on a side is `undefined`. */
export interface MergeConflict {
  /** JSON Pointer (RFC 6901) into the merged document. */
  path: string;
  kind: ConflictKind;
  base: unknown;
  local: unknown;
  remote: unknown;
  /** Why, in words, for conflicts a target reports itself (`ambiguous-identity`): what it could not tell apart and what each decision does. */
  note?: string;
}

/**
 * How to find the same element in two versions of an array: arrays whose
 * path matches `path` merge element by element, matched by `key`.
 */
export interface IdentityRule {
  /**
   * A JSON Pointer pattern of the array, where `*` matches one segment and
   * `**` any number of segments, e.g. `/paths/* /parameters` (without the space).
   */
  path: string;
  /** The identity of one element, or `undefined` when it has none (merged as a whole array then). */
  key: (item: unknown) => string | undefined;
  /** Treat the array as a set of primitive values (enum, required). */
  set?: boolean;
}

/** Options of `merge3`. */
export interface MergeOptions {
  /** Identity rules; the built-in OpenAPI rules are used when omitted. */
  rules?: readonly IdentityRule[];
}

/** What `merge3` returns. */
export interface MergeResult<T = unknown> {
  /** The merged document; at a conflict it holds the local value until a resolver decides. */
  merged: T;
  conflicts: MergeConflict[];
}
