/**
 * The engine's public shapes: options, bindings, jobs, results, status.
 *
 * @module
 */
import type { ConflictDecision, ConflictResolver } from '../conflict/index.js';
import type { MergeConflict } from '../merge/index.js';
import type {
  CircuitBreakerPolicy,
  CircuitState,
  Clock,
  JobPriority,
  RetryPolicy,
  SchedulerConfig,
  SchedulerFactory,
  SyncJob,
} from '../scheduler/index.js';
import type { SpecSource } from '../sources/index.js';
import type { SyncStore } from '../store/index.js';
import type { SyncTarget } from '../targets/index.js';
import type { SerializedSyncError } from '../errors.js';
import type { SpecChange } from '../diff/index.js';

export type { JobPriority, JobStatus, JobTrigger, SyncJob } from '../scheduler/index.js';

/**
 * How the engine treats operations that disappear upstream, the same on
 * every built-in target (OpenAPI files, `MemoryTarget`, Hoppscotch): see
 * docs/targets.md, "Removed upstream: the removal policy".
 */
export type RemovalPolicy = 'remove' | 'deprecate' | 'keep';

/** Per-binding policy. Shapes may grow; every field has a documented default. */
export interface SyncPolicy {
  /**
   * An operation removed upstream, decided per operation on every target:
   * `remove` removes it when you did not edit it (an edited one stays,
   * marked), `deprecate` keeps it marked (OpenAPI: `deprecated: true` and an
   * `x-api-live-sync-removed` note; Hoppscotch: a `[deprecated] ` name), `keep`
   * keeps it as it is. The mark goes when it returns upstream. Default `deprecate`.
   */
  removal?: RemovalPolicy;
  /** Hold the sync (`sync:held`) when the remote drops more than this share of operations. Default 0.5. */
  maxRemovalShare?: number;
  /** Hold the sync for review when the remote carries breaking changes. Default false. */
  holdOnBreaking?: boolean;
  /** A changed document must be seen identical this many runs in a row before it is applied (dev servers that restart). Default 1. */
  stableRuns?: number;
  /** Journal entries kept per binding. Default 50. */
  journalLimit?: number;
  /**
   * How many of the newest journal entries keep the exact bytes the target
   * held before them (targets with `snapshot`/`restore`, such as the file
   * targets), so that rolling back to them restores the file byte for byte;
   * older entries restore values. `0` keeps none. Default 5.
   */
  journalBytes?: number;
}

/** Options of {@link SyncEngine.addSource}: one binding. */
export interface SyncBindingOptions<Local = unknown> {
  /** Unique id of the binding (the seed calls it `sourceId`). */
  id: string;
  /** Where the remote document comes from. */
  source: SpecSource;
  /** Where the local working copy lives. */
  target: SyncTarget<Local>;
  /** Default priority of its jobs. Default `medium`. */
  priority?: JobPriority;
  /** Poll interval in milliseconds; `0` disables polling; omitted uses the engine's `defaultIntervalMs`. */
  intervalMs?: number;
  /** Bindings that must finish before this one runs in the same round. */
  dependsOn?: readonly string[];
  /** Removal and safety policy. */
  policy?: SyncPolicy;
  /** Retries for this binding; omitted uses the engine's retry policy. */
  maxRetries?: number;
  /**
   * How long a restarting source (a refused or reset connection to a local
   * dev server) is waited out before its failures count, in milliseconds;
   * omitted uses the engine's `retry.restartGraceMs`; `0` turns it off for
   * this binding. See docs/engine.md, "Restarts are not failures".
   */
  restartGraceMs?: number;
  /** Use the source's `watch()` when it has one and the engine is started. Default true. */
  watch?: boolean;
  /** Conflict resolver of this binding; omitted uses the engine's. */
  resolver?: ConflictResolver;
}

/** The live-updatable engine configuration (see {@link SyncEngine.updateConfig}). */
export interface SyncEngineConfig extends SchedulerConfig {
  /** Interval of the `metrics` event while started, in milliseconds; `0` disables. Default 0. */
  metricsIntervalMs: number;
}

