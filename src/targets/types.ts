/**
 * The target adapter contract: where the **local** working copy lives.
 *
 * @module
 */
import type { IdentityRule, MergeConflict } from '../merge/index.js';

/** A binding's own records in the engine's store, for targets that must remember things (identity maps). */
export interface BindingRecords {
  /** Read a JSON record of this binding. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Write a JSON record of this binding (atomically, per the store). */
  set(key: string, value: unknown): Promise<void>;
}

/**
 * The fence of a sync that runs under a lease (see docs/scale-out.md,
 * "Fencing your own target"): its fencing token, and a check that the lease
 * is still held. Pass it to `fencedFileWrite(path, fence, write)` to fence a
 * file; a database or an API can store the token with the data and write
 * only while the stored one is not newer.
 */
export interface SyncFence {
  /** The fencing token of the sync: its lease's epoch, greater than every token handed out for the binding before. */
  readonly token: number;
  /** Resolves while the sync still holds its lease (with a margin); throws `STALE_LEASE` when it does not. */
  readonly confirm: () => Promise<void>;
}

/** What the engine passes to every target call. */
export interface TargetContext {
  /** The binding being synced: its id, as in every event and result. */
  readonly sourceId: string;
  /** @deprecated The same id as `sourceId` (one name per thing, see docs/concepts.md). Removed in 0.3. */
  readonly bindingId: string;
  /** Aborted when the engine stops or the job is cancelled. */
  readonly signal: AbortSignal;
  /** The binding's records in the engine's store. */
  readonly records: BindingRecords;
  /**
   * Set when the sync runs under a lease with a fencing token (the BullMQ
   * scheduler of `api-live-sync/redis` takes one per sync); absent otherwise.
   * A target that writes while it is set must refuse to write once a newer
   * token exists: the built-in file targets write through
   * `fencedFileWrite(path, context.fence, write)`, which throws
   * `STALE_LEASE` and leaves the file as it is.
   */
  readonly fence?: SyncFence;
}

/** What {@link SyncTarget.read} may use besides the local copy itself. */
export interface ReadInfo<Local> {
  /**
   * What the same sync rendered (the remote, the base, the remote before
   * lasting decisions), as `render` returned it: a target that recognises its
   * own requests by what it rendered (the Hoppscotch target, for a collection
   * whose request ids were lost) reads them from here.
   */
  readonly rendered: readonly Local[];
}

/** What {@link SyncTarget.reconcile} gets besides the merged local copy. */
export interface ReconcileInfo<Local> {
  /** The rendered base, or `undefined` on a first sync. */
  readonly base: Local | undefined;
  /** The local copy before the merge, or `undefined` when there was none. */
  readonly local: Local | undefined;
  /** The rendered remote. */
  readonly remote: Local;
  /**
   * The rendered remote before the binding's lasting decisions took
   * operations out of it (ignored operations, tombstones); absent when they
   * took none. What is here but not in `remote` was dropped by the user's
   * decision, not removed upstream: the removal policy leaves it alone.
   */
  readonly upstream?: Local;
  /** What to do with operations removed upstream: `remove`, `deprecate` or `keep` (see docs/targets.md, "Removed upstream"). */
  readonly removal: 'remove' | 'deprecate' | 'keep';
  /**
   * When the sync runs, epoch milliseconds of the engine's clock (the engine
   * always passes it; a plan passes the time it was computed). A target that
   * marks what was removed upstream records it, so its `reconcile` stays pure.
   */
  readonly now?: number;
}

/** The three sides of a merge, as {@link SyncTarget.prepareMerge} gets them. */
export interface MergeSides<Local> {
  /** The rendered base, or `undefined` on a first sync. */
  readonly base: Local | undefined;
  /** The local copy as `read` returned it. */
  readonly local: Local;
  /** The rendered remote. */
  readonly remote: Local;
}

/** What {@link SyncTarget.prepareMerge} may return. */
export interface PreparedMerge<Local> {
  /**
   * The base to merge against instead of the rendered one: for parts whose
   * last synced state the document does not hold, such as a request the
   * target kept after upstream removed its operation (what the target wrote
   * then is the base when the operation comes back). The pipeline's
   * `reconcile` and resolver see this base too.
   */
  base?: Local;
  /**
   * The local copy to merge instead of the one `read` returned: without
   * changes the target made itself earlier (such as a mark it put on a
   * request it kept), so that they do not count as the user's.
   */
  local?: Local;
  /**
   * Conflicts the target found itself, e.g. `ambiguous-identity`: a part of
   * the local copy it could not tie to one upstream part. They are decided by
   * the resolver like the merge's own; a merge conflict at the same path or
   * below it gives way to the target's.
   */
  conflicts?: readonly MergeConflict[];
}

