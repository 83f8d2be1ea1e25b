import type { ConflictDecision, ConflictResolver } from '../conflict/index.js';
import { toSyncError } from '../errors.js';
import type { SyncEngineEventName, SyncEngineEvents } from '../events.js';
import type { IdentityRule, MergeConflict } from '../merge/index.js';
import type { Clock } from '../scheduler/index.js';
import type { FetchValidators, SpecSource } from '../sources/index.js';
import { canonicalJson, loadSpec } from '../spec/index.js';
import type { SyncStore } from '../store/index.js';
import type { SyncTarget, TargetContext } from '../targets/index.js';
import type { SyncJob, SyncPolicy, SyncResult } from './types.js';

/** The parts of a binding the pipeline works with. */
export interface PipelineBinding {
  id: string;
  source: SpecSource;
  target: SyncTarget;
  policy: Required<SyncPolicy>;
  resolver: ConflictResolver | undefined;
}

/** A three-way merge function (see `merge3`). */
export type MergeFunction = (
  base: unknown,
  local: unknown,
  remote: unknown,
  rules: readonly IdentityRule[] | undefined,
) => { merged: unknown; conflicts: MergeConflict[] };

/** Runs the resolver over the conflicts and applies its decisions to the merged document. */
export type ResolveFunction = (
  merged: unknown,
  conflicts: readonly MergeConflict[],
  resolver: ConflictResolver | undefined,
  context: { bindingId: string; jobId: string; base: unknown; local: unknown; remote: unknown; changes: readonly unknown[]; signal: AbortSignal },
) => Promise<{ document: unknown; decisions: ConflictDecision[] }>;

/** Computes the semantic changes between two OpenAPI documents. */
export type DiffFunction = (base: unknown, remote: unknown) => readonly unknown[];

/** What the pipeline needs from the engine. */
export interface PipelineDeps {
  store: SyncStore;
  clock: Clock;
  emit<E extends SyncEngineEventName>(event: E, payload: () => SyncEngineEvents[E]): void;
  merge: MergeFunction;
  resolve: ResolveFunction;
  diff: DiffFunction;
  onConflicts(sourceId: string, count: number): void;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The operations of a document as `METHOD /path` keys. */
export function operationKeys(document: unknown): Set<string> {
  const keys = new Set<string>();
  const paths = (document as { paths?: unknown } | undefined)?.paths;
  if (!paths || typeof paths !== 'object') return keys;
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!item || typeof item !== 'object') continue;
    for (const method of Object.keys(item)) if (HTTP_METHODS.has(method)) keys.add(`${method.toUpperCase()} ${path}`);
  }
  return keys;
}

/**
 * One sync of one binding, end to end (DESIGN.md, "One sync"):
 * fetch → load → unchanged short-circuit → diff → render → merge → resolve →
 * safety rails → write the target → save the base. The target is written
 * before the base on purpose: a crash in between makes the next run merge
 * the same remote changes again, which converges.
 */
