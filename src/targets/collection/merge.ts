/**
 * The three-way merge of a whole keyed collection, as the engine runs it for
 * a client target, for use outside a sync (tests, tools, a client target's
 * own checks).
 *
 * @module
 */
import { type IdentityRule, type MergeResult, merge3 } from '../../merge/index.js';
import type { KeyedCollection } from './model.js';

/**
 * Merge the keyed collections of the last sync (`base`, `undefined` on a
 * first sync), the user's copy (`local`) and upstream's new render
 * (`remote`) field by field, with the target's identity rules (see
 * `collectionIdentityRules`):
 * - folders and requests are maps, matched by key (the operation identity):
 *   a moved or renamed request is the same request;
 * - every field of a request merges on its own: a field only the user
 *   changed keeps the user's value, a field only upstream changed takes
 *   upstream's, a field both changed differently is a `both-changed`
 *   conflict (the merged copy holds the local value until a resolver decides);
 * - lists with a rule (params, headers, form fields, variables) merge member
 *   by member: a parameter the user disabled stays disabled while upstream
 *   adds another; fields the user added (scripts, saved responses) are kept;
 * - a request the user deleted stays deleted while upstream leaves it
 *   unchanged (the base is its tombstone); one upstream added is added.
 *
 * The engine then runs the target's `reconcile` (removal policy, placement).
 */
export function mergeCollection(
  base: KeyedCollection | undefined,
  local: KeyedCollection,
  remote: KeyedCollection,
  rules: readonly IdentityRule[],
): MergeResult<KeyedCollection> {
  return merge3(base, local, remote, { rules });
}
