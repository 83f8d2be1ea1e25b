/**
 * The removal policy, one decision for every target: which entries of a
 * local copy (operations of an OpenAPI document, requests of a collection)
 * upstream removed, whether the user touched them, and what the policy does
 * with each. Targets differ only in how they mark an entry they keep.
 *
 * @module
 */
import { jsonEqual } from '../json/index.js';
import type { ReconcileInfo } from './types.js';

/** What the removal policy does with one entry upstream removed. */
export type RemovalAction = 'drop' | 'keep' | 'mark';

/** Entries of one side by key (a `Map` is one). */
export interface KeyedEntries<E> {
  /** The entry at `key`, or `undefined` when that side has none. */
  get(key: string): E | undefined;
}

/** The four sides {@link removedUpstream} looks at, each keyed by the same identity (operation or request). */
export interface RemovalSides<E> {
  /** Every entry of the base (the remote as of the last sync); `undefined` on a first sync. */
  readonly base: Iterable<readonly [string, E]> | undefined;
  /** The local copy before the merge; `undefined` when there was none. */
  readonly local: KeyedEntries<E> | undefined;
  /** The remote now. */
  readonly remote: KeyedEntries<E>;
  /** The merged copy, conflicts resolved. */
  readonly merged: KeyedEntries<E>;
}

/** One entry upstream removed that the local copy still had, and what the policy does with it. */
export interface RemovedEntry<E> {
  /** Its identity. */
  readonly key: string;
  /** As of the last sync. */
  readonly base: E;
  /** The user's copy. */
  readonly local: E;
  /** What the merge and the resolver kept, `undefined` when they let it go. */
  readonly merged: E | undefined;
  /** Whether the user changed it since the last sync. */
  readonly edited: boolean;
  /**
   * `drop`: leave it out of the result; `keep`: write {@link RemovedEntry.kept} as it is;
   * `mark`: write it marked as removed upstream (deprecated, with a note).
   */
  readonly action: RemovalAction;
  /** What to write for `keep` and `mark`: the merged entry, else the local one. */
  readonly kept: E;
}

/**
 * What the removal policy does with an entry upstream removed and the user
 * did not delete:
 *
 * | policy | untouched | edited, kept by the merge | edited, let go by a resolver |
 * |---|---|---|---|
 * | `remove` | drop | mark | drop |
 * | `deprecate` | mark | mark | mark |
 * | `keep` | keep | keep | keep |
 */
export function removalAction(policy: ReconcileInfo<unknown>['removal'], edited: boolean, keptByMerge: boolean): RemovalAction {
  if (policy === 'keep') return 'keep';
  if (policy === 'deprecate') return 'mark';
  return edited && keptByMerge ? 'mark' : 'drop';
}

/**
 * The entries upstream removed since the last sync (in `base`, not in
 * `remote`) that the local copy still has (an entry the user deleted stays
 * deleted and is not listed), each with the action of {@link removalAction}.
 * Pure. `edited` tells whether the user changed an entry; by default, when
 * its local value differs from the base's.
 *
 * @example
 * ```ts
 * for (const removed of removedUpstream({ base, local, remote, merged }, info.removal)) {
 *   if (removed.action === 'drop') out.delete(removed.key);
 *   else out.set(removed.key, removed.action === 'mark' ? markRemoved(removed.kept) : removed.kept);
 * }
 * ```
 */
export function removedUpstream<E>(
  sides: RemovalSides<E>,
  policy: ReconcileInfo<unknown>['removal'],
  edited: (base: E, local: E, key: string) => boolean = (base, local) => !jsonEqual(base, local),
): RemovedEntry<E>[] {
  const { base, local, remote, merged } = sides;
  const out: RemovedEntry<E>[] = [];
  if (base === undefined || local === undefined) return out;
  for (const [key, baseEntry] of base) {
    if (remote.get(key) !== undefined) continue;
    const localEntry = local.get(key);
    if (localEntry === undefined) continue;
    const mergedEntry = merged.get(key);
    const changed = edited(baseEntry, localEntry, key);
    out.push({
      key,
      base: baseEntry,
      local: localEntry,
      merged: mergedEntry,
      edited: changed,
      action: removalAction(policy, changed, mergedEntry !== undefined),
      kept: mergedEntry ?? localEntry,
    });
  }
  return out;
}