export async function runPipeline(binding: PipelineBinding, job: SyncJob, signal: AbortSignal, deps: PipelineDeps): Promise<SyncResult> {
  const { store, clock, emit } = deps;
  const startedAt = clock.now();
  const ids = { sourceId: binding.id, jobId: job.id };
  const finish = (partial: Omit<SyncResult, 'jobId' | 'sourceId' | 'startedAt' | 'finishedAt' | 'durationMs'>): SyncResult => {
    const finishedAt = clock.now();
    return { ...ids, ...partial, startedAt, finishedAt, durationMs: finishedAt - startedAt };
  };

  const validators = await store.getValidators(binding.id);
  signal.throwIfAborted();
  const fetched = await binding.source.fetch({ validators, signal });
  signal.throwIfAborted();
  emit('spec:fetched', () => ({
    timestamp: clock.now(),
    ...ids,
    kind: fetched.kind,
    ...(fetched.kind !== 'not-modified' && fetched.location !== undefined ? { location: fetched.location } : {}),
    ...(fetched.kind === 'raw' ? { bytes: typeof fetched.body === 'string' ? Buffer.byteLength(fetched.body) : fetched.body.byteLength } : {}),
  }));

  if (fetched.kind === 'not-modified') {
    if (fetched.validators) await store.saveValidators(binding.id, { ...validators, ...fetched.validators });
    emit('spec:unchanged', () => ({ timestamp: clock.now(), ...ids, reason: 'not-modified' }));
    return finish({ outcome: 'unchanged', unchangedReason: 'not-modified', changes: [], conflicts: [], decisions: [], written: false });
  }

  const loaded = await loadSpec(fetched.kind === 'raw' ? fetched.body : (fetched.document as object), {
    ...(fetched.location === undefined ? {} : { location: fetched.location }),
    ...(fetched.kind === 'raw' && fetched.contentType !== undefined ? { contentType: fetched.contentType } : {}),
  });
  signal.throwIfAborted();
  const nextValidators: FetchValidators = { ...(fetched.validators ?? {}), contentHash: loaded.hash };
  const base = await store.getBase(binding.id);

  if (base && base.hash === loaded.hash) {
    await store.saveValidators(binding.id, nextValidators);
    emit('spec:unchanged', () => ({ timestamp: clock.now(), ...ids, reason: 'same-hash', hash: loaded.hash }));
    return finish({ outcome: 'unchanged', unchangedReason: 'same-hash', hash: loaded.hash, changes: [], conflicts: [], decisions: [], written: false });
  }

  const remote = loaded.document;
  const changes = deps.diff(base?.document ?? { openapi: remote.openapi ?? '3.0.0', info: remote.info ?? {}, paths: {} }, remote);
  emit('spec:changed', () => ({
    timestamp: clock.now(),
    ...ids,
    hash: loaded.hash,
    ...(base ? { previousHash: base.hash } : {}),
    firstSync: base === undefined,
    changes,
  }));

  const held = checkSafetyRails(base?.document, remote, binding.policy);
  if (held) {
    emit('sync:held', () => ({ timestamp: clock.now(), ...ids, reason: held.reason, details: held.details }));
    return finish({ outcome: 'held', heldReason: held.reason, hash: loaded.hash, changes, conflicts: [], decisions: [], written: false });
  }

  const targetContext: TargetContext = { bindingId: binding.id, signal };
  const target = binding.target;
  const adapterError = (message: string) => (error: unknown) => {
    throw toSyncError(error, { code: 'TARGET_READ_FAILED', message, hint: 'See the cause; the local copy was not changed.' });
  };
  const renderedRemote = await Promise.resolve(target.render(remote, targetContext)).catch(adapterError(`Target "${target.kind}" could not render the remote document`));
  const renderedBase = base ? await Promise.resolve(target.render(base.document, targetContext)).catch(adapterError(`Target "${target.kind}" could not render the base`)) : undefined;
  const local = await target.read(targetContext).catch(adapterError(`Target "${target.kind}" could not read the local copy`));
  signal.throwIfAborted();

  let document: unknown = renderedRemote;
  let conflicts: MergeConflict[] = [];
  let decisions: ConflictDecision[] = [];
  if (local !== undefined) {
    const merged = deps.merge(renderedBase, local, renderedRemote, target.identityRules);
    conflicts = merged.conflicts;
    document = merged.merged;
    if (conflicts.length > 0) {
      deps.onConflicts(binding.id, conflicts.length);
      emit('conflict:detected', () => ({ timestamp: clock.now(), ...ids, conflicts }));
      const resolved = await deps.resolve(document, conflicts, binding.resolver, {
        bindingId: binding.id,
        jobId: job.id,
        base: renderedBase,
        local,
        remote: renderedRemote,
        changes,
        signal,
      });
      document = resolved.document;
      decisions = resolved.decisions;
      emit('conflict:resolved', () => ({ timestamp: clock.now(), ...ids, decisions }));
    }
  }
  signal.throwIfAborted();

  const written = local === undefined || canonicalJson(local) !== canonicalJson(document);
  if (written) {
    try {
      await target.write(document, targetContext);
    } catch (error) {
      throw toSyncError(error, { code: 'TARGET_WRITE_FAILED', message: `Target "${target.kind}" could not write`, retryable: true });
    }
  }
  await store.saveBase(binding.id, { document: remote, hash: loaded.hash, savedAt: clock.now() });
  await store.saveValidators(binding.id, nextValidators);
  emit('sync:applied', () => ({ timestamp: clock.now(), ...ids, hash: loaded.hash, changes: changes.length, conflicts: conflicts.length, written }));
  return finish({ outcome: 'applied', hash: loaded.hash, changes, conflicts, decisions, written });
}

/** The safety rails that apply before anything is written. */
function checkSafetyRails(base: unknown, remote: Record<string, unknown>, policy: Required<SyncPolicy>): { reason: string; details: Record<string, unknown> } | undefined {
  if (base === undefined) return undefined;
  const before = operationKeys(base);
  if (before.size === 0) return undefined;
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
  return undefined;
}

/** Until a resolver is configured, a conflict keeps the local value. */
export function keepLocalDecisions(conflicts: readonly MergeConflict[]): ConflictDecision[] {
  return conflicts.map((c) => ({ path: c.path, take: 'local' as const, reason: 'Kept the local value (default).', resolver: 'preferLocal' }));
}

