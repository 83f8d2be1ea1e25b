/**
 * `hoppscotchTarget`: a sync target whose local copy is a Hoppscotch
 * collection file. The merge works on the keyed form of normalise.ts; this
 * module reads, reconciles and writes it. See docs/hoppscotch.md.
 *
 * @module
 */
import { resolve } from 'node:path';
import { ConfigError, TargetError } from '../../errors.js';
import { checkOptions, optionKeys } from '../../options.js';
import { deepFreeze } from '../../json/index.js';
import { isJsonRoundTrip, parseJsonBytes } from '../../json/index.js';
import { LocalFile } from '../local-file.js';
import type { MergeConflict } from '../../merge/index.js';
import { removedUpstream } from '../removal.js';
import type { MergeSides, PreparedMerge, ReadInfo, ReconcileInfo, SyncTarget, TargetContext, TargetWriteReport } from '../types.js';
import { type IdentityAmbiguity, type OperationHint, operationHints } from './match.js';
import {
  type HoppIdentityRecord,
  type NormalisedCollection,
  type NormalisedFolder,
  type NormalisedRequest,
  HOPP_ROOT_KEY,
  denormaliseCollection,
  hoppscotchTargetIdentityRules,
  normaliseCollection,
  ownEntry,
} from './normalise.js';
import { parseCollection } from './parse.js';
import { type RequestCache, renderWithCache } from './render.js';
import type { HoppCollection } from './schema.js';

/** The store record (per binding) holding the identity map of the last write. */
export const HOPP_IDENTITY_RECORD = 'hoppscotch-identities';

/** The prefix a request removed upstream gets under the `deprecate` policy (and `remove`, when kept for an edit). */
export const HOPP_DEPRECATED_PREFIX = '[deprecated] ';

/** The first words of the description paragraph a deprecated request gets; the mark is recognised (and removed again) by them. */
export const HOPP_DEPRECATED_NOTE = 'Removed upstream:';

const HOPPSCOTCH_TARGET_KEYS = optionKeys<HoppscotchTargetOptions>()(['path', 'version', 'baseUrlVariable', 'indent']);

/** Options of {@link hoppscotchTarget}. */
export interface HoppscotchTargetOptions {
  /** The collection file (JSON), e.g. `petstore.hoppscotch.json`. */
  path: string;
  /** Collection version to render: 12 (default) or 11 for Hoppscotch releases without collection scripts. */
  version?: 12 | 11;
  /** The collection variable that holds the server URL. Default `baseUrl`. */
  baseUrlVariable?: string;
  /** JSON indentation of the file. Default 2. */
  indent?: number;
}

/**
 * A target whose local copy is a Hoppscotch collection file (collection
 * v12, requests `"17"`; v11 with `version: 11`). Every sync keeps the user's
 * customisations: the engine merges the rendered base, the file and the
 * rendered remote in a keyed form ({@link NormalisedCollection}) where each
 * request is found by its operation identity, whichever folder it was moved
 * to and whatever it was renamed to.
 *
 * - `read`: a missing file is no local copy yet; a file that is not JSON or
 *   not a valid collection is a `TargetError` `TARGET_INVALID`, and the
 *   sync stops without touching it. Requests whose `id` was lost (a
 *   collection exported again from the Hoppscotch app) are matched with the
 *   identity map stored after the last write and what was just rendered, by
 *   every signal there is (see `matchRequests`); a tie is reported.
 * - `prepareMerge`: a request kept marked whose operation is back upstream
 *   merges against what the engine kept of it; ties of the read become
 *   `ambiguous-identity` conflicts (see docs/hoppscotch.md).
 * - `reconcile`: applies the removal policy to operations removed upstream
 *   (`remove`: untouched ones go, edited ones stay marked; `deprecate`: all
 *   stay, marked `[deprecated] ` with a description note; `keep`: all stay
 *   as they are).
 * - `write`: blanks every variable's `currentValue` and the values of
 *   `secret` variables, validates the collection (an invalid one is never
 *   written), writes atomically and compare-and-swap ({@link LocalFile}: a
 *   save made while the sync ran is never overwritten) and stores the
 *   identity map with the upstream requests of marked ones.
 * - `snapshot`/`restore`: a rollback restores the file byte for byte.
 *
 * One target object serves one binding: `read` uses what the same object
 * rendered in the same sync (passed to it as `ReadInfo.rendered`).
 */
