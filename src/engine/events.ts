/**
 * The typed event map: every lifecycle change of the engine is one event.
 * Payloads are plain serialisable objects carrying ids and a timestamp, so
 * they cross an SSE stream or a log line unchanged.
 *
 * @module
 */
import type { ConflictDecision } from '../conflict/index.js';
import type { SerializedSyncError } from '../errors.js';
import type { SyncEngineConfig, SyncResult } from './types.js';
import type { SchedulerEvents } from '../scheduler/index.js';
import type { MergeConflict } from '../merge/index.js';
import type { SyncEngineMetrics } from '../metrics/index.js';

/** Fields every event payload carries. */
export interface EventBase {
  /** Engine clock time of the event, epoch milliseconds. */
  timestamp: number;
}

/** Fields of events about one run of one binding. */
export interface JobEventBase extends EventBase {
  sourceId: string;
  jobId: string;
}

/**
 * Every event the engine emits, by name, with its payload.
 * Listen with `engine.on(name, listener)`; names and payloads are type-checked.
 */
export interface SyncEngineEvents extends SchedulerEvents<SyncResult> {
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
  'spec:changed': JobEventBase & { hash: string; previousHash?: string; firstSync: boolean; changes: readonly unknown[] };
  'conflict:detected': JobEventBase & { conflicts: readonly MergeConflict[] };
  'conflict:resolved': JobEventBase & { decisions: readonly ConflictDecision[] };
  'sync:applied': JobEventBase & { hash: string; changes: number; conflicts: number; written: boolean };
  'sync:held': JobEventBase & { reason: string; details: Record<string, unknown> };
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
