import type { ConflictDecision, ConflictResolver } from '../conflict/index.js';
import { adapterFailure, isSyncError } from '../errors.js';
import type { SyncEngineEventName, SyncEngineEvents } from './events.js';
import { merge3, type MergeConflict } from '../merge/index.js';
import { diffSpecs, type SpecChange } from '../diff/index.js';
import { canonicalHash, deepFreeze, jsonEqual, jsonPatch, shareUnchanged } from '../json/index.js';
import type { Clock } from '../scheduler/index.js';
import type { FetchValidators, SourceFetchResult, SpecSource } from '../sources/index.js';
import { loadSharing, operationKeys, withoutOperations } from '../document/index.js';
import type { BaseRecord, SyncStore } from '../store/index.js';
import type { SyncFence, SyncTarget, TargetContext, TargetWriteReport } from '../targets/index.js';
import {
  commitJournal,
  discardJournal,
  prepareJournal,
  recoverJournal,
  storeBytes,
  type JournalLimits,
  type PendingJournal,
} from './journal.js';
import type { PendingDecisions } from './decisions.js';
import { getDecisions } from './records.js';
import { resolveStep } from './resolve-step.js';
import type { ReviewState } from './review.js';
import type { BindingDecisions, HeldReason, JournalEntry, JsonPatchOperation, SyncJob, SyncPlan, SyncPolicy, SyncResult } from './types.js';

/** The parts of a binding the pipeline works with. */
export interface PipelineBinding {
  id: string;
  source: SpecSource;
  target: SyncTarget;
  policy: Required<SyncPolicy>;
  resolver: ConflictResolver | undefined;
  /**
   * The base this engine saved last, with its own document object. Used
   * instead of the store's copy while the store still holds that base (same
   * hash and time), so targets that remember what they rendered by object
   * (the Hoppscotch target does) need not render the base again.
   */
  lastBase?: BaseRecord | undefined;
  /** Whether the journal's write-ahead record was settled since this engine took the binding (see `recoverBinding`). */
  journalChecked?: boolean;
}

/** Emits an event (payload built lazily). */
export type EmitFunction = <E extends SyncEngineEventName>(event: E, payload: () => SyncEngineEvents[E]) => void;

/** What the pipeline needs from the engine. */
export interface PipelineDeps {
  store: SyncStore;
  clock: Clock;
  emit: EmitFunction;
  /** Whether anyone listens at all (hot paths skip building payload closures when not). */
  listening(): boolean;
  /** Held syncs, approvals and flapping counts. */
  review: ReviewState;
  /** Jobs a `manual()` resolver holds for a person's decisions. */
  pending: PendingDecisions;
  onConflicts(sourceId: string, count: number): void;
}

const noEmit: EmitFunction = () => undefined;
const NO_CHANGES: readonly SpecChange[] = Object.freeze([]);
const NO_CONFLICTS: MergeConflict[] = Object.freeze([]) as unknown as MergeConflict[];
const NO_DECISIONS: ConflictDecision[] = Object.freeze([]) as unknown as ConflictDecision[];

/** Everything one sync computed before deciding whether to write. */
export interface PreparedSync {
  outcome: 'apply' | 'unchanged' | 'held';
  unchangedReason?: 'not-modified' | 'same-hash';
  held?: { reason: HeldReason; details: Record<string, unknown> };
  validators: FetchValidators;
  hash?: string;
  remote?: Record<string, unknown>;
  base: BaseRecord | undefined;
  changes: readonly SpecChange[];
  conflicts: MergeConflict[];
  decisions: ConflictDecision[];
  local: unknown;
  merged: unknown;
  /** Whether the merged copy differs from the local one. */
  dirty: boolean;
  /** The context the target was called with (absent when the run ended before touching the target). */
  targetContext?: TargetContext;
  /** JSON Pointer patterns whose conflicts always keep the local value (lasting decisions). */
  keepLocal?: readonly string[];
  /** The remote before ignored and tombstoned operations were taken out; absent when none were. */
  upstream?: Record<string, unknown>;
}

