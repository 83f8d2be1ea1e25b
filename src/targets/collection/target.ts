/**
 * `clientTarget`: turns a client format (how one API client renders, reads
 * and writes its collection) into a sync target. Everything that is not the
 * format is here, once for every client: renders remembered by document,
 * identity matching on read against the stored record and the sync's
 * renders, the target's part of the merge, the removal policy, the identity
 * record, compare-and-swap writes and byte-exact rollback.
 *
 * @module
 */
import type { IdentityRule } from '../../merge/index.js';
import { TargetError } from '../../errors.js';
import { deepFreeze, jsonEqual } from '../../json/index.js';
import type { MergeSides, PreparedMerge, ReadInfo, ReconcileInfo, SyncTarget, TargetContext, TargetWriteReport } from '../types.js';
import type { IdentityHints, NestedCollection } from './keyed.js';
import type { IdentityAmbiguity, OperationHint } from './match.js';
import type { CollectionIdentityRecord, KeyedCollection, KeyedRequest } from './model.js';
import { type RemovalMark, keptRequests, nameMark, prepareCollectionMerge, reconcileCollection } from './reconcile.js';

/** Where a client's local copy lives, as one byte string: a file (`LocalFile` is one), or a folder the format packs. */
export interface ClientStorage {
  /** The bytes of the local copy, `undefined` when there is none yet. */
  read(): Promise<Buffer | undefined>;
  /**
   * Replace the local copy atomically, only while it still is `expected`
   * (`null`: while there is none); else throw `TARGET_CHANGED_DURING_WRITE`
   * (see `SyncTarget.write`).
   */
  write(bytes: Uint8Array, expected: Uint8Array | null): Promise<TargetWriteReport>;
}

/**
 * One API client's format: what a client target is besides the shared
 * collection model. `Tree` is the client's collection as a tree whose
 * requests show `id`, `method`, `name` and `endpoint` (see `CollectionTree`).
 * {@link clientTarget} makes a sync target of it.
 */
export interface ClientFormat<Tree> {
  /** The target kind, e.g. `"hoppscotch"`. */
  readonly kind: string;
  /** Where it writes, for messages (an absolute path). */
  readonly location: string;
  /** The store record holding the identity map of the last write, e.g. `"hoppscotch-identities"`. */
  readonly recordKey: string;
  /** Identity rules of the keyed collection: `collectionIdentityRules(...)` with the client's own lists. */
  readonly identityRules: readonly IdentityRule[];
  /** How a request kept after upstream removed its operation is marked. Default `nameMark`. */
  readonly marker?: RemovalMark;
  /** Where the local copy lives. */
  readonly storage: ClientStorage;
  /**
   * Where the collection's variables are in `KeyedCollection.collection`: the
   * list (each variable an object with a `key`) and the field of a
   * variable's value, e.g. `{ list: 'variables', value: 'initialValue' }`.
   * Each variable the render has (server URLs, auth variables) follows
   * upstream only while the user has not changed or deleted it (see
   * {@link keepUserVariables}). Default `{ list: 'variables', value: 'value' }`.
   */
  readonly variables?: { readonly list: string; readonly value: string };
  /**
   * Render an OpenAPI document into the client's tree, each request carrying
   * its operation identity as its `id`: `renderModelWithCache` with the
   * binding's `baseUrlVariable` and `filter` (validated with `checkFilter`
   * where the options arrive) and one cache per target, then the client's
   * form. Pure and deterministic; `clientTarget` remembers the result by
   * document object. Throws `TargetError` `TARGET_INVALID` for a document
   * that is not OpenAPI 3.x.
   */
  render(document: unknown): Tree;
  /** The operations of a rendered tree, for reads of files whose ids were lost (see `operationHintsOf`). */
  hints(rendered: Tree): OperationHint[];
  /** The keyed form of a tree: `keyCollection` with the client's request shape. */
  key(tree: Tree, hints: IdentityHints): KeyedCollection;
  /** The tree of a keyed collection: `nestCollection` with the client's hooks. */
  nest(keyed: KeyedCollection): NestedCollection<Tree>;
  /** Decode and validate the bytes of the local copy; a `TargetError` `TARGET_INVALID` when they are not a collection. */
  parse(bytes: Buffer): Tree;
  /**
   * The bytes to write for a tree (secrets blanked), and the tree as a
   * read of those bytes would parse it. Throws when the tree is not valid:
   * `clientTarget` then refuses to write (`TARGET_INVALID`).
   */
  serialise(tree: Tree): { bytes: Buffer; parsed: Tree };
}

