/**
 * Metric shapes.
 *
 * @module
 */

/** Counters and latencies of one binding, or of all bindings together. */
export interface SyncCounters {
  /** Runs that ended, successfully or not (the seed's `totalSyncs`). */
  totalSyncs: number;
  /** Runs that completed: applied, unchanged or held. */
  successfulSyncs: number;
  /** Runs that failed for good (after their retries). */
  failedSyncs: number;
  /** Runs that wrote changes or recorded a new base. */
  appliedSyncs: number;
  /** Runs that ended early because nothing changed (304 or same hash). */
  unchangedSkips: number;
  /** Runs held by a safety rail. */
  heldSyncs: number;
  /** Conflicts found by merges. */
  conflicts: number;
  /** Retries scheduled. */
  retries: number;
  /** Attempts run (each retry is an attempt). */
  attempts: number;
  /** Mean duration of attempts, milliseconds (the seed's `averageSyncTime`). */
  averageSyncTime: number;
  /** Percentiles of attempt duration over the recent window, milliseconds. */
  p50SyncTime: number;
  p95SyncTime: number;
  p99SyncTime: number;
  /** When the last run ended, epoch milliseconds. */
  lastSyncTime: number | undefined;
}

/** What `engine.getMetrics()` returns: the seed's `SyncEngineMetrics` and more. */
export interface SyncEngineMetrics extends SyncCounters {
  /** Jobs running now. */
  activeJobs: number;
  /** Jobs waiting to run. */
  queueLength: number;
  /** Milliseconds since the engine was started; 0 when it is not started. */
  uptime: number;
  /** The same counters per binding id. */
  perSource: Record<string, SyncCounters>;
}