/** The prepared sync of a run that found nothing new. */
function unchangedSync(reason: 'not-modified' | 'same-hash', validators: FetchValidators, base?: BaseRecord, hash?: string): PreparedSync {
  const prepared: PreparedSync = {
    outcome: 'unchanged',
    unchangedReason: reason,
    validators,
    base,
    changes: NO_CHANGES,
    conflicts: NO_CONFLICTS,
    decisions: NO_DECISIONS,
    local: undefined,
    merged: undefined,
    dirty: false,
  };
  if (hash !== undefined) prepared.hash = hash;
  return prepared;
}

/** Options of {@link prepareSync}. */
export interface PrepareOptions {
  /** Plans: emit nothing, never wait for a person, save nothing. */
  dryRun: boolean;
  /** The fence of a sync that runs under a lease: every target call gets it (`TargetContext.fence`). */
  fence?: SyncFence | undefined;
}

const DRY_RUN_OFF: PrepareOptions = Object.freeze({ dryRun: false });

/** The exact bytes the target holds now, for the journal (targets with `snapshot`); a throw is reported as `TARGET_ADAPTER_FAILED`. */
export function snapshotOf(binding: Pick<PipelineBinding, 'id' | 'target'>, context: TargetContext): Uint8Array | undefined {
  try {
    return binding.target.snapshot?.(context);
  } catch (error) {
    throw adapterFailure('target', binding.target.kind, error, 'taking a snapshot of the local copy', {
      details: { bindingId: binding.id },
    });
  }
}

/** The context every target call of a binding gets; `fence` when the sync runs under a lease. */
export function targetContextOf(
  binding: Pick<PipelineBinding, 'id'>,
  store: SyncStore,
  signal: AbortSignal,
  fence?: SyncFence | undefined,
): TargetContext {
  const context: { -readonly [K in keyof TargetContext]: TargetContext[K] } = {
    sourceId: binding.id,
    bindingId: binding.id,
    signal,
    records: {
      get: <T>(key: string) => store.getRecord<T>(binding.id, key),
      set: (key: string, value: unknown) => store.setRecord(binding.id, key, value),
    },
  };
  if (fence !== undefined) context.fence = fence;
  return context;
}

/** What one step of `prepareSync` needs: the binding, the job and where to report. */
interface StepContext {
  binding: PipelineBinding;
  jobId: string;
  signal: AbortSignal;
  deps: PipelineDeps;
  options: PrepareOptions;
  emit: EmitFunction;
  quiet: boolean;
}

/**
 * Steps one to eight of a sync (DESIGN.md, "One sync"): fetch, load, the
 * unchanged short-circuits, the semantic diff, render, merge, resolve,
 * reconcile and the safety rails. Writes nothing except, outside dry runs,
 * refreshed validators of an unchanged run.
 */
export async function prepareSync(
  binding: PipelineBinding,
  jobId: string,
  signal: AbortSignal,
  deps: PipelineDeps,
  options: PrepareOptions,
): Promise<PreparedSync> {
  const quiet = options.dryRun || !deps.listening();
  const step: StepContext = { binding, jobId, signal, deps, options, emit: quiet ? noEmit : deps.emit, quiet };
  const validators = await deps.store.getValidators(binding.id);
  if (signal.aborted) throw signal.reason;
  const fetched = await fetchStep(step, validators);
  if (fetched.kind === 'not-modified') return notModified(step, validators, fetched.validators);
  const loaded = await loadStep(step, fetched);
  if (loaded.base && loaded.base.hash === loaded.hash) return sameHash(step, loaded);
  const { remote, upstream, keepLocal } = await lastingStep(step, loaded.newest);
  const changes = diffStep(step, loaded, remote);
  const prepared: PreparedSync = {
    outcome: 'apply',
    validators: loaded.validators,
    hash: loaded.hash,
    remote,
    base: loaded.base,
    changes,
    conflicts: NO_CONFLICTS,
    decisions: NO_DECISIONS,
    local: undefined,
    merged: undefined,
    dirty: false,
    keepLocal,
    targetContext: targetContextOf(binding, deps.store, signal, options.fence),
  };
  if (upstream !== undefined) prepared.upstream = upstream;
  const held = railsStep(step, loaded, remote, changes);
  if (held) {
    prepared.outcome = 'held';
    prepared.held = held;
  }
  await mergeLocal(binding, jobId, signal, deps, options, prepared);
  return prepared;
}