/**
 * A sync target from a client format. Every sync keeps the user's
 * customisations: the engine merges the rendered base, the local copy and
 * the rendered remote in the keyed form ({@link KeyedCollection}), where
 * each request is found by its operation identity, whichever folder it was
 * moved to and whatever it was renamed to.
 *
 * - `read`: no local copy yet is `undefined`; bytes the format cannot parse
 *   are a `TargetError` `TARGET_INVALID`, and the sync stops without touching
 *   them. Requests whose `id` was lost are matched with the identity record
 *   of the last write and what was just rendered (see `matchRequests`); a tie
 *   is reported;
 * - `prepareMerge`: a request kept marked whose operation is back upstream
 *   merges against what the engine kept of it; ties of the read become
 *   `ambiguous-identity` conflicts;
 * - `reconcile`: the removal policy (see `reconcileCollection`);
 * - `write`: nests, serialises and validates (an invalid collection is never
 *   written), writes compare-and-swap against what the same sync read, and
 *   stores the identity record with the upstream requests of marked ones;
 * - `snapshot`/`restore`: a rollback restores the bytes exactly.
 *
 * One target object serves one binding: `read` uses what the same object
 * rendered in the same sync (passed to it as `ReadInfo.rendered`).
 */
export function clientTarget<Tree>(format: ClientFormat<Tree>): SyncTarget<KeyedCollection> {
  const marker = format.marker ?? nameMark;
  const variables = format.variables ?? { list: 'variables', value: 'value' };
  const { storage } = format;
  // The operations of each render, by the rendered collection: a read gets the renders of its sync (`ReadInfo.rendered`).
  const renderHints = new WeakMap<KeyedCollection, OperationHint[]>();
  // Renders by document object: the engine hands the same object back as the
  // base of the next sync, so the base is not rendered twice. Frozen, since
  // the merge and everything after it share these objects.
  const renders = new WeakMap<object, KeyedCollection>();
  // What this target wrote last: the bytes and their parsed form (frozen). A read that finds
  // exactly these bytes takes the parsed form instead of decoding, parsing and validating them again.
  let written: { bytes: Buffer; tree: Tree } | undefined;
  // Per sync: what its read saw, the ties it found, the record it read, what its reconcile marked, and the merge sides.
  const seen = new WeakMap<TargetContext, Buffer | null>();
  const ambiguous = new WeakMap<TargetContext, IdentityAmbiguity[]>();
  const records = new WeakMap<TargetContext, CollectionIdentityRecord | undefined>();
  const marked = new WeakMap<TargetContext, Record<string, KeyedRequest>>();
  const merges = new WeakMap<TargetContext, MergeSides<KeyedCollection>>();
  let lastRead: Buffer | null | undefined;
  /** What the write in this context must find: what its read saw, else what the last read saw, else the local copy now. */
  const expectedFor = async (context: TargetContext): Promise<Buffer | null> =>
    seen.has(context) ? (seen.get(context) as Buffer | null) : lastRead !== undefined ? lastRead : ((await storage.read()) ?? null);
  const put = async (bytes: Buffer, context: TargetContext, record: CollectionIdentityRecord, tree: Tree | undefined) => {
    written = undefined;
    const expected = await expectedFor(context);
    lastRead = undefined;
    const report = await storage.write(bytes, expected);
    if (tree !== undefined) written = { bytes, tree: deepFreeze(tree) };
    await context.records.set(format.recordKey, record);
    return report;
  };

  return {
    kind: format.kind,
    location: format.location,
    identityRules: format.identityRules,

    render(document: unknown): KeyedCollection {
      const cached = document !== null && typeof document === 'object' ? renders.get(document) : undefined;
      if (cached !== undefined) return cached;
      const tree = format.render(document);
      const hints = format.hints(tree);
      const keyed = deepFreeze(format.key(tree, { trustIds: true }));
      renderHints.set(keyed, hints);
      if (document !== null && typeof document === 'object') renders.set(document, keyed);
      return keyed;
    },

    async read(context: TargetContext, info?: ReadInfo<KeyedCollection>): Promise<KeyedCollection | undefined> {
      // What this sync rendered tells requests whose ids were lost apart (a collection exported again from the app).
      const hints = (info?.rendered ?? []).flatMap((render) => renderHints.get(render) ?? []);
      const bytes = await storage.read();
      lastRead = bytes ?? null;
      seen.set(context, lastRead);
      if (bytes === undefined) return undefined;
      const tree = written !== undefined && written.bytes.equals(bytes) ? written.tree : format.parse(bytes);
      const stored = validRecord(await context.records.get(format.recordKey));
      records.set(context, stored);
      const found: IdentityAmbiguity[] = [];
      ambiguous.set(context, found);
      return format.key(tree, { stored, rendered: hints, onAmbiguity: (ambiguity) => found.push(ambiguity) });
    },

    prepareMerge(sides: MergeSides<KeyedCollection>, context: TargetContext): PreparedMerge<KeyedCollection> {
      merges.set(context, sides);
      const prepared = prepareCollectionMerge(sides, records.get(context)?.kept, ambiguous.get(context) ?? [], marker);
      const base = keepUserVariables({ ...sides, base: prepared.base ?? sides.base }, variables);
      return base === undefined ? prepared : { ...prepared, base };
    },

    reconcile(merged: KeyedCollection, info: ReconcileInfo<KeyedCollection>, context: TargetContext): KeyedCollection {
      const engineMarks: Record<string, KeyedRequest> = {};
      marked.set(context, engineMarks);
      return reconcileCollection(merged, info, engineMarks, marker);
    },

    async write(local: KeyedCollection, context: TargetContext): Promise<TargetWriteReport> {
      context.signal.throwIfAborted();
      const { collection, record } = format.nest(local);
      const kept = keptRequests(local, records.get(context)?.kept, marked.get(context), merges.get(context)?.remote);
      if (kept !== undefined) record.kept = kept;
      let out: { bytes: Buffer; parsed: Tree };
      try {
        out = format.serialise(collection);
      } catch (error) {
        throw new TargetError(
          'TARGET_INVALID',
          `Refusing to write ${format.location}: the synced collection is not valid. ${(error as Error).message}`,
          {
            cause: error,
            hint: 'The local copy was left as it was. A conflict resolver or reconcile step produced an invalid value; check the decisions, or report it with the documents.',
          },
        );
      }
      return put(out.bytes, context, record, out.parsed);
    },

    snapshot: (context) => seen.get(context) ?? undefined,

    async restore(bytes: Uint8Array, context: TargetContext): Promise<TargetWriteReport> {
      context.signal.throwIfAborted();
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // Refuse bytes that are not a collection; rebuild the identity record from what they hold.
      const tree = format.parse(buffer);
      const stored = validRecord(await context.records.get(format.recordKey));
      const keyed = format.key(tree, { stored });
      const { record } = format.nest(keyed);
      const kept = keptRequests(keyed, stored?.kept, undefined, undefined);
      if (kept !== undefined) record.kept = kept;
      return put(buffer, context, record, undefined);
    },
  };
}