export function hoppscotchTarget(options: HoppscotchTargetOptions): SyncTarget<NormalisedCollection> {
  checkOptions('hoppscotchTarget options', options, HOPPSCOTCH_TARGET_KEYS);
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new ConfigError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(options?.path)}.`, {
      hint: 'Pass the Hoppscotch collection file, e.g. { path: "petstore.hoppscotch.json" }.',
    });
  }
  const version = options.version ?? 12;
  if (version !== 12 && version !== 11) {
    throw new ConfigError(`Expected \`version\` to be 12 or 11, got ${JSON.stringify(options.version)}.`, {
      hint: 'Leave it out for the newest collection format (12); use 11 for Hoppscotch releases that predate collection scripts.',
    });
  }
  const indent = options.indent ?? 2;
  if (!Number.isInteger(indent) || indent < 0 || indent > 10) {
    throw new ConfigError(`Expected \`indent\` to be an integer from 0 to 10, got ${JSON.stringify(options.indent)}.`, {
      hint: 'Leave it out for 2.',
    });
  }
  if (options.baseUrlVariable !== undefined && !/^[A-Za-z_][\w.-]*$/.test(options.baseUrlVariable)) {
    throw new ConfigError(
      `Expected \`baseUrlVariable\` to be a variable name (letters, digits, _ . -), got ${JSON.stringify(options.baseUrlVariable)}.`,
      {
        hint: 'Leave it out for "baseUrl".',
      },
    );
  }
  const path = resolve(options.path);
  // Not validated here: every collection is validated before it is written.
  const renderOptions = {
    collectionVersion: version,
    validate: false,
    ...(options.baseUrlVariable === undefined ? {} : { baseUrlVariable: options.baseUrlVariable }),
  };
  // The operations of each render, by the rendered collection: a read gets the renders of its sync (`ReadInfo.rendered`).
  const renderHints = new WeakMap<NormalisedCollection, OperationHint[]>();
  // Renders by document object: the engine hands the same object back as the
  // base of the next sync, so the base is not rendered twice. Frozen, since
  // the merge and everything after it share these objects.
  const renders = new WeakMap<object, { collection: NormalisedCollection; hints: OperationHint[] }>();
  // Requests by operation object, so a new version of a document renders only the operations that changed.
  const requests: RequestCache = new WeakMap();
  // What this target wrote last: the bytes and their parsed, validated form (frozen). A read that finds
  // exactly these bytes takes the parsed form instead of decoding, parsing and validating them again.
  let written: { bytes: Buffer; collection: HoppCollection } | undefined;
  // Written compare-and-swap against what the same sync (its context) read.
  const file = new LocalFile(path);
  const seen = new WeakMap<TargetContext, Buffer | null>();
  // Per sync: operations its read could not tie to one request, the record it read, and what its reconcile marked.
  const ambiguous = new WeakMap<TargetContext, IdentityAmbiguity[]>();
  const records = new WeakMap<TargetContext, HoppIdentityRecord | undefined>();
  const marked = new WeakMap<TargetContext, Record<string, NormalisedRequest>>();
  const merges = new WeakMap<TargetContext, MergeSides<NormalisedCollection>>();
  let lastRead: Buffer | null | undefined;
  /** What the write in this context must find: what its read saw, else what the last read saw, else the file now. */
  const expectedFor = async (context: TargetContext): Promise<Buffer | null> =>
    seen.has(context) ? (seen.get(context) as Buffer | null) : lastRead !== undefined ? lastRead : ((await file.read()) ?? null);

  return {
    kind: 'hoppscotch',
    location: path,
    identityRules: hoppscotchTargetIdentityRules,

    render(document: unknown): NormalisedCollection {
      const cached = document !== null && typeof document === 'object' ? renders.get(document) : undefined;
      if (cached !== undefined) return cached.collection;
      const { collection } = renderWithCache(document, renderOptions, requests);
      const hints = operationHints(collection);
      const normalised = deepFreeze(normaliseCollection(collection, { trustIds: true }));
      renderHints.set(normalised, hints);
      if (document !== null && typeof document === 'object') renders.set(document, { collection: normalised, hints });
      return normalised;
    },

    async read(context: TargetContext, info?: ReadInfo<NormalisedCollection>): Promise<NormalisedCollection | undefined> {
      // What this sync rendered tells requests whose ids were lost apart (a collection exported again from the app).
      const hints = (info?.rendered ?? []).flatMap((render) => renderHints.get(render) ?? []);
      const bytes = await file.read();
      lastRead = bytes ?? null;
      seen.set(context, lastRead);
      if (bytes === undefined) return undefined;
      const collection = written !== undefined && written.bytes.equals(bytes) ? written.collection : parseCollectionBytes(bytes, path);
      const stored = validRecord(await context.records.get(HOPP_IDENTITY_RECORD));
      records.set(context, stored);
      const found: IdentityAmbiguity[] = [];
      ambiguous.set(context, found);
      return normaliseCollection(collection, { stored, rendered: hints, onAmbiguity: (ambiguity) => found.push(ambiguity) });
    },

    prepareMerge(sides: MergeSides<NormalisedCollection>, context: TargetContext): PreparedMerge<NormalisedCollection> {
      merges.set(context, sides);
      return prepareCollectionMerge(sides, records.get(context)?.kept, ambiguous.get(context) ?? []);
    },

    reconcile(merged: NormalisedCollection, info: ReconcileInfo<NormalisedCollection>, context: TargetContext): NormalisedCollection {
      const engineMarks: Record<string, NormalisedRequest> = {};
      marked.set(context, engineMarks);
      return reconcileCollection(merged, info, engineMarks);
    },

    async write(local: NormalisedCollection, context: TargetContext): Promise<TargetWriteReport> {
      context.signal.throwIfAborted();
      const { collection, record } = denormaliseCollection(local);
      const kept = keptRequests(local, records.get(context)?.kept, marked.get(context), merges.get(context)?.remote);
      if (kept !== undefined) record.kept = kept;
      blankSecrets(collection);
      const text = `${JSON.stringify(collection, null, indent)}\n`;
      let checked: HoppCollection;
      try {
        // What the file will hold, parsed as a read would parse it: the next read of the same bytes takes this.
        // A collection of plain JSON values stands for the parse of its own text (no second parse).
        checked = parseCollection(isJsonRoundTrip(collection) ? collection : JSON.parse(text)) as HoppCollection;
      } catch (error) {
        throw new TargetError(
          'TARGET_INVALID',
          `Refusing to write ${path}: the synced collection is not valid. ${(error as Error).message}`,
          {
            cause: error,
            hint: 'The file was left as it was. A conflict resolver or reconcile step produced an invalid value; check the decisions, or report it with the documents.',
          },
        );
      }
      const bytes = Buffer.from(text);
      written = undefined;
      const expected = await expectedFor(context);
      lastRead = undefined;
      const report = await file.write(bytes, expected, context.fence);
      written = { bytes, collection: deepFreeze(checked) };
      await context.records.set(HOPP_IDENTITY_RECORD, record);
      return report;
    },

    async claim(context: TargetContext): Promise<void> {
      if (context.fence !== undefined) await file.claim(context.fence);
    },
    snapshot: (context) => seen.get(context) ?? undefined,

    async restore(bytes: Uint8Array, context: TargetContext): Promise<TargetWriteReport> {
      context.signal.throwIfAborted();
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // Refuse bytes that are not a collection; rebuild the identity map from what they hold.
      const collection = parseCollectionBytes(buffer, path);
      const stored = validRecord(await context.records.get(HOPP_IDENTITY_RECORD));
      const normalised = normaliseCollection(collection, { stored });
      const { record } = denormaliseCollection(normalised);
      const kept = keptRequests(normalised, stored?.kept, undefined, undefined);
      if (kept !== undefined) record.kept = kept;
      written = undefined;
      const expected = await expectedFor(context);
      lastRead = undefined;
      const report = await file.write(buffer, expected, context.fence);
      await context.records.set(HOPP_IDENTITY_RECORD, record);
      return report;
    },
  };
}