/** Step 1: fetch with the stored validators; a throw of the user's source is reported under the adapter's name. */
async function fetchStep(
  { binding, jobId, signal, deps, emit, quiet }: StepContext,
  validators: FetchValidators,
): Promise<SourceFetchResult> {
  const fetched = await Promise.resolve()
    .then(() => binding.source.fetch({ validators, signal }))
    .catch((error: unknown) => {
      throw signal.aborted
        ? signal.reason
        : adapterFailure('source', binding.source.kind, error, 'fetching', { details: { bindingId: binding.id } });
    });
  if (signal.aborted) throw signal.reason;
  if (!quiet)
    emit('spec:fetched', () => ({
      timestamp: deps.clock.now(),
      sourceId: binding.id,
      jobId,
      kind: fetched.kind,
      ...(fetched.kind !== 'not-modified' && fetched.location !== undefined ? { location: fetched.location } : {}),
      ...(fetched.kind === 'raw'
        ? { bytes: typeof fetched.body === 'string' ? Buffer.byteLength(fetched.body) : fetched.body.byteLength }
        : {}),
    }));
  return fetched;
}

/** The source answered "not modified": keep its refreshed validators and stop. */
async function notModified(
  { binding, jobId, deps, options, emit, quiet }: StepContext,
  validators: FetchValidators,
  refreshed: FetchValidators | undefined,
): Promise<PreparedSync> {
  if (!options.dryRun) deps.review.seen(binding.id, undefined);
  // Saved only when the source sent something new: an unchanged poll writes nothing (one store write fewer per poll).
  if (refreshed && !options.dryRun && !sameValidators(validators, refreshed))
    await deps.store.saveValidators(binding.id, { ...validators, ...refreshed });
  if (!quiet) emit('spec:unchanged', () => ({ timestamp: deps.clock.now(), sourceId: binding.id, jobId, reason: 'not-modified' }));
  return unchangedSync('not-modified', validators);
}

/** Whether `refreshed` adds nothing to `known`: every validator it has, `known` has with the same value. */
function sameValidators(known: Readonly<FetchValidators>, refreshed: Readonly<FetchValidators>): boolean {
  return (Object.keys(refreshed) as Array<keyof FetchValidators>).every((key) => refreshed[key] === known[key]);
}

/** What the load step gives: the newest document, frozen and hashed, beside the base it was loaded against. */
interface LoadedRemote {
  base: BaseRecord | undefined;
  newest: Record<string, unknown>;
  hash: string;
  validators: FetchValidators;
}

/** Step 2: load (parse, upgrade, validate) sharing what did not change with the base, freeze and hash. */
async function loadStep(
  { binding, signal, deps }: StepContext,
  fetched: Exclude<SourceFetchResult, { kind: 'not-modified' }>,
): Promise<LoadedRemote> {
  const stored = await deps.store.getBase(binding.id);
  const last = binding.lastBase;
  const base = stored !== undefined && last !== undefined && stored.hash === last.hash && stored.savedAt === last.savedAt ? last : stored;
  // What did not change comes out of the loader as the base's own frozen objects, so every walk over
  // both (the diff, the targets' render caches, the journal's patch, freezing) skips it.
  const loaded = await loadSharing(
    fetched.kind === 'raw' ? fetched.body : (fetched.document as object),
    {
      ...(fetched.location === undefined ? {} : { location: fetched.location }),
      ...(fetched.kind === 'raw' && fetched.contentType !== undefined ? { contentType: fetched.contentType } : {}),
      // The source's own limit: a file the source may read, the loader may load.
      ...(fetched.kind === 'raw' && fetched.maxBytes !== undefined ? { maxBytes: fetched.maxBytes } : {}),
      ...(fetched.allowRemoteRefs === true ? { allowRemoteRefs: true } : {}),
    },
    base?.document,
  );
  if (signal.aborted) throw signal.reason;
  // The loader's fast walk shares; this catches what its fallback walk (deep or unusual input) did not,
  // and costs little where the loader did. Frozen from here on: targets, the merge, the store and the
  // next sync share it instead of copying it. Hashed once frozen: the hash keeps the text of frozen
  // parts, so the next version's hash serialises only what changed.
  const newest = deepFreeze(shareUnchanged(base?.document, loaded.document));
  const hash = canonicalHash(newest);
  return { base, newest, hash, validators: { ...(fetched.validators ?? {}), contentHash: hash } };
}