/** The identity record as stored, with malformed entries left out; `undefined` when it is not one. */
export function validRecord(value: unknown): CollectionIdentityRecord | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Partial<CollectionIdentityRecord>;
  if ((record.v !== 1 && record.v !== 2) || !Array.isArray(record.requests) || !Array.isArray(record.folders)) return undefined;
  const ok = (entry: unknown, fields: string[]) =>
    entry !== null && typeof entry === 'object' && fields.every((f) => typeof (entry as Record<string, unknown>)[f] === 'string');
  const kept: Record<string, KeyedRequest> = {};
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
 * The three-way merge of the collection's variables, with the user's value
 * first: for each variable of the rendered remote whose value the user
 * changed since the last sync, or that the user deleted, the base to merge
 * against takes upstream's value (or upstream's variable), so the merge
 * keeps the user's without a conflict. A variable the user did not touch
 * follows upstream (a new server URL arrives); a variable only the user has
 * is theirs and never touched. Returns the base to merge against, or
 * `undefined` when it is the given one.
 */
export function keepUserVariables(
  sides: MergeSides<KeyedCollection>,
  where: { readonly list: string; readonly value: string },
): KeyedCollection | undefined {
  const { base, local, remote } = sides;
  const listOf = (collection: KeyedCollection | undefined): Array<Record<string, unknown>> | undefined => {
    const list = collection?.collection[where.list];
    return Array.isArray(list) ? (list as Array<Record<string, unknown>>) : undefined;
  };
  const baseList = listOf(base);
  const remoteList = listOf(remote);
  if (base === undefined || baseList === undefined || remoteList === undefined) return undefined;
  const localList = listOf(local) ?? [];
  const byKey = (list: Array<Record<string, unknown>>) => new Map(list.map((variable) => [variable.key, variable]));
  const localByKey = byKey(localList);
  const remoteByKey = byKey(remoteList);
  let changed = false;
  const adjusted = baseList.map((variable) => {
    const upstream = remoteByKey.get(variable.key);
    if (upstream === undefined || typeof variable.key !== 'string') return variable;
    const mine = localByKey.get(variable.key);
    if (mine === undefined) {
      // Deleted by the user: merged as if upstream had not changed it, so it stays deleted.
      if (jsonEqual(variable, upstream)) return variable;
      changed = true;
      return upstream;
    }
    if (jsonEqual(mine[where.value], variable[where.value]) || jsonEqual(variable[where.value], upstream[where.value])) return variable;
    changed = true;
    return { ...variable, [where.value]: upstream[where.value] };
  });
  return changed ? { ...base, collection: { ...base.collection, [where.list]: adjusted } } : undefined;
}
