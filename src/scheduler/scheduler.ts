import PQueue from 'p-queue';
import { JobError, isSyncError, toSyncError, type SyncError } from '../errors.js';
import { backoffDelay, restartDelay } from './backoff.js';
import { CircuitBreaker, type CircuitTransition } from './circuit-breaker.js';
import type { Clock, TimerHandle } from './clock.js';
import { jobTransitionEvent, type JobState } from './transitions.js';
import { bindingExists, bindingNotFound, checkDependencies, jobNotFound, neededBy } from './errors.js';
import type {
  BindingScheduleView,
  EnqueueOptions,
  JobPriority,
  JobRemovalReason,
  JobStatus,
  JobTrigger,
  RunResult,
  ScheduledBinding,
  Scheduler,
  SchedulerConfig,
  SchedulerContext,
  SchedulerEvents,
  SchedulerHooks,
  SyncJob,
} from './types.js';

const NONE: readonly string[] = Object.freeze([]);

/** p-queue priorities: a larger number runs first. */
const PRIORITY_RANK: Record<JobPriority, number> = { high: 2, medium: 1, low: 0 };

/** What a change of status adds to its event's payload, by the status it goes to. */
interface TransitionExtra<Result extends RunResult> {
  pending: Record<string, never> | Omit<SchedulerEvents<Result>['job:retrying'], 'timestamp' | 'job'>;
  running: Record<string, never>;
  completed: { result: Result };
  failed: { error: SchedulerEvents<Result>['job:failed']['error'] };
  removed: { reason: JobRemovalReason };
}

const NO_EXTRA: Record<string, never> = Object.freeze({}) as Record<string, never>;

interface Waiter<Result> {
  resolve: (result: Result) => void;
  reject: (error: SyncError) => void;
}

/** One request with an abort signal that a job serves; moves with its callers when a retry absorbs the job. */
interface Claim<Result> {
  signal: AbortSignal;
  waiter: Waiter<Result> | undefined;
  entry: JobEntry<Result>;
  off: () => void;
}

interface JobEntry<Result> {
  job: SyncJob;
  /** Where the job is in `jobTransitions`; changed only by `#transition`. */
  state: JobState;
  /** Callers waiting for the result (`syncNow`); created on first use. */
  waiters: Array<Waiter<Result>> | undefined;
  queued: boolean;
  /** A request without an abort signal joined (a poll tick, a watch, a call without `signal`): aborts then only detach their own callers. */
  unconditional: boolean;
  /** Requests with an abort signal that joined; their listeners go when the job ends. */
  claims: Array<Claim<Result>> | undefined;
  /** The signal the job ran with (its binding's controller at the time). */
  runController: AbortController | undefined;
  retryTimer: TimerHandle | undefined;
  /** Retries spent waiting out a restart: counted in `retryCount`, never against `maxRetries`. */
  restartRetries: number;
}

interface BindingState<Result> {
  spec: ScheduledBinding;
  /** Aborts the binding's running job; replaced after each abort. */
  controller: AbortController;
  pending: JobEntry<Result> | undefined;
  running: JobEntry<Result> | undefined;
  /** Callbacks waiting for the running job to finish (stop, unregister); created only when someone waits. */
  runningWaiters: Array<() => void> | undefined;
  circuit: CircuitBreaker;
  halfOpenTimer: TimerHandle | undefined;
  halfOpenAt: number | undefined;
  pollTimer: TimerHandle | undefined;
  nextPoll: number | undefined;
  dueWhilePaused: boolean;
  lastResult: Result | undefined;
  lastError: SyncError | undefined;
  /**
   * The stretch of failures that began with a restarting one, until the next
   * success: when it began and how many quick retries it has had.
   */
  restart: { since: number; retries: number } | undefined;
}

/**
 * Jobs, priorities, coalescing, retries, circuits, polling and dependencies
 * over p-queue. One pending and one running job per binding at most: a
 * trigger that arrives while a job is pending joins it; one that arrives
 * while a job runs creates exactly one follow-up.
 */