/** The loaded document is the base's: keep the new validators and stop. */
async function sameHash({ binding, jobId, deps, options, emit, quiet }: StepContext, loaded: LoadedRemote): Promise<PreparedSync> {
  if (!options.dryRun) {
    deps.review.seen(binding.id, undefined);
    await deps.store.saveValidators(binding.id, loaded.validators);
  }
  if (!quiet)
    emit('spec:unchanged', () => ({ timestamp: deps.clock.now(), sourceId: binding.id, jobId, reason: 'same-hash', hash: loaded.hash }));
  return unchangedSync('same-hash', loaded.validators, loaded.base, loaded.hash);
}

/** Step 3: lasting decisions. Ignored operations never come in; tombstoned ones stay deleted. */
async function lastingStep(
  { binding, deps }: StepContext,
  newest: Record<string, unknown>,
): Promise<{ remote: Record<string, unknown>; upstream: Record<string, unknown> | undefined; keepLocal: readonly string[] }> {
  const lasting = await getDecisions(deps.store, binding.id);
  const remote = deepFreeze(withoutOperations(newest, new Set([...lasting.ignoredOperations, ...lasting.tombstones])));
  // What those decisions took out is the user's doing, not upstream's: the removal policy must not keep it.
  return { remote, upstream: remote === newest ? undefined : newest, keepLocal: lasting.keepLocal };
}

/** Step 4: the semantic diff of the base and the remote, reported as `spec:changed`. */
function diffStep(
  { binding, jobId, deps, emit }: StepContext,
  loaded: LoadedRemote,
  remote: Record<string, unknown>,
): readonly SpecChange[] {
  const { base, hash } = loaded;
  const changes: readonly SpecChange[] = diffSpecs(
    base?.document ?? { openapi: remote['openapi'] ?? '3.0.0', info: remote['info'] ?? {}, paths: {} },
    remote,
  );
  emit('spec:changed', () => ({
    timestamp: deps.clock.now(),
    sourceId: binding.id,
    jobId,
    hash,
    ...(base ? { previousHash: base.hash } : {}),
    firstSync: base === undefined,
    changes,
  }));
  return changes;
}

/** Step 5: the safety rails (mass removal, breaking changes, flapping), unless a person approved this document. */
function railsStep(
  { binding, deps, options }: StepContext,
  loaded: LoadedRemote,
  remote: Record<string, unknown>,
  changes: readonly SpecChange[],
): PreparedSync['held'] {
  if (!options.dryRun && deps.review.isApproved(binding.id, loaded.hash)) return undefined;
  return checkSafetyRails(
    loaded.base?.document,
    remote,
    changes,
    binding.policy,
    options.dryRun ? Number.POSITIVE_INFINITY : deps.review.seen(binding.id, loaded.hash),
  );
}

/**
 * Render the base and the remote, read the local copy, merge the three,
 * resolve the conflicts and reconcile: fills `local`, `merged`, `conflicts`,
 * `decisions` and `dirty` of `prepared`. Runs again, from a fresh read, when
 * the write found the local copy changed.
 */
