/**
 * What every client target does around the merge of a keyed collection:
 * the removal policy for requests whose operation upstream removed (marked
 * with a name prefix and a description note, or dropped, or kept), requests
 * the engine kept and that come back, identity ties as conflicts, and the
 * repair of placement and order after the merge. Pure. See
 * docs/collections.md.
 *
 * @module
 */
import type { MergeConflict } from '../../merge/index.js';
import { removedUpstream } from '../removal.js';
import type { MergeSides, PreparedMerge, ReconcileInfo } from '../types.js';
import type { IdentityAmbiguity } from './match.js';
import { COLLECTION_ROOT_KEY, type KeyedCollection, type KeyedFolder, type KeyedRequest, ownEntry } from './model.js';

/** The prefix a request removed upstream gets under the `deprecate` policy (and `remove`, when kept for an edit). */
export const DEPRECATED_PREFIX = '[deprecated] ';

/** The first words of the description paragraph a deprecated request gets; the mark is recognised (and removed again) by them. */
export const DEPRECATED_NOTE = 'Removed upstream:';

/**
 * How a client marks a request it keeps after upstream removed its
 * operation. The default ({@link nameMark}) prefixes the request's `name`
 * with {@link DEPRECATED_PREFIX} and adds a {@link DEPRECATED_NOTE}
 * paragraph to its `description`; a client whose request fields are shaped
 * otherwise gives its own.
 */
export interface RemovalMark {
  /** Whether the request carries the mark. */
  isMarked(entry: KeyedRequest): boolean;
  /** The request with the mark (`policy` says why it was kept). */
  mark(entry: KeyedRequest, policy: 'remove' | 'deprecate'): KeyedRequest;
  /** The request without the mark, where it still is (the same object when there is none). */
  unmark(entry: KeyedRequest): KeyedRequest;
}

/**
 * The upstream request of each request the engine keeps after upstream
 * removed its operation: those it kept in this sync (`marks`), and those the
 * last record held that are still in the collection and not back upstream.
 * `undefined` when there is none (the record then has no `kept`).
 */
