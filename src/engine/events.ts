/**
 * The typed event map: every lifecycle change of the engine is one event.
 * Payloads are plain serialisable objects carrying ids and a timestamp, so
 * they cross an SSE stream or a log line unchanged.
 *
 * @module
 */
import type { ConflictDecision } from '../conflict/index.js';
import type { SerializedSyncError } from '../errors.js';
import type { HeldReason, SyncEngineConfig, SyncResult } from './types.js';
import type { SpecChange } from '../diff/index.js';
import type { SchedulerEvents } from '../scheduler/index.js';
import type { MergeConflict } from '../merge/index.js';
import type { SyncEngineMetrics } from '../metrics/index.js';

/** Fields every event payload carries. */
export interface EventBase {
  /** Engine clock time of the event, epoch milliseconds. */
  timestamp: number;
}

/** Fields of events about one run of one binding: the binding's id and the job's. */
export interface JobEventBase extends EventBase {
  /** The binding (the id given to `addSource`). */
  sourceId: string;
  /** The job: one queued or running sync of the binding. */
  jobId: string;
}

/** A scheduler event about a job, with the job's ids at the top like every other job event (`e.sourceId`, `e.jobId`). */
type WithJobIds<Payload> = Payload & { sourceId: string; jobId: string };
type Scheduled = SchedulerEvents<SyncResult>;

/**
 * Every event the engine emits, by name, with its payload.
 * Listen with `engine.on(name, listener)`; names and payloads are type-checked.
 */
export interface SyncEngineEvents extends Scheduled {
  'job:queued': WithJobIds<Scheduled['job:queued']>;
  /** A trigger arrived while a job of the binding was pending and joined it. */
  'job:coalesced': WithJobIds<Scheduled['job:coalesced']>;
  'job:started': WithJobIds<Scheduled['job:started']>;
  'job:retrying': WithJobIds<Scheduled['job:retrying']>;
  'job:completed': WithJobIds<Scheduled['job:completed']>;
  'job:failed': WithJobIds<Scheduled['job:failed']>;
  'job:removed': WithJobIds<Scheduled['job:removed']>;
  'engine:started': EventBase;
  /** `unfinished` counts jobs still running when the grace period ended. */
  'engine:stopped': EventBase & { unfinished: number };
  'engine:paused': EventBase;
  'engine:resumed': EventBase & { dueBindings: string[] };
  'config:updated': EventBase & { previous: SyncEngineConfig; config: SyncEngineConfig; changed: string[] };
  'source:added': EventBase & { sourceId: string; sourceKind: string; targetKind: string };
  'source:removed': EventBase & { sourceId: string };
  'spec:fetched': JobEventBase & { kind: 'raw' | 'document' | 'not-modified'; location?: string; bytes?: number };
  'spec:unchanged': JobEventBase & { reason: 'not-modified' | 'same-hash'; hash?: string };
  'spec:changed': JobEventBase & { hash: string; previousHash?: string; firstSync: boolean; changes: readonly SpecChange[] };
  'conflict:detected': JobEventBase & { conflicts: readonly MergeConflict[] };
  'conflict:resolved': JobEventBase & { decisions: readonly ConflictDecision[] };
  /**
   * A sync wrote the local copy (or found it already matched: `written`
   * false) and recorded the new base. `changeCount` and `conflictCount`
   * count the semantic changes and the conflicts; the arrays themselves came
   * with `spec:changed` and `conflict:detected`.
   */
  'sync:applied': JobEventBase & {
    hash: string;
    changeCount: number;
    conflictCount: number;
    written: boolean;
    /** @deprecated The same number as `changeCount` (here `changes` is a count; everywhere else it is the array). Removed in 0.3. */
    changes: number;
    /** @deprecated The same number as `conflictCount` (here `conflicts` is a count; everywhere else it is the array). Removed in 0.3. */
    conflicts: number;
  };
  'sync:held': JobEventBase & { reason: HeldReason; details: Record<string, unknown> };
  /**
   * The local copy changed while the sync wrote it (a person saved).
   * `remerge`: the write was refused, the copy left as the person saved it,
   * and the sync merges again from it (`attempt` counts refused writes; after
   * `MAX_WRITE_ATTEMPTS` the job fails with the retryable
   * `TARGET_CHANGED_DURING_WRITE`). `displaced`: a save landed in the very
   * instant of the replace; its bytes are kept in journal entry `journalId`
   * (`displaced`), never silently lost.
   */
  'target:changed': JobEventBase & { action: 'remerge' | 'displaced'; attempt: number; location?: string; journalId?: string };
  /** A binding was rolled back to before journal entry `rolledBack`; recorded as entry `journalId`. */
  'sync:rolled-back': EventBase & { sourceId: string; journalId: string; rolledBack: string; hash: string };
  metrics: EventBase & { metrics: SyncEngineMetrics };
  error: EventBase & { error: SerializedSyncError; sourceId?: string; jobId?: string };
}

/** Every event name. */
export type SyncEngineEventName = keyof SyncEngineEvents;

/** The listener of one event. */
export type SyncEngineListener<E extends SyncEngineEventName> = (payload: SyncEngineEvents[E]) => void | Promise<void>;

/** Every event name; a `Record` so the compiler rejects a missing one. */
const EVENT_NAMES: Record<SyncEngineEventName, true> = {
  'engine:started': true,
  'engine:stopped': true,
  'engine:paused': true,
  'engine:resumed': true,
  'config:updated': true,
  'source:added': true,
  'source:removed': true,
  'source:restarting': true,
  'job:queued': true,
  'job:coalesced': true,
  'job:started': true,
  'job:retrying': true,
  'job:completed': true,
  'job:failed': true,
  'job:removed': true,
  'spec:fetched': true,
  'spec:unchanged': true,
  'spec:changed': true,
  'conflict:detected': true,
  'conflict:resolved': true,
  'sync:applied': true,
  'sync:held': true,
  'target:changed': true,
  'sync:rolled-back': true,
  'circuit:opened': true,
  'circuit:half-opened': true,
  'circuit:closed': true,
  metrics: true,
  error: true,
};

/** Every event name, in a stable order, for docs, recorders and tests that must not drift. */
export const syncEngineEventNames: readonly SyncEngineEventName[] = Object.freeze(Object.keys(EVENT_NAMES) as SyncEngineEventName[]);

/**
 * A scheduler event's payload as the engine emits it: a job event gets the
 * job's ids at the top (`sourceId`, `jobId`), like every other job event;
 * other payloads pass unchanged.
 */
export function withJobIds<E extends keyof Scheduled>(payload: Scheduled[E]): SyncEngineEvents[E] {
  const job = (payload as { job?: { id: string; sourceId: string } }).job;
  return (job === undefined ? payload : { ...payload, sourceId: job.sourceId, jobId: job.id }) as SyncEngineEvents[E];
}