async function mergeLocal(
  binding: PipelineBinding,
  jobId: string,
  signal: AbortSignal,
  deps: PipelineDeps,
  options: PrepareOptions,
  prepared: PreparedSync,
): Promise<void> {
  const { clock } = deps;
  const emit = options.dryRun || !deps.listening() ? noEmit : deps.emit;
  const context = prepared.targetContext as TargetContext;
  const remote = prepared.remote as Record<string, unknown>;
  const base = prepared.base;
  const target = binding.target;
  const adapterError = (step: string) => (error: unknown) => {
    throw adapterFailure('target', target.kind, error, step, {
      hint: frozenHint(error) ?? 'See the cause; the local copy was not changed.',
      details: { bindingId: binding.id },
    });
  };
  // Called inside `then` so that a target that throws synchronously is reported like one that rejects.
  const call = <T>(fn: () => T | Promise<T>): Promise<T> => Promise.resolve().then(fn);
  const renderedRemote = await call(() => target.render(remote, context)).catch(adapterError('rendering the remote document'));
  const renderedBase = base ? await call(() => target.render(base.document, context)).catch(adapterError('rendering the base')) : undefined;
  const upstream = prepared.upstream;
  const renderedUpstream = upstream
    ? await call(() => target.render(upstream, context)).catch(adapterError('rendering the remote document'))
    : undefined;
  const rendered = renderedBase === undefined ? [renderedRemote] : [renderedRemote, renderedBase];
  if (renderedUpstream !== undefined) rendered.push(renderedUpstream);
  const local = await call(() => target.read(context, { rendered })).catch(adapterError('reading the local copy'));
  if (signal.aborted) throw signal.reason;

  let document: unknown = renderedRemote;
  let conflicts: MergeConflict[] = NO_CONFLICTS;
  let decisions: ConflictDecision[] = NO_DECISIONS;
  let mergeBase = renderedBase;
  if (local !== undefined) {
    const prepareMerge = target.prepareMerge?.bind(target);
    const own = prepareMerge
      ? await call(() => prepareMerge({ base: renderedBase, local, remote: renderedRemote }, context)).catch(
          adapterError('preparing the merge'),
        )
      : undefined;
    if (own?.base !== undefined) mergeBase = own.base;
    const merged = merge3(
      mergeBase === undefined ? {} : mergeBase,
      own?.local ?? local,
      renderedRemote,
      target.identityRules === undefined ? {} : { rules: target.identityRules },
    );
    conflicts =
      own?.conflicts === undefined || own.conflicts.length === 0 ? merged.conflicts : withTargetConflicts(merged.conflicts, own.conflicts);
    document = merged.merged;
    if (conflicts.length > 0) {
      if (!options.dryRun) deps.onConflicts(binding.id, conflicts.length);
      emit('conflict:detected', () => ({ timestamp: clock.now(), sourceId: binding.id, jobId, conflicts }));
      const resolved = await resolveStep(document, conflicts, binding.resolver, {
        sourceId: binding.id,
        jobId,
        base: mergeBase,
        local,
        remote: renderedRemote,
        changes: prepared.changes,
        signal,
        keepLocal: prepared.keepLocal ?? [],
        pending: options.dryRun ? undefined : deps.pending,
      });
      document = resolved.document;
      decisions = resolved.decisions;
      emit('conflict:resolved', () => ({ timestamp: clock.now(), sourceId: binding.id, jobId, decisions }));
    }
  }
  if (signal.aborted) throw signal.reason;
  if (target.reconcile) {
    const reconcile = target.reconcile.bind(target);
    const merged = document;
    document = await call(() =>
      reconcile(
        merged,
        {
          base: mergeBase,
          local,
          remote: renderedRemote,
          ...(renderedUpstream === undefined ? {} : { upstream: renderedUpstream }),
          removal: binding.policy.removal,
          now: clock.now(),
        },
        context,
      ),
    ).catch(adapterError('reconciling the merged copy'));
  }
  prepared.local = local;
  prepared.merged = document;
  prepared.conflicts = conflicts;
  prepared.decisions = decisions;
  // Structural comparison: short-circuits on shared subtrees (the merge shares what it did not change).
  prepared.dirty = local === undefined || !jsonEqual(local, document);
}

/** The merge's conflicts with the target's own: a merge conflict at or below the path of one of the target's gives way to it. */
function withTargetConflicts(merged: readonly MergeConflict[], own: readonly MergeConflict[]): MergeConflict[] {
  const covered = (path: string) => own.some((c) => path === c.path || path.startsWith(`${c.path}/`));
  return [...merged.filter((c) => !covered(c.path)), ...own];
}

/**
 * One sync of one binding, end to end (DESIGN.md, "One sync"): prepare,
 * then write the target, then save the base and the journal. The target is
 * written before the base on purpose: a crash in between makes the next run
 * merge the same remote changes again, which converges.
 */