/** What a target's `write` may report. */
export interface TargetWriteReport {
  /**
   * Bytes the write replaced that were not the copy the last `read` saw: a
   * save that landed in the instant of the replace itself. The engine keeps
   * them in the journal entry of the sync (`displaced`) and emits
   * `target:changed`, so the save can be recovered.
   */
  readonly displaced?: Uint8Array;
}

/**
 * A target adapter. `Local` is the shape of the working copy: an OpenAPI
 * document for OpenAPI targets, a collection for Hoppscotch.
 *
 * The engine renders the base and the remote document into the local shape,
 * reads the current local copy, merges the three, and writes the result.
 *
 * Documents the engine passes in are frozen (it shares them with the store
 * and the next sync instead of copying them), and values passed between
 * calls share unchanged subtrees: treat every argument as read-only and
 * build new objects for what changes. The base of a sync is the same object
 * that was the remote of the sync before, so a target may remember its
 * render of a document by object (a `WeakMap`), as the Hoppscotch target does.
 */
export interface SyncTarget<Local = unknown> {
  /** A short name of the adapter kind, e.g. `"memory"`, `"openapi-file"`, `"hoppscotch"`. */
  readonly kind: string;
  /** Where it writes, for messages. */
  readonly location?: string;
  /** Turn an OpenAPI document into the local shape. Must be pure and deterministic. */
  render(document: unknown, context: TargetContext): Local | Promise<Local>;
  /** The current local copy, or `undefined` when there is none yet. */
  read(context: TargetContext, info?: ReadInfo<Local>): Promise<Local | undefined>;
  /**
   * Replace the local copy, atomically, and only while it still is what
   * `read` returned for the same context (one sync calls both with one
   * context object): when a person saved in between, throw a
   * `TargetError` with the retryable code `TARGET_CHANGED_DURING_WRITE` and
   * leave their copy as it is; the engine then reads and merges again
   * (`LocalFile` does all of this for a file). Throw a `TargetError`
   * `TARGET_INVALID` when the value is invalid.
   */
  write(local: Local, context: TargetContext): Promise<void | TargetWriteReport>;
  /**
   * The exact bytes behind the value `read` returned for this context (one
   * sync; `undefined` when there was no local copy). Optional: with it and
   * {@link SyncTarget.restore}, the journal keeps the bytes a sync replaced
   * and a rollback restores the file byte for byte; without them a rollback
   * writes the restored value.
   */
  snapshot?(context: TargetContext): Uint8Array | undefined;
  /** Put back exact bytes a {@link SyncTarget.snapshot} gave (a rollback), under the same rules as `write`. */
  restore?(bytes: Uint8Array, context: TargetContext): Promise<void | TargetWriteReport>;
  /**
   * Adjust the merged local copy before it is written: apply the removal
   * policy to operations that disappeared upstream, re-attach identities.
   * Must be pure. Optional: without it the merge result is written as is.
   */
  reconcile?(merged: Local, info: ReconcileInfo<Local>, context: TargetContext): Local | Promise<Local>;
  /**
   * Called before the three-way merge when there is a local copy (optional):
   * a base to merge against instead of the rendered one, and conflicts only
   * the target can see (see {@link PreparedMerge}). Must not change its
   * arguments.
   */
  prepareMerge?(sides: MergeSides<Local>, context: TargetContext): PreparedMerge<Local> | Promise<PreparedMerge<Local>>;
  /**
   * Called first in a sync that runs under a lease (`context.fence` set),
   * before anything is read (optional): fence the local copy for the token,
   * so that a worker holding an older token can no longer write it, even
   * when this sync writes nothing. Throw `STALE_LEASE` when a newer token
   * already claimed it. The built-in file targets call
   * `fencedFileWrite(path, context.fence, async () => undefined)`.
   */
  claim?(context: TargetContext): Promise<void>;
  /** Identity rules for arrays of the local shape, used by the three-way merge. */
  readonly identityRules?: readonly IdentityRule[] | undefined;
  /** Release resources. */
  close?(): void | Promise<void>;
}
