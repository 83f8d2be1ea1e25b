/**
 * The scheduler's own shapes: jobs, its configuration and the events it
 * emits. The engine composes them (its config extends {@link SchedulerConfig},
 * its event map extends {@link SchedulerEvents}); the scheduler knows
 * bindings and jobs by id and results only by their `outcome`.
 *
 * @module
 */
import type { SerializedSyncError } from '../errors.js';
import type { RetryPolicy } from './backoff.js';
import type { CircuitBreakerPolicy } from './circuit-breaker.js';

/** Job priority: high runs before medium before low; FIFO within one priority. */
export type JobPriority = 'high' | 'medium' | 'low';

/** The lifecycle of a job. */
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed';

/** What made a job: a poll tick, a file watch, a user call, a dependency that applied a change, a resume after pause, a circuit probe. */
export type JobTrigger = 'interval' | 'watch' | 'manual' | 'dependency' | 'resume' | 'probe';

/** One queued or running sync attempt for a binding (the seed's `SyncJob`). */
export interface SyncJob {
  /** Unique id, e.g. `job-42`. */
  id: string;
  /** The binding it syncs. */
  sourceId: string;
  priority: JobPriority;
  /** Retries already scheduled for this job. */
  retryCount: number;
  /** Retries allowed. */
  maxRetries: number;
  /** When the last attempt started, epoch milliseconds. */
  lastAttempt: number | undefined;
  /** When the next attempt is due, epoch milliseconds; exact (jitter already applied). */
  nextAttempt: number | undefined;
  status: JobStatus;
  /** What created the job. */
  trigger: JobTrigger;
  /** When it was created, epoch milliseconds. */
  createdAt: number;
  /** The last error, when an attempt failed. */
  error?: SerializedSyncError;
}

/** What the scheduler reads of the engine's configuration. */
export interface SchedulerConfig {
  /** Jobs running at once across all bindings. Default 4. */
  concurrency: number;
  /** Poll interval of bindings that set none, in milliseconds; `0` disables. Default 60000. */
  defaultIntervalMs: number;
  /** Retry policy. */
  retry: RetryPolicy;
  /** Circuit breaker policy. */
  circuitBreaker: CircuitBreakerPolicy;
  /** How long `stopSync()` waits for running jobs after aborting them, in milliseconds. Default 10000. */
  stopGracePeriodMs: number;
}

/** What the scheduler knows of a run's result: how it ended. */
export interface RunResult {
  readonly outcome: string;
}

/** Fields every scheduler event carries. */
export interface SchedulerEventBase {
  /** Clock time of the event, epoch milliseconds. */
  timestamp: number;
}

/** The events the scheduler emits, with their payloads; `Result` is what a successful run resolves to. */
export interface SchedulerEvents<Result extends RunResult = RunResult> {
  /**
   * The source failed in a way that looks like its server restarting (see
   * `SyncError.restarting`): the binding waits for it, retrying every 250 ms
   * growing to 1 s, without counting toward the circuit breaker until
   * `graceEndsAt`. Once per stretch of failures; the next success ends it.
   */
  'source:restarting': SchedulerEventBase & { sourceId: string; jobId: string; since: number; graceEndsAt: number; error: SerializedSyncError };
  'job:queued': SchedulerEventBase & { job: SyncJob };
  /** A trigger arrived while a job of the binding was pending and joined it. */
  'job:coalesced': SchedulerEventBase & { job: SyncJob; trigger: JobTrigger };
  'job:started': SchedulerEventBase & { job: SyncJob };
  'job:retrying': SchedulerEventBase & { job: SyncJob; error: SerializedSyncError; delayMs: number; nextAttempt: number };
  'job:completed': SchedulerEventBase & { job: SyncJob; result: Result };
  'job:failed': SchedulerEventBase & { job: SyncJob; error: SerializedSyncError };
  'job:removed': SchedulerEventBase & { job: SyncJob; reason: 'cancelled' | 'source-removed' | 'engine-stopped' };
  'circuit:opened': SchedulerEventBase & { sourceId: string; failures: number; halfOpenAt: number };
  'circuit:half-opened': SchedulerEventBase & { sourceId: string };
  'circuit:closed': SchedulerEventBase & { sourceId: string };
}