export async function runPipeline(
  binding: PipelineBinding,
  job: Readonly<SyncJob>,
  signal: AbortSignal,
  deps: PipelineDeps,
  fence?: SyncFence,
): Promise<SyncResult> {
  const { store, clock, emit } = deps;
  const startedAt = clock.now();
  const target = binding.target;
  if (fence !== undefined) {
    // Under a lease (docs/scale-out.md, "The flow"): first claim the target for the token, so that no older
    // token writes it from now on; then settle whatever the previous holder (any worker) left in the journal,
    // which may be a sync whose target write landed and whose store writes were refused.
    if (target.claim) {
      const claim = target.claim.bind(target);
      const context = targetContextOf(binding, store, signal, fence);
      await Promise.resolve()
        .then(() => claim(context))
        .catch((error: unknown) => {
          throw adapterFailure('target', target.kind, error, 'claiming the local copy for the sync', {
            details: { bindingId: binding.id },
          });
        });
    }
    await recoverBinding(binding, deps, signal, fence);
  } else if (binding.journalChecked !== true) await recoverBinding(binding, deps, signal);
  const prepared = await prepareSync(binding, job.id, signal, deps, fence === undefined ? DRY_RUN_OFF : { dryRun: false, fence });
  // The common case (nothing new) first, without a closure: this runs once per job.
  if (prepared.outcome === 'unchanged') return resultOf(binding.id, job.id, prepared, startedAt, clock.now(), 'unchanged', false);
  if (prepared.outcome === 'held' && prepared.held) {
    const held = prepared.held;
    if (!deps.review.heldBefore(binding.id, prepared.hash as string))
      emit('sync:held', () => ({
        timestamp: clock.now(),
        sourceId: binding.id,
        jobId: job.id,
        reason: held.reason,
        details: held.details,
      }));
    return resultOf(binding.id, job.id, prepared, startedAt, clock.now(), 'held', false);
  }
  const remote = prepared.remote as Record<string, unknown>;
  const hash = prepared.hash as string;
  const forwardBasePatch = prepared.base ? diffPatch(prepared.base.document, remote) : undefined;
  // From the first journal record written until the commit, a failure leaves a prepared entry for the next run to settle.
  binding.journalChecked = false;
  let pending: PendingJournal;
  let report: TargetWriteReport | void = undefined;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    // Write ahead: the entry, with the bytes the target holds now, is in the store before the target changes.
    ({ pending } = await prepareJournal(store, binding.id, journalEntryOf(binding.id, job.id, clock.now(), prepared), {
      before: prepared.dirty ? snapshotOf(binding, prepared.targetContext as TargetContext) : undefined,
      forwardBasePatch,
      validators: prepared.validators,
    }));
    if (!prepared.dirty) break;
    try {
      report = await target.write(prepared.merged, prepared.targetContext as TargetContext);
      break;
    } catch (error) {
      if (isSyncError(error) && error.code === 'STALE_LEASE') {
        // A newer lease holder owns the binding: the target refused the write (nothing written), or a fenced store
        // refused a record after it. Not retried. The prepared entry is dropped here, or, when the store refuses that
        // too, settled by the newer holder's sync, which settles the journal right after claiming the target.
        await discardJournal(store, binding.id, pending).catch((discard: unknown) => {
          if (!isSyncError(discard) || discard.code !== 'STALE_LEASE') throw discard;
        });
        throw error;
      }
      await discardJournal(store, binding.id, pending);
      if (!isSyncError(error) || error.code !== 'TARGET_CHANGED_DURING_WRITE' || attempt >= MAX_WRITE_ATTEMPTS) {
        const hint = frozenHint(error);
        throw adapterFailure('target', target.kind, error, 'writing', {
          retryable: hint === undefined,
          ...(hint === undefined ? {} : { hint }),
          details: { bindingId: binding.id },
        });
      }
      emit('target:changed', () => ({
        timestamp: clock.now(),
        sourceId: binding.id,
        jobId: job.id,
        action: 'remerge',
        attempt,
        ...(target.location === undefined ? {} : { location: target.location }),
      }));
      // The person's save is the new local copy: merge again from it.
      prepared.targetContext = targetContextOf(binding, store, signal, fence);
      await mergeLocal(binding, job.id, signal, deps, DRY_RUN_OFF, prepared);
    }
  }
  const saved: BaseRecord = { document: remote, hash, savedAt: clock.now() };
  binding.lastBase = undefined;
  await store.saveBase(binding.id, saved);
  binding.lastBase = saved;
  await store.saveValidators(binding.id, prepared.validators);
  const displaced = report?.displaced;
  const entry = await commitJournal(
    store,
    binding.id,
    pending,
    journalLimitsOf(binding.policy),
    displaced === undefined ? undefined : { displaced: storeBytes(displaced) },
  );
  binding.journalChecked = true;
  if (displaced !== undefined) {
    emit('target:changed', () => ({
      timestamp: clock.now(),
      sourceId: binding.id,
      jobId: job.id,
      action: 'displaced',
      attempt: 1,
      journalId: entry.id,
      ...(target.location === undefined ? {} : { location: target.location }),
    }));
  }
  emit('sync:applied', () => ({
    timestamp: clock.now(),
    sourceId: binding.id,
    jobId: job.id,
    hash,
    ...counts(prepared.changes.length, prepared.conflicts.length),
    written: prepared.dirty,
  }));
  return resultOf(binding.id, job.id, prepared, startedAt, clock.now(), 'applied', prepared.dirty);
}