/**
 * Read and validate a collection file: `undefined` when it does not exist;
 * a `TargetError` `TARGET_INVALID` when it is not JSON, not a collection,
 * or an "export all" array of more than one collection.
 */
export async function readCollectionFile(path: string): Promise<HoppCollection | undefined> {
  const bytes = await new LocalFile(resolve(path)).read();
  return bytes === undefined ? undefined : parseCollectionBytes(bytes, path);
}

/** Decode, parse and validate the bytes of a collection file (see {@link readCollectionFile}). */
function parseCollectionBytes(bytes: Buffer, path: string): HoppCollection {
  let value: unknown;
  try {
    value = parseJsonBytes(bytes);
  } catch (error) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection file ${path} is not valid JSON: ${(error as Error).message}. Expected a Hoppscotch collection exported as JSON.`,
      {
        cause: error,
        hint: 'Fix the syntax error, or export the collection from Hoppscotch again; the engine does not overwrite a file it cannot read.',
      },
    );
  }
  if (Array.isArray(value) && value.length === 1) value = value[0];
  if (Array.isArray(value)) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection file ${path} holds ${value.length} collections ("Export all"); expected one collection.`,
      {
        hint: 'Export the one collection to sync ("Export" on the collection), or point each binding at its own file.',
      },
    );
  }
  try {
    return parseCollection(value) as HoppCollection;
  } catch (error) {
    throw new TargetError(
      'TARGET_INVALID',
      `The collection file ${path} is not a valid Hoppscotch collection. ${(error as Error).message}`,
      {
        cause: error,
        hint: 'Fix the file at that path, or export it again from Hoppscotch; the engine does not overwrite a file it cannot read.',
        details: { path, ...((error as { details?: object }).details ?? {}) },
      },
    );
  }
}

