/**
 * The scheduler's own shapes: jobs, its configuration and the events it
 * emits. The engine composes them (its config extends {@link SchedulerConfig},
 * its event map extends {@link SchedulerEvents}); the scheduler knows
 * bindings and jobs by id and results only by their `outcome`.
 *
 * @module
 */
import type { SerializedSyncError, SyncError } from '../errors.js';
import type { RetryPolicy } from './backoff.js';
import type { CircuitBreakerPolicy, CircuitState } from './circuit-breaker.js';
import type { Clock } from './clock.js';

/** Job priority: high runs before medium before low; FIFO within one priority. */
export type JobPriority = 'high' | 'medium' | 'low';

/** The lifecycle of a job (a removed job keeps `pending`; `jobTransitions` lists the allowed changes). */
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed';

/**
 * Why a pending job was removed: `cancelled` (`removeSyncJob`, or every
 * caller's abort signal fired), `source-removed`, `engine-stopped`, or
 * `coalesced` (a retry of the binding's previous job took its place and its
 * callers), or `circuit-open` (a distributed scheduler found the binding's
 * shared circuit open when the job came to run).
 */
export type JobRemovalReason = 'cancelled' | 'source-removed' | 'engine-stopped' | 'coalesced' | 'circuit-open';

/**
 * What made a job: the engine's start (or a binding joining a started
 * engine), a poll tick, a file watch, a user call, a dependency that applied a change, a resume after pause, a circuit probe.
 */
export type JobTrigger = 'start' | 'interval' | 'watch' | 'manual' | 'dependency' | 'resume' | 'probe';

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
  /** Poll interval of bindings that set none, in milliseconds; `0` disables. Default 5000. */
  defaultIntervalMs: number;
  /**
   * Run every binding once when polling starts (`startSync()`), and a
   * binding added to a started engine once when it is added, instead of
   * waiting one interval for its first sync. Default true.
   */
  syncOnStart: boolean;
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
  'source:restarting': SchedulerEventBase & {
    sourceId: string;
    jobId: string;
    since: number;
    graceEndsAt: number;
    error: SerializedSyncError;
  };
  'job:queued': SchedulerEventBase & { job: SyncJob };
  /** A trigger arrived while a job of the binding was pending and joined it. */
  'job:coalesced': SchedulerEventBase & { job: SyncJob; trigger: JobTrigger };
  'job:started': SchedulerEventBase & { job: SyncJob };
  'job:retrying': SchedulerEventBase & { job: SyncJob; error: SerializedSyncError; delayMs: number; nextAttempt: number };
  'job:completed': SchedulerEventBase & { job: SyncJob; result: Result };
  'job:failed': SchedulerEventBase & { job: SyncJob; error: SerializedSyncError };
  'job:removed': SchedulerEventBase & { job: SyncJob; reason: JobRemovalReason };
  'circuit:opened': SchedulerEventBase & { sourceId: string; failures: number; halfOpenAt: number };
  'circuit:half-opened': SchedulerEventBase & { sourceId: string };
  'circuit:closed': SchedulerEventBase & { sourceId: string };
}

/** The scheduling facts of one binding, as the engine registers them. */
export interface ScheduledBinding {
  id: string;
  priority: JobPriority;
  /** Explicit interval, or `undefined` to follow the configuration's `defaultIntervalMs`. */
  intervalMs: number | undefined;
  dependsOn: readonly string[];
  maxRetries: number | undefined;
  /** Restart grace period of this binding, or `undefined` to follow `retry.restartGraceMs`. */
  restartGraceMs: number | undefined;
  /**
   * A hash of the binding's whole configuration (source and target kind and
   * location, schedule, policy), set by the engine. A scheduler shared by
   * several processes checks that every one registers the binding with the
   * same (`bullmqScheduler` refuses another with `BINDING_CONFIG_CONFLICT`);
   * the in-process scheduler ignores it.
   */
  configHash?: string | undefined;
}

/** A read-only view of one binding's schedule, for status reports. */
export interface BindingScheduleView<Result extends RunResult = RunResult> {
  circuit: CircuitState;
  consecutiveFailures: number;
  intervalMs: number;
  nextPoll: number | undefined;
  lastResult: Result | undefined;
  lastError: SyncError | undefined;
  /** Set while a restarting source is waited out (the grace period runs). */
  restarting: { since: number; graceEndsAt: number } | undefined;
}

/** What a scheduler passes with one attempt of a job ({@link SchedulerHooks.run}). */
export interface RunOptions {
  /**
   * The fence of an attempt that runs under a lease with a fencing token
   * (`bullmqScheduler` takes one per sync): the engine hands it to every
   * target call of the sync as `TargetContext.fence`, so the target refuses
   * to write once a newer token exists. Absent when no lease is held.
   */
  fence?: {
    /** The fencing token: the lease's epoch, a whole number from 1 up. */
    readonly token: number;
    /** Resolves while the lease is still held (with a margin); throws `STALE_LEASE` when it is not. */
    readonly confirm: () => Promise<void>;
  };
}