/** How many times one job writes a local copy that keeps changing under it before it fails (retryable) with `TARGET_CHANGED_DURING_WRITE`. */
export const MAX_WRITE_ATTEMPTS = 3;

/** The journal limits of a policy. */
export function journalLimitsOf(policy: Required<SyncPolicy>): JournalLimits {
  return { journalLimit: policy.journalLimit, journalBytes: policy.journalBytes };
}

/** The journal entry of an applied sync (its id is assigned when it is prepared). */
function journalEntryOf(sourceId: string, jobId: string, at: number, prepared: PreparedSync): Omit<JournalEntry, 'id'> {
  const remote = prepared.remote as Record<string, unknown>;
  return {
    sourceId,
    kind: 'sync',
    at,
    jobId,
    hash: prepared.hash as string,
    ...(prepared.base ? { previousHash: prepared.base.hash } : {}),
    writtenHash: canonicalHash(prepared.merged),
    changes: prepared.changes.map(({ id, level, operation, path, text }) => ({
      id,
      level,
      ...(operation === undefined ? {} : { operation }),
      path,
      text,
    })),
    decisions: prepared.decisions,
    localPatch: prepared.local === undefined ? [] : diffPatch(prepared.merged, prepared.local),
    basePatch: prepared.base ? diffPatch(remote, prepared.base.document) : [],
    firstSync: prepared.local === undefined,
  };
}

/**
 * Settle what a crash or a failed store write left of the binding's last
 * sync (see `recoverJournal`), once per engine and after any failure in the
 * write-ahead window. Runs before the binding's next sync or rollback, never
 * beside one.
 */
export async function recoverBinding(
  binding: PipelineBinding,
  deps: Pick<PipelineDeps, 'store' | 'clock'>,
  signal: AbortSignal,
  fence?: SyncFence,
): Promise<void> {
  const { store, clock } = deps;
  const outcome = await recoverJournal(
    store,
    binding.id,
    binding.target,
    targetContextOf(binding, store, signal, fence),
    journalLimitsOf(binding.policy),
    clock.now(),
  );
  if (outcome.action !== 'none') binding.lastBase = undefined;
  binding.journalChecked = true;
}

/**
 * A hint for a target that changed a value it was given: everything the
 * engine passes to a target is frozen or shared, so such a change throws a
 * `TypeError` ("Cannot assign to read only property", "object is not
 * extensible", "Cannot delete property"). `undefined` for any other error.
 */
function frozenHint(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || !/read.only|not extensible|Cannot delete property|Cannot add property|frozen/i.test(error.message))
    return undefined;
  return 'The target changed a value the engine gave it. Documents and merged copies passed to targets are frozen and share subtrees: build new objects (or copy with structuredClone) instead of changing them in place.';
}