function validRecord(value: unknown): HoppIdentityRecord | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Partial<HoppIdentityRecord>;
  if ((record.v !== 1 && record.v !== 2) || !Array.isArray(record.requests) || !Array.isArray(record.folders)) return undefined;
  const ok = (entry: unknown, fields: string[]) =>
    entry !== null && typeof entry === 'object' && fields.every((f) => typeof (entry as Record<string, unknown>)[f] === 'string');
  const kept: Record<string, NormalisedRequest> = {};
  if (record.v === 2 && record.kept !== null && typeof record.kept === 'object') {
    for (const [key, entry] of Object.entries(record.kept)) {
      if (
        entry !== null &&
        typeof entry === 'object' &&
        entry.request !== null &&
        typeof entry.request === 'object' &&
        (entry.folder === null || typeof entry.folder === 'string')
      )
        kept[key] = entry;
    }
  }
  return {
    v: record.v,
    requests: record.requests.filter((e) => ok(e, ['path', 'key', 'name', 'endpoint'])),
    folders: record.folders.filter((e) => ok(e, ['path', 'key', 'name'])),
    ...(Object.keys(kept).length > 0 ? { kept } : {}),
  };
}

/**
 * The upstream request of each request the engine keeps after upstream
 * removed its operation: those it kept in this sync (`marks`), and those the
 * last record held that are still in the collection and not back upstream.
 */