export class InProcessScheduler<Result extends RunResult = RunResult> implements Scheduler<Result> {
  readonly #queue: PQueue;
  readonly #bindings = new Map<string, BindingState<Result>>();
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #hooks: SchedulerHooks<Result>;
  #config: SchedulerConfig;
  #nextJobNumber = 1;
  #polling = false;
  #paused = false;
  #stopping = false;
  #stopController = new AbortController();
  #idleWaiters: Array<() => void> = [];
  /** Bindings with a pending or running job: what status, counts and idleness look at. */
  readonly #active = new Set<BindingState<Result>>();
  /** Reverse dependency index: id → ids of bindings that depend on it. */
  readonly #dependents = new Map<string, Set<string>>();

  constructor({ config, clock, random, hooks }: SchedulerContext<Result>) {
    this.#config = config;
    this.#clock = clock;
    this.#random = random;
    this.#hooks = hooks;
    this.#queue = new PQueue({ concurrency: config.concurrency });
  }

  /**
   * The one place a job's status changes: checks the change against
   * `jobTransitions` (an illegal one throws `JOB_TRANSITION_INVALID`),
   * commits it, releases the abort listeners of a job that ended, and then
   * emits the change's event.
   */
  #transition<To extends keyof TransitionExtra<Result>>(
    entry: JobEntry<Result>,
    to: To,
    extra: TransitionExtra<Result>[To],
    at: number = this.#clock.now(),
  ): void {
    const job = entry.job;
    const event = jobTransitionEvent(entry.state, to, job.id);
    entry.state = to;
    if (to !== 'removed') job.status = to as JobStatus;
    if (to !== 'pending' && to !== 'running' && entry.claims) {
      for (const claim of entry.claims) claim.off();
      entry.claims = undefined;
    }
    if (this.#hooks.listening()) {
      this.#hooks.emit(event, () => ({ timestamp: at, job: { ...job }, ...extra }) as SchedulerEvents<Result>[typeof event]);
    }
  }

  /** Record one request on the job that serves it: its waiter, and its abort signal (or that it has none). */
  #join(state: BindingState<Result>, entry: JobEntry<Result>, signal: AbortSignal | undefined, waiter: Waiter<Result> | undefined): void {
    if (waiter) (entry.waiters ??= []).push(waiter);
    if (signal === undefined) {
      entry.unconditional = true;
      return;
    }
    const onAbort = (): void => this.#abandon(state, claim);
    const claim: Claim<Result> = { signal, waiter, entry, off: () => signal.removeEventListener('abort', onAbort) };
    signal.addEventListener('abort', onAbort, { once: true });
    (entry.claims ??= []).push(claim);
  }

  /** A request's signal aborted: its caller rejects; when no request the job serves is left, a pending job is removed and a running one aborted. */
  #abandon(state: BindingState<Result>, claim: Claim<Result>): void {
    const entry = claim.entry;
    const reason = abortReason(claim.signal.reason, state.spec.id, entry.job.id);
    entry.claims = entry.claims?.filter((c) => c !== claim);
    if (claim.waiter && entry.waiters) {
      entry.waiters = entry.waiters.filter((w) => w !== claim.waiter);
      claim.waiter.reject(reason);
    }
    if (entry.unconditional || (entry.claims !== undefined && entry.claims.length > 0)) return;
    if (entry.state === 'pending' && state.pending === entry) this.#remove(state, entry, 'cancelled', reason);
    else if (entry.state === 'running') entry.runController?.abort(reason);
  }

  /** Apply a new configuration: concurrency at once, intervals from the next tick, retry policy from the next failure. */
  configure(config: SchedulerConfig): void {
    const intervalChanged = config.defaultIntervalMs !== this.#config.defaultIntervalMs;
    this.#config = config;
    this.#queue.concurrency = config.concurrency;
    if (intervalChanged && this.#polling) {
      for (const state of this.#bindings.values()) if (state.spec.intervalMs === undefined) this.#schedulePoll(state);
    }
  }

  /**
   * Add a binding. Dependencies must already be registered; a cycle is
   * refused. Call {@link Scheduler.startBinding} once the owner can run it.
   */
  register(spec: ScheduledBinding): void {
    if (this.#bindings.has(spec.id)) {
      throw bindingExists(spec.id);
    }
    checkDependencies(spec, (id) => this.#bindings.get(id)?.spec.dependsOn);
    const state: BindingState<Result> = {
      spec: { ...spec, dependsOn: [...spec.dependsOn] },
      controller: new AbortController(),
      pending: undefined,
      running: undefined,
      runningWaiters: undefined,
      circuit: new CircuitBreaker(),
      halfOpenTimer: undefined,
      halfOpenAt: undefined,
      pollTimer: undefined,
      nextPoll: undefined,
      dueWhilePaused: false,
      lastResult: undefined,
      lastError: undefined,
      restart: undefined,
    };
    this.#bindings.set(spec.id, state);
    for (const dep of spec.dependsOn) {
      const set = this.#dependents.get(dep) ?? new Set<string>();
      set.add(spec.id);
      this.#dependents.set(dep, set);
    }
  }

  /** Ids of bindings that depend on `id`. */
  dependentsOf(id: string): readonly string[] {
    const set = this.#dependents.get(id);
    return set && set.size > 0 ? [...set] : NONE;
  }

  #touch(state: BindingState<Result>): void {
    if (state.pending || state.running) this.#active.add(state);
    else this.#active.delete(state);
  }

  /** Remove a binding: its pending job is removed, its running job aborted and awaited. */
  async unregister(id: string): Promise<void> {
    const state = this.#require(id);
    const dependents = this.dependentsOf(id);
    if (dependents.length > 0) throw neededBy(id, dependents);
    this.#clearTimers(state);
    this.#bindings.delete(id);
    for (const dep of state.spec.dependsOn) this.#dependents.get(dep)?.delete(id);
    this.#dependents.delete(id);
    if (state.pending) this.#remove(state, state.pending, 'source-removed', new JobError('JOB_CANCELLED', `Binding "${id}" was removed.`));
    if (state.running) {
      state.running.runController?.abort(new JobError('JOB_CANCELLED', `Binding "${id}" was removed.`));
      await this.#runningDone(state);
    }
    this.#active.delete(state);
  }

  #require(id: string): BindingState<Result> {
    const state = this.#bindings.get(id);
    if (!state) throw bindingNotFound(id, this.#bindings.keys());
    return state;
  }

  /** Whether a binding is registered. */
  has(id: string): boolean {
    return this.#bindings.has(id);
  }

  /**
   * Ask for a run of a binding. Resolves with the job that will do it (new
   * or joined), or `undefined` when an automatic trigger was skipped because
   * the binding's circuit is open. A manual trigger on an open circuit
   * rejects with `CIRCUIT_OPEN`; an aborted signal rejects before any job is made.
   */
  async enqueue(id: string, trigger: JobTrigger, options: EnqueueOptions = {}): Promise<SyncJob | undefined> {
    const job = this.#trigger(id, trigger, options.priority, options.signal)?.job;
    return job === undefined ? undefined : copyJob(job);
  }

  /** Like {@link InProcessScheduler.enqueue}, and wait for the job's result. */
  run(id: string, trigger: JobTrigger, options: EnqueueOptions = {}): Promise<Result> {
    return new Promise((resolve, reject) => {
      const entry = this.#trigger(id, trigger, options.priority, options.signal, { resolve, reject });
      if (!entry) reject(new JobError('CIRCUIT_OPEN', `The circuit of "${id}" is open.`));
    });
  }

  #trigger(
    id: string,
    trigger: JobTrigger,
    priority?: JobPriority,
    signal?: AbortSignal,
    waiter?: Waiter<Result>,
  ): JobEntry<Result> | undefined {
    const state = this.#require(id);
    if (signal?.aborted) throw abortReason(signal.reason, id, undefined);
    if (this.#stopping) {
      throw new JobError('ENGINE_STOPPED', 'The engine is stopping; no new jobs start.', {
        hint: 'Wait for `stopSync()` to settle, then start again.',
      });
    }
    if (!state.circuit.allowsAttempt) {
      if (trigger !== 'manual') return undefined;
      const wait = Math.max(0, (state.halfOpenAt ?? this.#clock.now()) - this.#clock.now());
      throw new JobError('CIRCUIT_OPEN', `The circuit of "${id}" is open after ${state.circuit.failures} consecutive failures.`, {
        hint: `The engine tries again in ${wait} ms; fix the cause (see the binding's last error) meanwhile.`,
        retryAfterMs: wait,
        details: { sourceId: id },
      });
    }
    const wanted = priority ?? state.spec.priority;
    const pending = state.pending;
    if (pending) {
      if (PRIORITY_RANK[wanted] > PRIORITY_RANK[pending.job.priority]) {
        pending.job.priority = wanted;
        if (pending.queued) this.#queue.setPriority(pending.job.id, PRIORITY_RANK[wanted]);
      }
      if (trigger === 'manual' && pending.retryTimer !== undefined) {
        this.#clock.clearTimeout(pending.retryTimer);
        pending.retryTimer = undefined;
        pending.job.nextAttempt = this.#clock.now();
      }
      this.#join(state, pending, signal, waiter);
      this.#hooks.emit('job:coalesced', () => ({ timestamp: this.#clock.now(), job: { ...pending.job }, trigger }));
      this.#dispatch(state);
      return pending;
    }
    const now = this.#clock.now();
    const entry: JobEntry<Result> = {
      job: {
        id: `job-${this.#nextJobNumber++}`,
        sourceId: id,
        priority: wanted,
        retryCount: 0,
        maxRetries: state.spec.maxRetries ?? this.#config.retry.maxRetries,
        lastAttempt: undefined,
        nextAttempt: now,
        status: 'pending',
        trigger,
        createdAt: now,
      },
      state: 'new',
      waiters: undefined,
      queued: false,
      unconditional: false,
      claims: undefined,
      runController: undefined,
      retryTimer: undefined,
      restartRetries: 0,
    };
    this.#join(state, entry, signal, waiter);
    state.pending = entry;
    this.#touch(state);
    this.#transition(entry, 'pending', NO_EXTRA, now);
    this.#dispatch(state);
    return entry;
  }

  /** Move a binding's pending job into the queue when nothing holds it back. */
  #dispatch(state: BindingState<Result>): void {
    const entry = state.pending;
    if (!entry || entry.queued || entry.retryTimer !== undefined || state.running) return;
    if (state.spec.dependsOn.some((dep) => this.#isBusy(dep))) return;
    entry.queued = true;
    // A job removed while queued stays in p-queue as a no-op: #execute sees `cancelled` and returns.
    void this.#queue.add(() => this.#execute(state, entry), { priority: PRIORITY_RANK[entry.job.priority], id: entry.job.id });
  }

  /** Resolves when the binding's running job (if any) has finished. */
  #runningDone(state: BindingState<Result>): Promise<void> {
    if (!state.running) return Promise.resolve();
    return new Promise((resolve) => (state.runningWaiters ??= []).push(resolve));
  }

  #isBusy(id: string): boolean {
    const state = this.#bindings.get(id);
    return !!state && (state.pending !== undefined || state.running !== undefined);
  }

  async #execute(state: BindingState<Result>, entry: JobEntry<Result>): Promise<void> {
    if (entry.state !== 'pending' || state.pending !== entry) return;
    state.pending = undefined;
    state.running = entry;
    entry.queued = false;
    this.#touch(state);
    const job = entry.job;
    job.lastAttempt = this.#clock.now();
    job.nextAttempt = undefined;
    this.#transition(entry, 'running', NO_EXTRA);
    if (state.controller.signal.aborted) state.controller = new AbortController();
    const controller = state.controller;
    entry.runController = controller;
    if (this.#stopController.signal.aborted) controller.abort(this.#stopController.signal.reason);
    const signal = controller.signal;
    const started = performance.now();
    try {
      const result = await this.#hooks.run(job, signal);
      this.#hooks.onAttempt(job.sourceId, performance.now() - started);
      this.#circuitEvent(state, state.circuit.recordSuccess());
      state.restart = undefined;
      state.lastResult = result;
      state.lastError = undefined;
      if (job.error !== undefined) delete job.error; // delete only when set: deleting turns the object into a slow dictionary
      const at = this.#clock.now();
      this.#hooks.onSettled(job.sourceId, result.outcome, at, result);
      this.#transition(entry, 'completed', { result }, at);
      if (entry.waiters) for (const waiter of entry.waiters) waiter.resolve(result);
      if (result.outcome === 'applied' && !this.#stopping) {
        for (const dependent of this.dependentsOf(job.sourceId)) this.#trigger(dependent, 'dependency');
      }
    } catch (thrown) {
      this.#hooks.onAttempt(job.sourceId, performance.now() - started);
      const aborted = signal.aborted;
      const error = aborted
        ? toSyncError(signal.reason, { code: 'ENGINE_STOPPED', message: 'The job was aborted' })
        : toSyncError(thrown, {
            code: 'JOB_FAILED',
            message: `Job ${job.id} of "${job.sourceId}" failed`,
            retryable: false,
            hint: 'The run threw something that is not a SyncError; see the cause.',
          });
      this.#fail(state, entry, error, aborted);
    } finally {
      state.running = undefined;
      this.#touch(state);
      const waiters = state.runningWaiters;
      state.runningWaiters = undefined;
      if (waiters) for (const resolve of waiters) resolve();
      if (this.#bindings.get(job.sourceId) === state) this.#dispatch(state);
      for (const dependent of this.dependentsOf(job.sourceId)) {
        const dep = this.#bindings.get(dependent);
        if (dep) this.#dispatch(dep);
      }
      this.#checkIdle();
    }
  }

  #fail(state: BindingState<Result>, entry: JobEntry<Result>, error: SyncError, aborted: boolean): void {
    const job = entry.job;
    job.error = error.toJSON();
    const now = this.#clock.now();
    // A restart being waited out is not a failure: no breaker count, no retry budget, a quick retry.
    const waitOut = aborted ? undefined : this.#restartDelay(state, entry, error, now);
    const opened = aborted || waitOut !== undefined ? undefined : state.circuit.recordFailure(now, this.#config.circuitBreaker);
    this.#circuitEvent(state, opened);
    const canRetry =
      !aborted &&
      !this.#stopping &&
      (waitOut !== undefined ||
        (error.retryable && state.circuit.allowsAttempt && job.retryCount - entry.restartRetries < job.maxRetries)) &&
      this.#bindings.get(job.sourceId) === state;
    if (canRetry) {
      job.retryCount += 1;
      if (waitOut !== undefined) entry.restartRetries += 1;
      const delay = waitOut ?? error.retryAfterMs ?? backoffDelay(this.#config.retry, job.retryCount - entry.restartRetries, this.#random);
      job.nextAttempt = now + delay;
      const followUp = state.pending;
      if (followUp) {
        // A trigger arrived while this attempt ran: the retry absorbs it, its callers and their signals.
        if (followUp.waiters) (entry.waiters ??= []).push(...followUp.waiters);
        followUp.waiters = undefined;
        if (followUp.unconditional) entry.unconditional = true;
        for (const claim of followUp.claims ?? []) {
          claim.entry = entry;
          (entry.claims ??= []).push(claim);
        }
        followUp.claims = undefined;
        if (PRIORITY_RANK[followUp.job.priority] > PRIORITY_RANK[job.priority]) job.priority = followUp.job.priority;
        state.pending = undefined;
        this.#transition(followUp, 'removed', { reason: 'coalesced' }, now);
      }
      state.pending = entry;
      this.#touch(state);
      this.#hooks.onRetry(job.sourceId);
      this.#transition(entry, 'pending', { error: error.toJSON(), delayMs: delay, nextAttempt: now + delay }, now);
      entry.retryTimer = this.#clock.setTimeout(() => {
        entry.retryTimer = undefined;
        this.#dispatch(state);
      }, delay);
      return;
    }
    state.lastError = error;
    this.#hooks.onSettled(job.sourceId, 'failed', now);
    this.#transition(entry, 'failed', { error: job.error }, now);
    if (entry.waiters) for (const waiter of entry.waiters) waiter.reject(error);
  }

  #graceOf(state: BindingState<Result>): number {
    return state.spec.restartGraceMs ?? this.#config.retry.restartGraceMs;
  }

  /**
   * The quick retry delay when `error` marks a restart that is still within
   * the binding's grace period, else `undefined` (the normal rules apply).
   * The first restarting failure since the last success starts the period
   * and emits `source:restarting`.
   */
  #restartDelay(state: BindingState<Result>, entry: JobEntry<Result>, error: SyncError, now: number): number | undefined {
    const grace = this.#graceOf(state);
    if (!error.restarting || !error.retryable || grace <= 0) return undefined;
    let restart = state.restart;
    if (restart === undefined) {
      restart = { since: now, retries: 0 };
      state.restart = restart;
      this.#hooks.emit('source:restarting', () => ({
        timestamp: now,
        sourceId: state.spec.id,
        jobId: entry.job.id,
        since: now,
        graceEndsAt: now + grace,
        error: error.toJSON(),
      }));
    }
    if (now - restart.since >= grace) return undefined;
    restart.retries += 1;
    return restartDelay(restart.retries);
  }

  #circuitEvent(state: BindingState<Result>, transition: CircuitTransition): void {
    const sourceId = state.spec.id;
    const now = this.#clock.now();
    if (transition === 'opened') {
      const cooldown = this.#config.circuitBreaker.cooldownMs;
      state.halfOpenAt = now + cooldown;
      if (state.halfOpenTimer !== undefined) this.#clock.clearTimeout(state.halfOpenTimer);
      state.halfOpenTimer = this.#clock.setTimeout(() => this.#halfOpen(state), cooldown);
      this.#hooks.emit('circuit:opened', () => ({
        timestamp: now,
        sourceId,
        failures: state.circuit.failures,
        halfOpenAt: now + cooldown,
      }));
    } else if (transition === 'closed') {
      this.#hooks.emit('circuit:closed', () => ({ timestamp: now, sourceId }));
    }
  }

  #halfOpen(state: BindingState<Result>): void {
    state.halfOpenTimer = undefined;
    state.halfOpenAt = undefined;
    if (state.circuit.halfOpen() !== 'half-opened') return;
    this.#hooks.emit('circuit:half-opened', () => ({ timestamp: this.#clock.now(), sourceId: state.spec.id }));
    if (this.#bindings.get(state.spec.id) !== state || this.#stopping) return;
    if (this.#paused) state.dueWhilePaused = true;
    else this.#trigger(state.spec.id, 'probe');
  }

  /** Remove a pending job. Rejects with `JOB_NOT_FOUND`, or `JOB_NOT_PENDING` for a running one. */
  async cancel(jobId: string): Promise<SyncJob> {
    for (const state of this.#bindings.values()) {
      if (state.running?.job.id === jobId) {
        throw new JobError('JOB_NOT_PENDING', `Job ${jobId} is already running and cannot be removed.`, {
          hint: 'Wait for it, or stop the engine to abort it.',
        });
      }
      if (state.pending?.job.id === jobId) {
        const entry = state.pending;
        this.#remove(state, entry, 'cancelled', new JobError('JOB_CANCELLED', `Job ${jobId} was removed.`));
        return copyJob(entry.job);
      }
    }
    throw jobNotFound(jobId);
  }

  #remove(state: BindingState<Result>, entry: JobEntry<Result>, reason: JobRemovalReason, error: SyncError): void {
    if (entry.retryTimer !== undefined) this.#clock.clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    if (state.pending === entry) state.pending = undefined;
    this.#touch(state);
    this.#transition(entry, 'removed', { reason });
    if (entry.waiters) for (const waiter of entry.waiters) waiter.reject(error);
    for (const dependent of this.dependentsOf(state.spec.id)) {
      const dep = this.#bindings.get(dependent);
      if (dep) this.#dispatch(dep);
    }
    this.#checkIdle();
  }

  /**
   * Start poll timers and, with `syncOnStart`, queue a first job for every
   * binding (in registration order, so a dependency is queued before the
   * bindings that depend on it and they wait for it).
   */
  start(): void {
    this.#polling = true;
    for (const state of this.#bindings.values()) this.#start(state);
  }

  /** Start a binding registered while polling runs (its poll timer and first job); nothing before `start`. */
  startBinding(id: string): void {
    if (this.#polling) this.#start(this.#require(id));
  }

  #start(state: BindingState<Result>): void {
    this.#schedulePoll(state);
    // The same path as a poll tick: remembered while paused, skipped on an open circuit, coalesced.
    if (this.#config.syncOnStart) this.notify(state.spec.id, 'start');
  }

  #intervalOf(state: BindingState<Result>): number {
    return state.spec.intervalMs ?? this.#config.defaultIntervalMs;
  }

  #schedulePoll(state: BindingState<Result>): void {
    if (state.pollTimer !== undefined) this.#clock.clearTimeout(state.pollTimer);
    state.pollTimer = undefined;
    state.nextPoll = undefined;
    const interval = this.#intervalOf(state);
    if (!this.#polling || interval <= 0) return;
    state.nextPoll = this.#clock.now() + interval;
    state.pollTimer = this.#clock.setTimeout(() => {
      state.pollTimer = undefined;
      if (this.#bindings.get(state.spec.id) !== state) return;
      this.#schedulePoll(state);
      this.notify(state.spec.id, 'interval');
    }, interval);
  }

  /** An automatic trigger (poll tick, file watch): remembered while paused, skipped while the circuit is open. */
  notify(id: string, trigger: JobTrigger): void {
    const state = this.#bindings.get(id);
    if (!state || this.#stopping) return;
    if (this.#paused) {
      state.dueWhilePaused = true;
      return;
    }
    this.#trigger(id, trigger);
  }

  /** Hold queued jobs (running ones finish); automatic triggers are remembered. */
  pause(): void {
    this.#paused = true;
    this.#queue.pause();
  }

  /** Release held jobs and run, once per binding, what came due while paused. Returns those binding ids. */
  resume(): string[] {
    this.#paused = false;
    const due: string[] = [];
    for (const state of this.#bindings.values()) {
      if (!state.dueWhilePaused) continue;
      state.dueWhilePaused = false;
      due.push(state.spec.id);
      if (state.circuit.allowsAttempt) this.#trigger(state.spec.id, 'resume');
    }
    this.#queue.start();
    return due;
  }

  /** Whether the queue is paused. */
  get paused(): boolean {
    return this.#paused;
  }

  #clearTimers(state: BindingState<Result>): void {
    if (state.pollTimer !== undefined) this.#clock.clearTimeout(state.pollTimer);
    if (state.halfOpenTimer !== undefined) this.#clock.clearTimeout(state.halfOpenTimer);
    state.pollTimer = undefined;
    state.nextPoll = undefined;
    state.halfOpenTimer = undefined;
  }

  /**
   * Stop: no new jobs, pending ones removed, running ones aborted and awaited
   * for at most `graceMs`. Resolves with the number still running then.
   */
  async stop(graceMs: number): Promise<number> {
    this.#stopping = true;
    this.#polling = false;
    for (const state of this.#bindings.values()) {
      if (state.pollTimer !== undefined) this.#clock.clearTimeout(state.pollTimer);
      state.pollTimer = undefined;
      state.nextPoll = undefined;
      state.dueWhilePaused = false;
      if (state.pending)
        this.#remove(state, state.pending, 'engine-stopped', new JobError('ENGINE_STOPPED', 'The engine stopped before this job ran.'));
    }
    const reason = new JobError('ENGINE_STOPPED', 'The engine is stopping.');
    this.#stopController.abort(reason);
    for (const state of this.#active) state.running?.runController?.abort(reason);
    const running = [...this.#bindings.values()].filter((s) => s.running).map((s) => this.#runningDone(s));
    let timer: TimerHandle | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve('timeout'), graceMs);
    });
    await Promise.race([Promise.all(running), grace]);
    this.#clock.clearTimeout(timer);
    const unfinished = [...this.#bindings.values()].filter((s) => s.running).length;
    this.#stopping = false;
    this.#paused = false;
    this.#stopController = new AbortController();
    this.#queue.start();
    return unfinished;
  }

  /** Pending and running jobs, running first, then by priority and age. */
  jobs(): SyncJob[] {
    const list: SyncJob[] = [];
    for (const state of this.#active) {
      if (state.running) list.push({ ...state.running.job });
      if (state.pending) list.push({ ...state.pending.job });
    }
    const rank = (j: SyncJob): number => (j.status === 'running' ? 10 : 0) + PRIORITY_RANK[j.priority];
    return list.sort((a, b) => rank(b) - rank(a) || a.createdAt - b.createdAt);
  }

  /** Counts for metrics. */
  counts(): { running: number; pending: number } {
    let running = 0;
    let pending = 0;
    for (const state of this.#active) {
      if (state.running) running += 1;
      if (state.pending) pending += 1;
    }
    return { running, pending };
  }

  /** The schedule facts of one binding. */
  status(id: string): BindingScheduleView<Result> {
    const state = this.#require(id);
    return {
      circuit: state.circuit.state,
      consecutiveFailures: state.circuit.failures,
      intervalMs: this.#intervalOf(state),
      nextPoll: state.nextPoll,
      lastResult: state.lastResult,
      lastError: state.lastError,
      restarting: this.#restartingView(state),
    };
  }

  #restartingView(state: BindingState<Result>): BindingScheduleView['restarting'] {
    const restart = state.restart;
    if (restart === undefined) return undefined;
    const graceEndsAt = restart.since + this.#graceOf(state);
    return this.#clock.now() < graceEndsAt ? { since: restart.since, graceEndsAt } : undefined;
  }

  #isIdle(): boolean {
    for (const state of this.#active) {
      if (state.running) return false;
      if (state.pending && state.pending.retryTimer === undefined) return false;
    }
    return true;
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when no job runs or is ready to run (jobs waiting for a retry timer do not count). */
  onIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