/** The result of a run, built field by field (no spreads): this runs once per job, and object spread is slow on hot paths. */
function resultOf(
  sourceId: string,
  jobId: string,
  prepared: PreparedSync,
  startedAt: number,
  finishedAt: number,
  outcome: SyncResult['outcome'],
  written: boolean,
): SyncResult {
  const result: SyncResult = {
    jobId,
    sourceId,
    outcome,
    changes: prepared.changes,
    conflicts: prepared.conflicts,
    decisions: prepared.decisions,
    written,
    startedAt,
    finishedAt,
    durationMs: finishedAt - startedAt,
  };
  if (prepared.hash !== undefined) result.hash = prepared.hash;
  if (prepared.unchangedReason !== undefined) result.unchangedReason = prepared.unchangedReason;
  if (prepared.held !== undefined) {
    result.heldReason = prepared.held.reason;
    result.heldDetails = prepared.held.details;
  }
  return result;
}

/** Compute what a sync would do, writing nothing. */
export async function planSync(binding: PipelineBinding, signal: AbortSignal, deps: PipelineDeps): Promise<SyncPlan> {
  const prepared = await prepareSync(binding, 'plan', signal, deps, { dryRun: true });
  const plan: SyncPlan = {
    sourceId: binding.id,
    createdAt: deps.clock.now(),
    outcome: prepared.outcome,
    firstSync: prepared.base === undefined,
    changes: prepared.changes,
    conflicts: prepared.conflicts,
    decisions: prepared.decisions,
    patch:
      prepared.outcome === 'unchanged'
        ? []
        : prepared.local === undefined
          ? [{ op: 'replace', path: '', value: prepared.merged }]
          : diffPatch(prepared.local, prepared.merged),
  };
  if (prepared.unchangedReason) plan.unchangedReason = prepared.unchangedReason;
  if (prepared.held) {
    plan.heldReason = prepared.held.reason;
    plan.heldDetails = prepared.held.details;
  }
  if (prepared.hash !== undefined) plan.remoteHash = prepared.hash;
  if (prepared.base) plan.baseHash = prepared.base.hash;
  if (prepared.outcome !== 'unchanged') plan.merged = prepared.merged;
  return plan;
}

/**
 * An RFC 6902 patch that turns `from` into `to` (see `jsonPatch`: shared
 * subtrees are skipped, so a patch between a local copy and the merge that
 * grew out of it costs what changed, not the document's size).
 */
export function diffPatch(from: unknown, to: unknown): JsonPatchOperation[] {
  return jsonPatch(from, to) as JsonPatchOperation[];
}

/** The counts of `sync:applied`, under their names and, until 0.3, their deprecated ones. */
function counts(
  changeCount: number,
  conflictCount: number,
): { changeCount: number; conflictCount: number; changes: number; conflicts: number } {
  return { changeCount, conflictCount, changes: changeCount, conflicts: conflictCount };
}

/** The safety rails that apply before anything is written. */
function checkSafetyRails(
  base: unknown,
  remote: Record<string, unknown>,
  changes: readonly SpecChange[],
  policy: Required<SyncPolicy>,
  seenInARow: number,
): { reason: HeldReason; details: Record<string, unknown> } | undefined {
  if (seenInARow < policy.stableRuns) {
    return { reason: 'settling', details: { seen: seenInARow, stableRuns: policy.stableRuns } };
  }
  if (base !== undefined) {
    const before = operationKeys(base);
    if (before.size > 0) {
      const after = operationKeys(remote);
      let removed = 0;
      for (const key of before) if (!after.has(key)) removed += 1;
      const share = removed / before.size;
      if (share > policy.maxRemovalShare) {
        return {
          reason: 'mass-removal',
          details: { removed, before: before.size, after: after.size, share, maxRemovalShare: policy.maxRemovalShare },
        };
      }
    }
  }
  if (policy.holdOnBreaking) {
    const breaking = changes.filter((c) => c.level === 'breaking');
    if (breaking.length > 0) {
      return { reason: 'breaking-changes', details: { breaking: breaking.length, rules: [...new Set(breaking.map((c) => c.id))] } };
    }
  }
  return undefined;
}

/** Re-exported for the engine: the lasting decisions of a binding. */
export type { BindingDecisions };