export function keptRequests(
  local: KeyedCollection,
  before: Readonly<Record<string, KeyedRequest>> | undefined,
  marks: Readonly<Record<string, KeyedRequest>> | undefined,
  remote: KeyedCollection | undefined,
): Record<string, KeyedRequest> | undefined {
  const kept: Record<string, KeyedRequest> = {};
  for (const key of Object.keys(local.requests)) {
    if (ownEntry(remote?.requests, key) !== undefined) continue;
    const engine = ownEntry(marks, key) ?? ownEntry(before, key);
    if (engine !== undefined) kept[key] = engine;
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/**
 * The base, local copy and conflicts of the merge that only the target knows:
 * - a request kept marked whose operation is back upstream is merged against
 *   the upstream request the engine kept (`kept`) instead of against
 *   nothing, with the engine's mark taken off the local side: the mark is
 *   the engine's edit, not the user's. So its name and description follow
 *   upstream again and only what the user changed counts as a local change;
 * - an operation that the read could not tie to one request (`ambiguities`)
 *   is a conflict of kind `ambiguous-identity` at `/requests/<key>` when
 *   remote has it and there is a base (one new upstream is merged as if the
 *   base had it): the merged copy holds what local holds there (nothing); a
 *   decision for remote brings upstream's request in under its identity.
 */
export function prepareCollectionMerge(
  sides: MergeSides<KeyedCollection>,
  kept: Readonly<Record<string, KeyedRequest>> | undefined,
  ambiguities: readonly IdentityAmbiguity[],
  marker: RemovalMark = nameMark,
): PreparedMerge<KeyedCollection> {
  const { base, local, remote } = sides;
  const prepared: PreparedMerge<KeyedCollection> = {};
  if (base !== undefined && kept !== undefined) {
    let baseRequests: Record<string, KeyedRequest> | undefined;
    let localRequests: Record<string, KeyedRequest> | undefined;
    for (const [key, upstream] of Object.entries(kept)) {
      const entry = ownEntry(local.requests, key);
      if (entry === undefined || ownEntry(remote.requests, key) === undefined || ownEntry(base.requests, key) !== undefined) continue;
      baseRequests ??= { ...base.requests };
      baseRequests[key] = upstream;
      localRequests ??= { ...local.requests };
      localRequests[key] = marker.unmark(entry);
    }
    if (baseRequests !== undefined) prepared.base = { ...base, requests: baseRequests };
    if (localRequests !== undefined) prepared.local = { ...local, requests: localRequests };
  }
  const conflicts: MergeConflict[] = [];
  for (const ambiguity of ambiguities) {
    const upstream = ownEntry(remote.requests, ambiguity.key);
    if (base === undefined || upstream === undefined || ownEntry(local.requests, ambiguity.key) !== undefined) continue;
    // An operation new upstream would be added by the merge: merge it as one the local copy left out, so the decision adds it.
    if (ownEntry(base.requests, ambiguity.key) === undefined) {
      const requests = { ...(prepared.base ?? base).requests, [ambiguity.key]: upstream };
      prepared.base = { ...(prepared.base ?? base), requests };
    }
    const which = ambiguity.requests.map((r) => `"${r.name}" at ${r.path === '' ? '/' : r.path}`).join(', ');
    conflicts.push({
      path: `/requests/${escapePointer(ambiguity.key)}`,
      kind: 'ambiguous-identity',
      base: ownEntry(base?.requests, ambiguity.key),
      local: undefined,
      remote: upstream,
      note: `The collection has lost its request ids, and ${ambiguity.requests.length === 1 ? 'the request' : `${ambiguity.requests.length} requests`} ${which} could each be operation ${JSON.stringify(ambiguity.key)} as well as ${ambiguity.requests.length === 1 ? 'another' : 'each other'}: none was given its identity. Keep local to leave them as your own requests; take remote to add upstream's request for it. Give a request its id back ("id": ${JSON.stringify(ambiguity.key)}) to tie it for good.`,
    });
  }
  if (conflicts.length > 0) prepared.conflicts = conflicts;
  return prepared;
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * Apply the removal policy and repair placement after the merge (pure; the
 * merged value and the inputs are not changed):
 * - a request removed upstream (in base, not in `upstream ?? remote`) that
 *   the user did not delete, as {@link removedUpstream} decides: `remove` keeps it only
 *   when the user edited it and the merge kept it, marked; `deprecate`
 *   keeps it, marked; `keep` keeps it as is;
 * - a marked request whose operation is back upstream loses the mark;
 * - a request or folder whose folder is gone gets the folder back (the
 *   local one, else the remote or base one), else moves to the root;
 * - a request or folder missing from its order list is put after the one it
 *   followed locally.
 *
 * `engineMarks`, when given, receives by key the upstream (base) request of
 * each request kept here after its removal: the target stores them, and
 * merges a returning operation against them.
 */
export function reconcileCollection(
  merged: KeyedCollection,
  info: ReconcileInfo<KeyedCollection>,
  engineMarks?: Record<string, KeyedRequest>,
  marker: RemovalMark = nameMark,
): KeyedCollection {
  const { base, local, remote, removal } = info;
  const out: KeyedCollection = {
    collection: merged.collection,
    folders: { ...merged.folders },
    requests: { ...merged.requests },
    folderOrder: { ...merged.folderOrder },
    requestOrder: { ...merged.requestOrder },
  };

  const keyed = (requests: Record<string, KeyedRequest>) => ({ get: (key: string) => ownEntry(requests, key) });
  const removed = removedUpstream(
    {
      base: base && Object.entries(base.requests),
      local: local && keyed(local.requests),
      remote: keyed((info.upstream ?? remote).requests),
      merged: keyed(merged.requests),
    },
    removal,
  );
  for (const { key, action, kept } of removed) {
    if (action === 'drop') {
      delete out.requests[key];
      continue;
    }
    out.requests[key] = action === 'keep' ? kept : marker.mark(kept, removal === 'remove' ? 'remove' : 'deprecate');
    // The upstream request the engine keeps (its last version), for when the operation comes back.
    const upstream = base === undefined ? undefined : ownEntry(base.requests, key);
    if (engineMarks !== undefined && upstream !== undefined) engineMarks[key] = upstream;
  }
  for (const [key, entry] of Object.entries(out.requests)) {
    const upstream = ownEntry(remote.requests, key);
    if (upstream !== undefined && marker.isMarked(entry) && !marker.isMarked(upstream)) out.requests[key] = marker.unmark(entry);
  }

  // Folders that went missing under something that still needs them.
  const sources = [local, remote, base];
  const ensureFolder = (key: string | null, seen: Set<string>): string | null => {
    if (key === null || ownEntry(out.folders, key) !== undefined) return key;
    if (seen.has(key)) return null;
    seen.add(key);
    const found = sources.map((s) => ownEntry(s?.folders, key)).find((f): f is KeyedFolder => f !== undefined);
    if (found === undefined) return null;
    const parent = ensureFolder(found.parent, seen);
    out.folders[key] = parent === found.parent ? found : { ...found, parent };
    return key;
  };
  for (const [key, entry] of Object.entries(out.requests)) {
    const folder = ensureFolder(entry.folder, new Set());
    if (folder !== entry.folder) out.requests[key] = { ...entry, folder };
  }
  for (const [key, entry] of Object.entries(out.folders)) {
    const parent = ensureFolder(entry.parent, new Set([key]));
    if (parent !== entry.parent) out.folders[key] = { ...entry, parent };
  }

  // Order lists: every member listed once, in its own parent's list.
  placeInOrder(out.requestOrder, out.requests, (e) => e.folder, [local?.requestOrder, remote.requestOrder]);
  placeInOrder(out.folderOrder, out.folders, (e) => e.parent, [local?.folderOrder, remote.folderOrder]);
  return out;
}

/**
 * Put every member missing from its parent's order list after the member it
 * follows in the first of `hints` (local's lists, then remote's) that lists
 * it; first when it comes first there; else at the end.
 */
function placeInOrder<E>(
  order: Record<string, string[]>,
  members: Record<string, E>,
  parentOf: (entry: E) => string | null,
  hints: ReadonlyArray<Record<string, string[]> | undefined>,
): void {
  const listed = new Set<string>();
  for (const [parent, list] of Object.entries(order)) {
    for (const key of list) {
      const entry = ownEntry(members, key);
      if (entry !== undefined && (parentOf(entry) ?? COLLECTION_ROOT_KEY) === parent) listed.add(key);
    }
  }
  for (const [key, entry] of Object.entries(members)) {
    if (listed.has(key)) continue;
    const parent = parentOf(entry) ?? COLLECTION_ROOT_KEY;
    const list = [...(ownEntry(order, parent) ?? [])];
    const hint = hints.map((h) => ownEntry(h, parent) ?? []).find((l) => l.includes(key)) ?? [];
    const at = hint.indexOf(key);
    let index = at === 0 ? 0 : list.length;
    for (let i = at - 1; i >= 0; i--) {
      const before = list.indexOf(hint[i] as string);
      if (before >= 0) {
        index = before + 1;
        break;
      }
    }
    list.splice(index, 0, key);
    order[parent] = list;
    listed.add(key);
  }
}

function isNameMarked(entry: KeyedRequest): boolean {
  return typeof entry.request.name === 'string' && entry.request.name.startsWith(DEPRECATED_PREFIX);
}

function markName(entry: KeyedRequest, policy: 'remove' | 'deprecate'): KeyedRequest {
  if (isNameMarked(entry)) return entry;
  const name = typeof entry.request.name === 'string' ? entry.request.name : '';
  const note =
    policy === 'remove'
      ? `${DEPRECATED_NOTE} the API no longer has this operation. Kept because you edited it (removal policy "remove"); delete it when you no longer need it.`
      : `${DEPRECATED_NOTE} the API no longer has this operation. Kept by api-live-sync (removal policy "deprecate").`;
  const description =
    typeof entry.request.description === 'string' && entry.request.description !== '' ? `${entry.request.description}\n\n${note}` : note;
  return { ...entry, request: { ...entry.request, name: `${DEPRECATED_PREFIX}${name}`, description } };
}

/** The request without the engine's mark: the name prefix and the description note, where they still are. */
function unmarkName(entry: KeyedRequest): KeyedRequest {
  const name =
    typeof entry.request.name === 'string' && isNameMarked(entry) ? entry.request.name.slice(DEPRECATED_PREFIX.length) : entry.request.name;
  const description = typeof entry.request.description === 'string' ? entry.request.description : null;
  const parts = description?.split('\n\n');
  const kept = parts?.filter((part) => !part.startsWith(DEPRECATED_NOTE));
  if (name === entry.request.name && parts?.length === kept?.length) return entry;
  const rest = kept === undefined ? null : kept.join('\n\n');
  return { ...entry, request: { ...entry.request, name, description: rest === '' || rest === null ? null : rest } };
}

/**
 * The default {@link RemovalMark}: `name` prefixed with
 * {@link DEPRECATED_PREFIX}, a {@link DEPRECATED_NOTE} paragraph at the end
 * of `description` (a string, or `null` for none).
 */
export const nameMark: RemovalMark = { isMarked: isNameMarked, mark: markName, unmark: unmarkName };