/**
 * A caller's copy of a job, field by field: `addSyncJob` returns one per
 * call, and object spread costs more than it looks on a path that runs once
 * per job.
 */
function copyJob(job: SyncJob): SyncJob {
  const copy: SyncJob = {
    id: job.id,
    sourceId: job.sourceId,
    priority: job.priority,
    retryCount: job.retryCount,
    maxRetries: job.maxRetries,
    lastAttempt: job.lastAttempt,
    nextAttempt: job.nextAttempt,
    status: job.status,
    trigger: job.trigger,
    createdAt: job.createdAt,
  };
  if (job.error !== undefined) copy.error = job.error;
  return copy;
}

/** The error a caller's abort becomes: its reason when that is a `SyncError`, else `JOB_CANCELLED` with the reason as `cause` (as `plan` and the HTTP source do). */
function abortReason(reason: unknown, sourceId: string, jobId: string | undefined): SyncError {
  if (isSyncError(reason)) return reason;
  return new JobError(
    'JOB_CANCELLED',
    `${jobId === undefined ? 'The run' : `Job ${jobId}`} of "${sourceId}" was cancelled by its caller's abort signal.`,
    {
      cause: reason,
      hint: 'Nothing to do, unless the signal was not meant to abort.',
      details: { sourceId, ...(jobId === undefined ? {} : { jobId }), aborted: true },
    },
  );
}