/** A partial configuration for {@link SyncEngine.updateConfig}. */
export type SyncEngineConfigUpdate = Partial<Omit<SyncEngineConfig, 'retry' | 'circuitBreaker'>> & {
  retry?: Partial<RetryPolicy>;
  circuitBreaker?: Partial<CircuitBreakerPolicy>;
};

/** Options of the {@link SyncEngine} constructor. */
export interface SyncEngineOptions extends SyncEngineConfigUpdate {
  /** Where bases, validators and records live. Default: a new `MemoryStore`. */
  store?: SyncStore;
  /** Default conflict resolver. Default: keep the local value (`preferLocal`). */
  resolver?: ConflictResolver;
  /** Timer backend. Default: the system clock. */
  clock?: Clock;
  /** Source of randomness for jitter, returning [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * Makes the scheduler the engine runs its jobs through (the scheduler seam,
   * docs/architecture.md). Default: the in-process scheduler
   * (`new InProcessScheduler(context)`).
   */
  scheduler?: SchedulerFactory<SyncResult>;
}

/** Options of {@link SyncEngine.syncNow}. */
export interface SyncNowOptions {
  /** Priority of the job. Default `high`. */
  priority?: JobPriority;
  /** Gives the call up; see {@link SyncEngine.addSyncJob}. */
  signal?: AbortSignal;
}

/** What {@link SyncEngine.addSyncJob} takes. */
export interface AddSyncJobRequest {
  /** The binding to run. */
  sourceId: string;
  /** Priority of the job. Default: the binding's. */
  priority?: JobPriority;
  /** Gives the request up: the job is removed while pending, or aborted while running, unless it also serves a request without a signal. */
  signal?: AbortSignal;
}

/** How one run ended. */
export type SyncOutcome = 'applied' | 'unchanged' | 'held';

/** What {@link SyncEngine.syncNow} resolves to: the result of one successful run. */
export interface SyncResult {
  jobId: string;
  sourceId: string;
  outcome: SyncOutcome;
  /** Why the run was unchanged: the source said so (304), or the canonical hash equals the base's. */
  unchangedReason?: 'not-modified' | 'same-hash';
  /** Canonical hash of the remote document, when it was loaded. */
  hash?: string;
  /** Semantic changes base → remote. */
  changes: readonly SpecChange[];
  /** Conflicts the merge found. */
  conflicts: readonly MergeConflict[];
  /** How each conflict was decided. */
  decisions: readonly ConflictDecision[];
  /** Whether the target was written (false when the merge equals the local copy). */
  written: boolean;
  /** Why a held run was held. */
  heldReason?: HeldReason;
  /** The facts behind `heldReason`. */
  heldDetails?: Record<string, unknown>;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
}

/** A JSON Patch operation (RFC 6902), as produced by fast-json-patch. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test' | '_get';
  path: string;
  value?: unknown;
  from?: string;
}

/**
 * What a sync would do, computed by {@link SyncEngine.plan} without writing
 * anything. Serialisable. Read-only: `merged`, conflict values and patch
 * values share (frozen) objects with the engine's documents; copy them with
 * `structuredClone` before changing them.
 */
export interface SyncPlan {
  sourceId: string;
  /** Engine clock time of the plan, epoch milliseconds. */
  createdAt: number;
  /** `apply`: the sync would write; `unchanged`: nothing new; `held`: a safety rail would stop it. */
  outcome: 'apply' | 'unchanged' | 'held';
  unchangedReason?: 'not-modified' | 'same-hash';
  heldReason?: HeldReason;
  heldDetails?: Record<string, unknown>;
  /** Canonical hash of the remote document, when it was loaded. */
  remoteHash?: string;
  /** Canonical hash of the base, when there is one. */
  baseHash?: string;
  firstSync: boolean;
  /** Semantic changes base → remote. */
  changes: readonly SpecChange[];
  conflicts: readonly MergeConflict[];
  decisions: readonly ConflictDecision[];
  /** The local copy after the sync (undefined when unchanged). */
  merged?: unknown;
  /** RFC 6902 patch from the current local copy to `merged`. */
  patch: JsonPatchOperation[];
}