/** What a scheduler needs from its owner (the engine). */
export interface SchedulerHooks<Result extends RunResult = RunResult> {
  /**
   * Run one attempt of a job (the live job object: read it, never change it). Rejects with the failure.
   * A scheduler that runs the attempt under a lease passes its fence in `options` (see {@link RunOptions}).
   */
  run(job: Readonly<SyncJob>, signal: AbortSignal, options?: RunOptions): Promise<Result>;
  /** Emit an event (payload built lazily). */
  emit<E extends keyof SchedulerEvents<Result>>(event: E, payload: () => SchedulerEvents<Result>[E]): void;
  /** Whether anyone listens at all; when not, the per-job events are skipped before their payload closures are made. */
  listening(): boolean;
  /** Called after every attempt, successful or not, with its duration. */
  onAttempt(sourceId: string, durationMs: number): void;
  /** Called when a job ends for good, with its result when it succeeded (before `job:completed` is emitted). */
  onSettled(sourceId: string, outcome: Result['outcome'] | 'failed', at: number, result?: Result): void;
  /** Called when a retry is scheduled. */
  onRetry(sourceId: string): void;
}

/** Options of one request for a run ({@link Scheduler.enqueue}, {@link Scheduler.run}). */
export interface EnqueueOptions {
  /** Priority of the job; raises a joined pending job's priority. Default: the binding's. */
  priority?: JobPriority;
  /**
   * Gives up this request: when every request a job serves had a signal and
   * all of them aborted, a pending job is removed (`job:removed`, reason
   * `cancelled`) and a running one is aborted (it fails with
   * `JOB_CANCELLED`, or the signal's reason when that is a `SyncError`). A job
   * that also serves a request without a signal (a poll tick, a watch) runs on.
   */
  signal?: AbortSignal;
}

/**
 * The scheduler seam: what the engine needs of a scheduler. The engine
 * depends on this interface only; `InProcessScheduler` (p-queue, timers) is
 * the built-in implementation, and a distributed one plugs in through the
 * engine's `scheduler` option (see docs/architecture.md, "The scheduler
 * seam"). One pending and one running job per binding at most; triggers
 * coalesce into the pending job. Every change of a job's status follows
 * `jobTransitions` and is reported by its event through the hooks.
 */
export interface Scheduler<Result extends RunResult = RunResult> {
  /** Apply a new configuration: concurrency at once, intervals from the next tick, retry policy from the next failure. */
  configure(config: SchedulerConfig): void;
  /** Add a binding. Throws `BINDING_EXISTS`, `DEPENDENCY_MISSING` or `DEPENDENCY_CYCLE`. */
  register(binding: ScheduledBinding): void | Promise<void>;
  /** Remove a binding: its pending job is removed, its running job aborted and awaited. */
  unregister(id: string): Promise<void>;
  /** Whether a binding is registered. */
  has(id: string): boolean;
  /**
   * Ask for a run: returns the job that will do it (new or joined), or
   * `undefined` when an automatic trigger met an open circuit. A manual
   * trigger on an open circuit throws `CIRCUIT_OPEN`.
   */
  enqueue(id: string, trigger: JobTrigger, options?: EnqueueOptions): Promise<SyncJob | undefined>;
  /** Like {@link Scheduler.enqueue}, and resolve with the job's result (reject with its final error). */
  run(id: string, trigger: JobTrigger, options?: EnqueueOptions): Promise<Result>;
  /** An automatic trigger (poll tick, file watch): remembered while paused, skipped while the circuit is open. */
  notify(id: string, trigger: JobTrigger): void;
  /** Remove a pending job. Throws `JOB_NOT_FOUND`, or `JOB_NOT_PENDING` for a running one. */
  cancel(jobId: string): Promise<SyncJob>;
  /** Start the automatic triggers (poll timers) and, with `syncOnStart`, a first job for every binding. */
  start(): void;
  /** Start one binding registered after {@link Scheduler.start} (its poll timer and, with `syncOnStart`, its first job); nothing before `start`. */
  startBinding(id: string): void;
  /** Stop: no new jobs, pending ones removed, running ones aborted and awaited for at most `graceMs`. Resolves with the number still running then. */
  stop(graceMs: number): Promise<number>;
  /** Hold queued jobs (running ones finish); automatic triggers are remembered. */
  pause(): void;
  /** Release held jobs and run, once per binding, what came due while paused. Returns those binding ids. */
  resume(): string[];
  /** Whether the queue is paused. */
  readonly paused: boolean;
  /** Resolves when no job runs or is ready to run (jobs waiting for a retry timer do not count). */
  onIdle(): Promise<void>;
  /** Pending and running jobs, running first, then by priority and age. */
  jobs(): SyncJob[];
  /** Counts for metrics. */
  counts(): { running: number; pending: number };
  /** The schedule facts of one binding. Throws `BINDING_NOT_FOUND`. */
  status(id: string): BindingScheduleView<Result>;
  /**
   * Run `work` while no sync of the binding runs anywhere in the deployment,
   * fenced as a sync is (`bullmqScheduler`: under the binding's lease, its
   * token in `options.fence` and on every store write). Resolves
   * `{ ran: false }`, without running it, while a sync holds the binding.
   * The engine's rollback uses it. Optional: without it the engine relies
   * on its own check that this process runs no job of the binding.
   */
  exclusive?<T>(id: string, work: (options: RunOptions) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

/** What a {@link SchedulerFactory} gets from the engine. */
export interface SchedulerContext<Result extends RunResult = RunResult> {
  /** The engine's configuration at construction; later changes arrive through {@link Scheduler.configure}. */
  config: SchedulerConfig;
  clock: Clock;
  /** Randomness for jitter, returning [0, 1). */
  random: () => number;
  hooks: SchedulerHooks<Result>;
}

/** Makes the engine's scheduler (the engine's `scheduler` option). */
export type SchedulerFactory<Result extends RunResult = RunResult> = (context: SchedulerContext<Result>) => Scheduler<Result>;