function keptRequests(
  local: NormalisedCollection,
  before: Readonly<Record<string, NormalisedRequest>> | undefined,
  marks: Readonly<Record<string, NormalisedRequest>> | undefined,
  remote: NormalisedCollection | undefined,
): Record<string, NormalisedRequest> | undefined {
  const kept: Record<string, NormalisedRequest> = {};
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
  sides: MergeSides<NormalisedCollection>,
  kept: Readonly<Record<string, NormalisedRequest>> | undefined,
  ambiguities: readonly IdentityAmbiguity[],
): PreparedMerge<NormalisedCollection> {
  const { base, local, remote } = sides;
  const prepared: PreparedMerge<NormalisedCollection> = {};
  if (base !== undefined && kept !== undefined) {
    let baseRequests: Record<string, NormalisedRequest> | undefined;
    let localRequests: Record<string, NormalisedRequest> | undefined;
    for (const [key, upstream] of Object.entries(kept)) {
      const entry = ownEntry(local.requests, key);
      if (entry === undefined || ownEntry(remote.requests, key) === undefined || ownEntry(base.requests, key) !== undefined) continue;
      baseRequests ??= { ...base.requests };
      baseRequests[key] = upstream;
      localRequests ??= { ...local.requests };
      localRequests[key] = unmark(entry);
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

/** Blank every collection and folder variable's `currentValue`, and both values of `secret` variables. Mutates `collection` (a fresh copy). */
function blankSecrets(collection: HoppCollection): void {
  const visit = (node: HoppCollection): void => {
    node.variables = node.variables.map((variable) => ({
      ...variable,
      currentValue: '',
      ...(variable.secret ? { initialValue: '' } : {}),
    }));
    node.folders.forEach(visit);
  };
  visit(collection);
}

// ---------------------------------------------------------------- reconcile

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
  merged: NormalisedCollection,
  info: ReconcileInfo<NormalisedCollection>,
  engineMarks?: Record<string, NormalisedRequest>,
): NormalisedCollection {
  const { base, local, remote, removal } = info;
  const out: NormalisedCollection = {
    collection: merged.collection,
    folders: { ...merged.folders },
    requests: { ...merged.requests },
    folderOrder: { ...merged.folderOrder },
    requestOrder: { ...merged.requestOrder },
  };

  const keyed = (requests: Record<string, NormalisedRequest>) => ({ get: (key: string) => ownEntry(requests, key) });
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
    out.requests[key] = action === 'keep' ? kept : mark(kept, removal === 'remove' ? 'remove' : 'deprecate');
    // The upstream request the engine keeps (its last version), for when the operation comes back.
    const upstream = base === undefined ? undefined : ownEntry(base.requests, key);
    if (engineMarks !== undefined && upstream !== undefined) engineMarks[key] = upstream;
  }
  for (const [key, entry] of Object.entries(out.requests)) {
    const upstream = ownEntry(remote.requests, key);
    if (upstream !== undefined && isMarked(entry) && !isMarked(upstream)) out.requests[key] = unmark(entry);
  }

  // Folders that went missing under something that still needs them.
  const sources = [local, remote, base];
  const ensureFolder = (key: string | null, seen: Set<string>): string | null => {
    if (key === null || ownEntry(out.folders, key) !== undefined) return key;
    if (seen.has(key)) return null;
    seen.add(key);
    const found = sources.map((s) => ownEntry(s?.folders, key)).find((f): f is NormalisedFolder => f !== undefined);
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
      if (entry !== undefined && (parentOf(entry) ?? HOPP_ROOT_KEY) === parent) listed.add(key);
    }
  }
  for (const [key, entry] of Object.entries(members)) {
    if (listed.has(key)) continue;
    const parent = parentOf(entry) ?? HOPP_ROOT_KEY;
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

function isMarked(entry: NormalisedRequest): boolean {
  return typeof entry.request.name === 'string' && entry.request.name.startsWith(HOPP_DEPRECATED_PREFIX);
}

function mark(entry: NormalisedRequest, policy: 'remove' | 'deprecate'): NormalisedRequest {
  if (isMarked(entry)) return entry;
  const name = typeof entry.request.name === 'string' ? entry.request.name : '';
  const note =
    policy === 'remove'
      ? `${HOPP_DEPRECATED_NOTE} the API no longer has this operation. Kept because you edited it (removal policy "remove"); delete it when you no longer need it.`
      : `${HOPP_DEPRECATED_NOTE} the API no longer has this operation. Kept by api-live-sync (removal policy "deprecate").`;
  const description =
    typeof entry.request.description === 'string' && entry.request.description !== '' ? `${entry.request.description}\n\n${note}` : note;
  return { ...entry, request: { ...entry.request, name: `${HOPP_DEPRECATED_PREFIX}${name}`, description } };
}

/** The request without the engine's mark: the name prefix and the description note, where they still are. */
function unmark(entry: NormalisedRequest): NormalisedRequest {
  const name =
    typeof entry.request.name === 'string' && isMarked(entry)
      ? entry.request.name.slice(HOPP_DEPRECATED_PREFIX.length)
      : entry.request.name;
  const description = typeof entry.request.description === 'string' ? entry.request.description : null;
  const parts = description?.split('\n\n');
  const kept = parts?.filter((part) => !part.startsWith(HOPP_DEPRECATED_NOTE));
  if (name === entry.request.name && parts?.length === kept?.length) return entry;
  const rest = kept === undefined ? null : kept.join('\n\n');
  return { ...entry, request: { ...entry.request, name, description: rest === '' || rest === null ? null : rest } };
}