/**
 * Why a safety rail held a sync (see docs/engine.md, "Safety rails"):
 * `settling` (the remote has not been seen `stableRuns` times in a row yet),
 * `mass-removal` (more than `maxRemovalShare` of the operations dropped) or
 * `breaking-changes` (`holdOnBreaking` and a breaking change).
 */
export type HeldReason = 'settling' | 'mass-removal' | 'breaking-changes';

/** One applied sync (or rollback) in a binding's journal. */
export interface JournalEntry {
  /** Unique within the binding, increasing: `j-1`, `j-2`, … */
  id: string;
  sourceId: string;
  kind: 'sync' | 'rollback';
  /** Engine clock time, epoch milliseconds. */
  at: number;
  jobId?: string;
  /** The job or rollback target this entry undid (rollback entries). */
  rolledBack?: string;
  /** Base hash after and before. */
  hash: string;
  previousHash?: string;
  /** Canonical hash of the local copy as written. */
  writtenHash: string;
  changes: readonly SpecChange[];
  decisions: readonly ConflictDecision[];
  /** Reverse patch: written local copy → the local copy before. */
  localPatch: JsonPatchOperation[];
  /** Reverse patch: new base → previous base. */
  basePatch: JsonPatchOperation[];
  /** True when there was no local copy before (the first sync). */
  firstSync: boolean;
  /**
   * A save the write displaced: bytes that were not the copy the merge read
   * and landed in the instant the file was replaced (see `target:changed`).
   * Recover them from here; they are not in the local copy.
   */
  displaced?: StoredBytes;
}

/** Bytes kept in a store record: UTF-8 text when they are text, else base64. */
export type StoredBytes = { encoding: 'utf8'; text: string } | { encoding: 'base64'; data: string };

/** A sync stopped by a safety rail, waiting for {@link SyncEngine.approve} or {@link SyncEngine.dismiss}. */
export interface HeldSync {
  jobId: string;
  sourceId: string;
  reason: HeldReason;
  details: Record<string, unknown>;
  /** The remote hash that was held; approval applies only that document. */
  hash: string;
  heldAt: number;
  changes: readonly SpecChange[];
}

/** Decisions that must last, per binding; exported and imported as one JSON file. */
export interface BindingDecisions {
  /** Operations (`METHOD /path`) never synced in: removed from the remote before the merge. */
  ignoredOperations: string[];
  /** JSON Pointer patterns (merge pattern syntax) whose conflicts always keep the local value. */
  keepLocal: string[];
  /** Operations (`METHOD /path`) the user deleted locally: they stay deleted even when re-added upstream. */
  tombstones: string[];
}

/** The shared decisions file. */
export interface DecisionsFile {
  format: 'api-live-sync/decisions';
  version: 1;
  bindings: Record<string, BindingDecisions>;
}

/** The state of the engine as a whole. */
export type EngineState = 'idle' | 'running' | 'paused' | 'stopping';

/** One binding as {@link SyncEngine.getSyncStatus} shows it. */
export interface BindingStatus {
  id: string;
  sourceKind: string;
  targetKind: string;
  priority: JobPriority;
  /** Effective poll interval; 0 when not polling. */
  intervalMs: number;
  dependsOn: readonly string[];
  circuit: CircuitState;
  consecutiveFailures: number;
  /**
   * Set while the binding waits for its server to come back: its source
   * failed as restarting (see `SyncError.restarting`) and the grace period
   * runs. `since`: the first such failure; `graceEndsAt`: when failures count
   * again. Epoch milliseconds.
   */
  restarting: { since: number; graceEndsAt: number } | undefined;
  /** When the next poll tick is due, epoch milliseconds. */
  nextPoll: number | undefined;
  lastResult: SyncResult | undefined;
  lastError: SerializedSyncError | undefined;
}

/** What {@link SyncEngine.getSyncStatus} returns. */
export interface SyncStatus {
  state: EngineState;
  /** Pending and running jobs, highest priority first. */
  jobs: SyncJob[];
  bindings: BindingStatus[];
}
