import type { ConflictDecision, ConflictResolver } from '../conflict/index.js';
import { assertBindingId } from '../binding-id.js';
import { adapterFailure, BindingError, ConfigError, JobError } from '../errors.js';
import { checkOptions, describeValue, optionKeys } from '../options.js';
import { withJobIds, type SyncEngineEventName, type SyncEngineEvents, type SyncEngineListener } from './events.js';
import { MetricsCollector, toPrometheusText, type SyncEngineMetrics } from '../metrics/index.js';
import { InProcessScheduler, systemClock, type Clock, type EnqueueOptions, type Scheduler, type TimerHandle } from '../scheduler/index.js';
import { MemoryStore, type SyncStore } from '../store/index.js';
import { changedKeys, defaultEngineConfig, resolveConfig } from './config.js';
import { SafeEmitter } from './emitter.js';
import { planSync, recoverBinding, runPipeline, type PipelineBinding, type PipelineDeps } from './pipeline.js';
import { PendingDecisions, type ConflictAnswer, type PendingDecision } from './decisions.js';
import { getJournal } from './journal.js';
import { bindingConfigHash } from './config-hash.js';
import { ReviewState } from './review.js';
import { emptyDecisions, getDecisions, setDecisions, validateDecisionsFile } from './records.js';
import { rollbackBinding } from './rollback.js';
import { guardedStore } from './adapters.js';
import type {
  BindingDecisions,
  BindingStatus,
  DecisionsFile,
  HeldSync,
  JournalEntry,
  SyncPlan,
  EngineState,
  JobPriority,
  SyncBindingOptions,
  SyncEngineConfig,
  SyncEngineConfigUpdate,
  SyncEngineOptions,
  SyncJob,
  SyncNowOptions,
  AddSyncJobRequest,
  SyncPolicy,
  SyncResult,
  SyncStatus,
} from './types.js';

const PRIORITIES: readonly JobPriority[] = ['high', 'medium', 'low'];
const JOB_REQUEST_KEYS = optionKeys<AddSyncJobRequest>()(['sourceId', 'priority', 'signal']);
const SYNC_NOW_KEYS = optionKeys<SyncNowOptions>()(['priority', 'signal']);
const PLAN_KEYS = ['signal'];
const ROLLBACK_KEYS = ['force'];
const BINDING_KEYS = optionKeys<SyncBindingOptions>()([
  'id',
  'source',
  'target',
  'priority',
  'intervalMs',
  'dependsOn',
  'policy',
  'maxRetries',
  'restartGraceMs',
  'watch',
  'resolver',
]);
const POLICY_KEYS = optionKeys<SyncPolicy>()([
  'removal',
  'maxRemovalShare',
  'holdOnBreaking',
  'stableRuns',
  'journalLimit',
  'journalBytes',
]);

/** The scheduler's options of a job request, checked: a known priority and an `AbortSignal`. */
function jobOptions(request: { priority?: JobPriority | undefined; signal?: AbortSignal | undefined }): EnqueueOptions {
  if (request.priority !== undefined && !PRIORITIES.includes(request.priority)) {
    throw new ConfigError(`Expected \`priority\` to be high, medium or low, got ${describeValue(request.priority)}.`, {
      details: { option: 'priority' },
    });
  }
  const signal = request.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ConfigError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(signal)}.`, {
      hint: 'Pass `controller.signal` of an AbortController.',
      details: { option: 'signal' },
    });
  }
  const options: EnqueueOptions = {};
  if (request.priority !== undefined) options.priority = request.priority;
  if (signal !== undefined) options.signal = signal;
  return options;
}
const CONSTRUCTOR_ONLY = new Set(['store', 'resolver', 'clock', 'random', 'scheduler']);

/** Default per-binding policy. */
export const defaultSyncPolicy: Readonly<Required<SyncPolicy>> = Object.freeze({
  removal: 'deprecate',
  maxRemovalShare: 0.5,
  holdOnBreaking: false,
  stableRuns: 1,
  journalLimit: 50,
  journalBytes: 5,
});

interface BindingRuntime extends PipelineBinding {
  options: SyncBindingOptions;
  unwatch: (() => void | Promise<void>) | undefined;
}

/**
 * The sync engine: holds bindings (source + target + schedule + policy),
 * schedules their jobs, runs the pipeline of each sync and reports every
 * lifecycle change as a typed event.
 *
 * @example
 * ```ts
 * const engine = new SyncEngine({ concurrency: 2 });
 * await engine.addSource({ id: 'petstore', source: httpSource({ url }), target: openApiFileTarget({ path: 'petstore.json' }) });
 * engine.on('sync:applied', (e) => console.log(`${e.sourceId}: ${e.changeCount} changes`));
 * await engine.startSync();
 * ```
 */
export class SyncEngine {
  readonly #clock: Clock;
  readonly #random: () => number;
  /** The store as the user gave it (what `engine.store` returns). */
  readonly #userStore: SyncStore;
  /** The same store, its failures reported as `STORE_ADAPTER_FAILED` unless they already are a `SyncError`. */
  readonly #store: SyncStore;
  readonly #resolver: ConflictResolver | undefined;
  readonly #emitter: SafeEmitter;
  readonly #metrics = new MetricsCollector();
  readonly #bindings = new Map<string, BindingRuntime>();
  readonly #scheduler: Scheduler<SyncResult>;
  readonly #deps: PipelineDeps;
  #config: SyncEngineConfig;
  #state: EngineState = 'idle';
  #startedAt: number | undefined;
  #metricsTimer: TimerHandle | undefined;
  #stopping: Promise<void> | undefined;
  readonly #review = new ReviewState();
  readonly #pending: PendingDecisions;

  constructor(options: SyncEngineOptions = {}) {
    this.#config = resolveConfig(defaultEngineConfig, options, CONSTRUCTOR_ONLY, 'SyncEngine options');
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#userStore = options.store ?? new MemoryStore();
    this.#store = guardedStore(this.#userStore);
    this.#resolver = options.resolver;
    this.#emitter = new SafeEmitter(() => this.#clock.now());
    const emitter = this.#emitter;
    const emit: PipelineDeps['emit'] = (event, payload) => emitter.emit(event, payload);
    const listening = (): boolean => emitter.listening;
    this.#pending = new PendingDecisions(this.#clock);
    this.#deps = {
      store: this.#store,
      clock: this.#clock,
      emit,
      listening,
      review: this.#review,
      pending: this.#pending,
      onConflicts: (id, count) => this.#metrics.recordConflicts(id, count),
    };
    const makeScheduler = options.scheduler ?? ((context) => new InProcessScheduler<SyncResult>(context));
    if (typeof makeScheduler !== 'function') {
      throw new ConfigError(`Expected \`scheduler\` to be a function that makes a scheduler, got ${typeof makeScheduler}.`, {
        hint: 'Omit it to use the in-process scheduler.',
        details: { option: 'scheduler' },
      });
    }
    this.#scheduler = makeScheduler({
      config: this.#config,
      clock: this.#clock,
      random: this.#random,
      hooks: {
        run: (job, signal, options) => {
          const binding = this.#bindings.get(job.sourceId);
          if (!binding) throw new BindingError('BINDING_NOT_FOUND', `No binding with id "${job.sourceId}".`);
          return runPipeline(binding, job, signal, this.#deps, options?.fence);
        },
        // Job events carry the job's ids at the top, like every other job event.
        emit: (event, payload) => emitter.emit(event, () => withJobIds<typeof event>(payload())),
        listening,
        onAttempt: (id, ms) => this.#metrics.recordAttempt(id, ms),
        onSettled: (id, outcome, at, result) => {
          if (result) this.#review.afterRun(result);
          this.#metrics.recordRun(id, outcome, at);
        },
        onRetry: (id) => this.#metrics.recordRetry(id),
      },
    });
  }

  #emit<E extends SyncEngineEventName>(event: E, payload: () => SyncEngineEvents[E]): void {
    this.#emitter.emit(event, payload);
  }

  // ── events ────────────────────────────────────────────────────────────

  /** Listen to an engine event. A listener that throws is reported as an `error` event and never breaks the engine. */
  on<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): this {
    this.#emitter.on(event, listener);
    return this;
  }

  /** Listen to the next occurrence of an event. */
  once<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): this {
    this.#emitter.once(event, listener);
    return this;
  }

  /** Stop listening. */
  off<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): this {
    this.#emitter.off(event, listener);
    return this;
  }

  /** Remove all listeners of one event, or of every event. */
  removeAllListeners(event?: SyncEngineEventName): this {
    this.#emitter.removeAllListeners(event);
    return this;
  }

  /** How many listeners an event has. */
  listenerCount(event: SyncEngineEventName): number {
    return this.#emitter.listenerCount(event);
  }

  // ── lifecycle ─────────────────────────────────────────────────────────

  /** The engine's state: `idle` (not started), `running`, `paused` or `stopping`. */
  get state(): EngineState {
    return this.#state;
  }

  /**
   * Start polling and watching every binding. Jobs can run before start too
   * (through `syncNow` and `addSyncJob`); start adds the automatic triggers.
   */
  async startSync(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'paused') return;
    if (this.#stopping) await this.#stopping;
    this.#state = 'running';
    this.#startedAt = this.#clock.now();
    this.#scheduler.start();
    for (const binding of this.#bindings.values()) await this.#startWatching(binding);
    this.#scheduleMetrics();
    this.#emit('engine:started', () => ({ timestamp: this.#clock.now() }));
  }

  /**
   * Stop gracefully: no new jobs start, pending ones are removed, running
   * ones get an aborted signal and are awaited for at most
   * `stopGracePeriodMs`. Watchers and timers end. The engine can be started again.
   */
  async stopSync(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (this.#state === 'idle' && this.#scheduler.counts().running === 0 && this.#scheduler.counts().pending === 0) {
      // Nothing runs, so nothing stops (no event); a scheduler that connected for jobs run before a start (bullmq) lets go of its connections.
      await this.#scheduler.stop(0);
      return;
    }
    this.#state = 'stopping';
    this.#stopping = (async () => {
      if (this.#metricsTimer !== undefined) this.#clock.clearTimeout(this.#metricsTimer);
      this.#metricsTimer = undefined;
      await Promise.all([...this.#bindings.values()].map((b) => this.#stopWatching(b)));
      const unfinished = await this.#scheduler.stop(this.#config.stopGracePeriodMs);
      this.#state = 'idle';
      this.#startedAt = undefined;
      this.#emit('engine:stopped', () => ({ timestamp: this.#clock.now(), unfinished }));
    })();
    try {
      await this.#stopping;
    } finally {
      this.#stopping = undefined;
    }
  }

  /** Hold queued jobs and remember what comes due; running jobs finish. */
  async pauseSync(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#scheduler.pause();
    this.#state = 'paused';
    this.#emit('engine:paused', () => ({ timestamp: this.#clock.now() }));
  }

  /** Release held jobs and run, once per binding, what came due while paused. */
  async resumeSync(): Promise<void> {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    const due = this.#scheduler.resume();
    this.#emit('engine:resumed', () => ({ timestamp: this.#clock.now(), dueBindings: due }));
  }

  /** Resolves when no job is running or ready to run (jobs waiting for a retry timer do not count). */
  onIdle(): Promise<void> {
    return this.#scheduler.onIdle();
  }

  // ── bindings ──────────────────────────────────────────────────────────

  /** Register a binding. Throws `BINDING_ID_INVALID`, `BINDING_EXISTS`, `DEPENDENCY_MISSING`, `DEPENDENCY_CYCLE` or `CONFIG_INVALID`. */
  async addSource<Local>(options: SyncBindingOptions<Local>): Promise<void> {
    const binding = this.#validateBinding(options as SyncBindingOptions);
    await this.#scheduler.register({
      id: binding.id,
      priority: options.priority ?? 'medium',
      intervalMs: options.intervalMs,
      dependsOn: options.dependsOn ?? [],
      maxRetries: options.maxRetries,
      restartGraceMs: options.restartGraceMs,
      configHash: bindingConfigHash(binding),
    });
    this.#bindings.set(binding.id, binding);
    this.#scheduler.startBinding(binding.id);
    if (this.#state === 'running' || this.#state === 'paused') await this.#startWatching(binding);
    this.#emit('source:added', () => ({
      timestamp: this.#clock.now(),
      sourceId: binding.id,
      sourceKind: binding.source.kind,
      targetKind: binding.target.kind,
    }));
  }

  #validateBinding(options: SyncBindingOptions): BindingRuntime {
    const fail = (message: string, hint: string): never => {
      throw new ConfigError(message, { hint });
    };
    checkOptions('addSource options', options, BINDING_KEYS);
    if (options.policy !== undefined) checkOptions('`policy`', options.policy, POLICY_KEYS, 'policy.');
    assertBindingId(options.id, '`id`');
    if (!options.source || typeof options.source.fetch !== 'function')
      fail(
        `Binding "${options.id}": expected \`source\` to have a fetch() method.`,
        'Use httpSource, fileSource, functionSource or your own SpecSource.',
      );
    const target = options.target;
    if (!target || typeof target.read !== 'function' || typeof target.write !== 'function' || typeof target.render !== 'function') {
      fail(
        `Binding "${options.id}": expected \`target\` to have render(), read() and write() methods.`,
        'Use openApiFileTarget, MemoryTarget or your own SyncTarget.',
      );
    }
    if (options.priority !== undefined && !PRIORITIES.includes(options.priority)) {
      fail(
        `Binding "${options.id}": expected \`priority\` to be high, medium or low, got ${JSON.stringify(options.priority)}.`,
        'Use "high", "medium" or "low".',
      );
    }
    if (
      options.intervalMs !== undefined &&
      (typeof options.intervalMs !== 'number' || !Number.isFinite(options.intervalMs) || options.intervalMs < 0)
    ) {
      fail(
        `Binding "${options.id}": expected \`intervalMs\` to be a number from 0 and up, got ${JSON.stringify(options.intervalMs)}.`,
        'Use 0 to disable polling.',
      );
    }
    if (options.maxRetries !== undefined && (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)) {
      fail(
        `Binding "${options.id}": expected \`maxRetries\` to be an integer from 0 and up, got ${JSON.stringify(options.maxRetries)}.`,
        'Use 0 to disable retries.',
      );
    }
    if (
      options.restartGraceMs !== undefined &&
      (typeof options.restartGraceMs !== 'number' || !Number.isFinite(options.restartGraceMs) || options.restartGraceMs < 0)
    ) {
      fail(
        `Binding "${options.id}": expected \`restartGraceMs\` to be a number from 0 and up, got ${JSON.stringify(options.restartGraceMs)}.`,
        'Use 0 to count restarts like any other failure.',
      );
    }
    if (options.dependsOn !== undefined && (!Array.isArray(options.dependsOn) || options.dependsOn.some((d) => typeof d !== 'string'))) {
      fail(
        `Binding "${options.id}": expected \`dependsOn\` to be an array of binding ids.`,
        'List the ids of bindings that must run first.',
      );
    }
    for (const [index, dependency] of (options.dependsOn ?? []).entries())
      assertBindingId(dependency, `\`dependsOn[${index}]\` of "${options.id}"`);
    const policy = { ...defaultSyncPolicy, ...(options.policy ?? {}) };
    if (!['remove', 'deprecate', 'keep'].includes(policy.removal)) {
      fail(
        `Binding "${options.id}": expected \`policy.removal\` to be remove, deprecate or keep, got ${JSON.stringify(policy.removal)}.`,
        'Pick one of the three.',
      );
    }
    if (typeof policy.maxRemovalShare !== 'number' || policy.maxRemovalShare < 0 || policy.maxRemovalShare > 1) {
      fail(
        `Binding "${options.id}": expected \`policy.maxRemovalShare\` to be a number from 0 to 1, got ${JSON.stringify(policy.maxRemovalShare)}.`,
        'Use 1 to allow any share of removals.',
      );
    }
    if (typeof policy.holdOnBreaking !== 'boolean') {
      fail(
        `Binding "${options.id}": expected \`policy.holdOnBreaking\` to be a boolean, got ${JSON.stringify(policy.holdOnBreaking)}.`,
        'Use true to hold breaking changes for review.',
      );
    }
    for (const key of ['stableRuns', 'journalLimit'] as const) {
      if (!Number.isInteger(policy[key]) || policy[key] < 1) {
        fail(
          `Binding "${options.id}": expected \`policy.${key}\` to be an integer from 1 and up, got ${JSON.stringify(policy[key])}.`,
          'The default is fine for most setups.',
        );
      }
    }
    if (!Number.isInteger(policy.journalBytes) || policy.journalBytes < 0) {
      fail(
        `Binding "${options.id}": expected \`policy.journalBytes\` to be an integer from 0 and up, got ${JSON.stringify(policy.journalBytes)}.`,
        'Use 0 to keep no exact bytes (rollbacks then restore values).',
      );
    }
    return {
      id: options.id,
      source: options.source,
      target: options.target,
      policy,
      resolver: options.resolver ?? this.#resolver,
      options,
      unwatch: undefined,
    };
  }

  /** Remove a binding: its pending job is removed, a running one aborted, its watcher closed and its store records kept. */
  async removeSource(id: string): Promise<void> {
    const binding = this.#bindings.get(this.#sourceId(id));
    await this.#scheduler.unregister(id);
    if (!binding) return;
    this.#bindings.delete(id);
    await this.#stopWatching(binding);
    await binding.source.close?.();
    await binding.target.close?.();
    this.#metrics.forget(id);
    this.#review.forget(id);
    this.#emit('source:removed', () => ({ timestamp: this.#clock.now(), sourceId: id }));
  }

  async #startWatching(binding: BindingRuntime): Promise<void> {
    if (binding.unwatch || binding.options.watch === false || typeof binding.source.watch !== 'function') return;
    try {
      binding.unwatch = await binding.source.watch(() => this.#scheduler.notify(binding.id, 'watch'));
    } catch (error) {
      const failure = adapterFailure('source', binding.source.kind, error, 'starting to watch', {
        hint: 'Polling continues; see the cause.',
        details: { bindingId: binding.id },
      });
      this.#emit('error', () => ({ timestamp: this.#clock.now(), error: failure.toJSON(), sourceId: binding.id }));
    }
  }

  async #stopWatching(binding: BindingRuntime): Promise<void> {
    const unwatch = binding.unwatch;
    binding.unwatch = undefined;
    try {
      await unwatch?.();
    } catch (error) {
      const failure = adapterFailure('source', binding.source.kind, error, 'stopping its watch', { details: { bindingId: binding.id } });
      this.#emit('error', () => ({ timestamp: this.#clock.now(), error: failure.toJSON(), sourceId: binding.id }));
    }
  }

  // ── jobs ──────────────────────────────────────────────────────────────

  /**
   * Queue a run of a binding now. When a job of that binding is already
   * pending, the request joins it (and may raise its priority); returns the job.
   * Aborting `signal` gives the request up: the job is removed while pending,
   * or aborted while running, unless it also serves a request without a
   * signal (a poll, a watch, another call). An already aborted signal
   * rejects at once (`JOB_CANCELLED`, or its reason when that is a `SyncError`).
   */
  async addSyncJob(request: AddSyncJobRequest): Promise<SyncJob> {
    const valid = checkOptions<AddSyncJobRequest>('addSyncJob request', request, JOB_REQUEST_KEYS);
    this.#sourceId(valid.sourceId);
    const options = jobOptions(valid);
    const job = await this.#scheduler.enqueue(valid.sourceId, 'manual', options);
    // A manual trigger either returns a job or throws (CIRCUIT_OPEN); never undefined.
    return job as SyncJob;
  }

  /** Remove a pending job. Throws `JOB_NOT_FOUND`, or `JOB_NOT_PENDING` when it already runs. */
  async removeSyncJob(jobId: string): Promise<SyncJob> {
    return this.#scheduler.cancel(jobId);
  }

  /**
   * Run a binding now (high priority) and resolve with the result of that
   * run; rejects with its final error. `signal` works as in
   * {@link SyncEngine.addSyncJob}: aborting it rejects this call with
   * `JOB_CANCELLED` (or the signal's reason when that is a `SyncError`) and
   * removes or aborts the job when no other request holds it.
   */
  syncNow(sourceId: string, options: SyncNowOptions = {}): Promise<SyncResult> {
    try {
      this.#sourceId(sourceId);
      const valid = checkOptions<SyncNowOptions>('syncNow options', options, SYNC_NOW_KEYS);
      return this.#scheduler.run(sourceId, 'manual', jobOptions({ ...valid, priority: valid.priority ?? 'high' }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Jobs and bindings as they are now. */
  getSyncStatus(): SyncStatus {
    const bindings: BindingStatus[] = [...this.#bindings.values()].map((b) => {
      const view = this.#scheduler.status(b.id);
      return {
        id: b.id,
        sourceKind: b.source.kind,
        targetKind: b.target.kind,
        priority: b.options.priority ?? 'medium',
        intervalMs: view.intervalMs,
        dependsOn: [...(b.options.dependsOn ?? [])],
        circuit: view.circuit,
        consecutiveFailures: view.consecutiveFailures,
        restarting: view.restarting,
        nextPoll: view.nextPoll,
        lastResult: view.lastResult,
        lastError: view.lastError?.toJSON(),
      };
    });
    return { state: this.#state, jobs: this.#scheduler.jobs(), bindings };
  }

  // ── manual conflict decisions ───────────────────────────────────────

  /** Jobs held by a `manual()` resolver, waiting for {@link SyncEngine.resolveConflicts}: only the conflicts still open (not those earlier resolvers of a chain decided). */
  getPendingDecisions(): PendingDecision[] {
    return this.#pending.list();
  }

  /**
   * Answer the conflicts of a job held by the `manual()` resolver. Resolves
   * with what was taken, what was refused and why (a path that is not one of
   * the job's open conflicts, one decided twice, a bad `take`), and what
   * stays undecided (the resolver's fallback decides it). Throws
   * `JOB_NOT_FOUND` when no job with that id is waiting.
   */
  async resolveConflicts(jobId: string, decisions: readonly ConflictDecision[]): Promise<ConflictAnswer> {
    return this.#pending.answer(jobId, decisions);
  }

  // ── plans, held syncs, journal, rollback ───────────────────────────

  /** Every method that takes a binding id checks it here first: `BINDING_ID_INVALID` for an id no binding can have. */
  #sourceId(id: unknown): string {
    assertBindingId(id, 'the source id');
    return id;
  }

  #binding(id: string): BindingRuntime {
    const binding = this.#bindings.get(this.#sourceId(id));
    if (!binding) {
      throw new BindingError('BINDING_NOT_FOUND', `No binding with id "${id}".`, {
        hint: `Known bindings: ${[...this.#bindings.keys()].join(', ') || '(none)'}.`,
      });
    }
    return binding;
  }

  /**
   * Compute what a sync of a binding would do, writing nothing: the semantic
   * changes, the merged local copy, conflicts and decisions (a `manual()`
   * resolver falls back at once), and an RFC 6902 patch from the current local
   * copy to the merged one. Serialise it with `JSON.stringify` or `planToMarkdown`.
   */
  async plan(sourceId: string, options: { signal?: AbortSignal } = {}): Promise<SyncPlan> {
    const binding = this.#binding(sourceId);
    checkOptions('plan options', options, PLAN_KEYS);
    return planSync(binding, options.signal ?? new AbortController().signal, this.#deps);
  }

  /** Syncs held by a safety rail, waiting for {@link SyncEngine.approve} or {@link SyncEngine.dismiss}. */
  getHeldSyncs(): HeldSync[] {
    return this.#review.list();
  }

  /**
   * Apply a held sync despite its safety rail. Only the held remote document
   * is approved: if the remote changed since, the new one is checked (and may
   * be held) again. Resolves with the result of the run.
   */
  async approve(jobId: string): Promise<SyncResult> {
    const held = this.#review.approve(jobId);
    return this.syncNow(held.sourceId);
  }

  /** Dismiss a held sync: that remote document is not applied, and is held quietly until the remote changes. */
  async dismiss(jobId: string): Promise<void> {
    this.#review.dismiss(jobId);
  }

  /** The journal of a binding, oldest first: every applied sync and rollback, bounded by `policy.journalLimit`. */
  async getJournal(sourceId: string): Promise<JournalEntry[]> {
    const binding = this.#binding(sourceId);
    // A sync a crash interrupted is settled first (never beside a running job, whose own entry is in flight).
    if (binding.journalChecked !== true && !this.#scheduler.jobs().some((j) => j.sourceId === sourceId)) {
      await recoverBinding(binding, { store: this.#store, clock: this.#clock }, new AbortController().signal);
    }
    return getJournal(this.#store, sourceId);
  }

  /**
   * Restore the local copy and the base of a binding as they were before the
   * journal entry `toJournalId` (default: the newest), undoing it and every
   * later entry; recorded as a new `rollback` entry, which can itself be
   * rolled back. Refused (`ROLLBACK_REFUSED`) while the binding has a job, when
   * the local copy changed since the last sync (unless `force`), or when it
   * would undo the first sync.
   */
  async rollback(sourceId: string, toJournalId?: string, options: { force?: boolean } = {}): Promise<JournalEntry> {
    const binding = this.#binding(sourceId);
    checkOptions('rollback options', options, ROLLBACK_KEYS);
    if (this.#scheduler.jobs().some((j) => j.sourceId === sourceId)) {
      throw new JobError('ROLLBACK_REFUSED', `"${sourceId}" has a pending or running job.`, {
        hint: 'Wait for it (engine.onIdle()), or pause the engine, then roll back.',
        details: { sourceId, reason: 'busy' },
      });
    }
    const force = options.force ?? false;
    let entry: JournalEntry;
    if (this.#scheduler.exclusive) {
      // A scheduler shared by several processes (bullmq): no sync of the binding runs anywhere while the rollback writes.
      const done = await this.#scheduler.exclusive(sourceId, ({ fence }) =>
        rollbackBinding(binding, this.#store, this.#clock, toJournalId, force, fence),
      );
      if (!done.ran) {
        throw new JobError('ROLLBACK_REFUSED', `"${sourceId}" is being synced by another worker.`, {
          hint: 'Wait for that sync to end (a few seconds at most), then roll back.',
          details: { sourceId, reason: 'busy' },
        });
      }
      entry = done.value;
    } else {
      entry = await rollbackBinding(binding, this.#store, this.#clock, toJournalId, force);
    }
    this.#emit('sync:rolled-back', () => ({
      timestamp: this.#clock.now(),
      sourceId,
      journalId: entry.id,
      rolledBack: entry.rolledBack ?? '',
      hash: entry.hash,
    }));
    return entry;
  }

  /** The lasting decisions of a binding (ignored operations, keep-mine paths, tombstones). */
  async getDecisions(sourceId: string): Promise<BindingDecisions> {
    this.#binding(sourceId);
    return getDecisions(this.#store, sourceId);
  }

  /** Change the lasting decisions of a binding; lists given replace the stored ones. */
  async updateDecisions(sourceId: string, update: Partial<BindingDecisions>): Promise<BindingDecisions> {
    this.#binding(sourceId);
    const current = await getDecisions(this.#store, sourceId);
    const file = validateDecisionsFile({
      format: 'api-live-sync/decisions',
      version: 1,
      bindings: { [sourceId]: { ...current, ...update } },
    });
    await setDecisions(this.#store, sourceId, file.bindings[sourceId] ?? emptyDecisions());
    return getDecisions(this.#store, sourceId);
  }

  /** Every binding's lasting decisions as one JSON-serialisable file, to share with the collection. */
  async exportDecisions(): Promise<DecisionsFile> {
    const bindings: Record<string, BindingDecisions> = {};
    for (const id of [...this.#bindings.keys()].sort()) bindings[id] = await getDecisions(this.#store, id);
    return { format: 'api-live-sync/decisions', version: 1, bindings };
  }

  /** Import a decisions file: validated first (`CONFIG_INVALID` or `BINDING_ID_INVALID`, nothing changed), then each listed binding's decisions replaced. */
  async importDecisions(file: unknown): Promise<void> {
    const valid = validateDecisionsFile(file);
    for (const [id, decisions] of Object.entries(valid.bindings))
      await setDecisions(this.#store, id, { ...emptyDecisions(), ...decisions });
  }

  // ── configuration ─────────────────────────────────────────────────────

  /** A copy of the live configuration. */
  getConfig(): SyncEngineConfig {
    return structuredClone(this.#config);
  }

  /**
   * Validate and apply a partial configuration live: concurrency at once,
   * intervals from the next tick, retry policy from the next failure.
   * Emits `config:updated` when something changed. Invalid input throws
   * `CONFIG_INVALID` and changes nothing.
   */
  async updateConfig(update: SyncEngineConfigUpdate): Promise<SyncEngineConfig> {
    const next = resolveConfig(this.#config, update);
    const changed = changedKeys(this.#config, next);
    if (changed.length === 0) return this.getConfig();
    const previous = this.#config;
    this.#config = next;
    this.#scheduler.configure(next);
    if (changed.includes('metricsIntervalMs')) this.#scheduleMetrics();
    this.#emit('config:updated', () => ({
      timestamp: this.#clock.now(),
      previous: structuredClone(previous),
      config: structuredClone(next),
      changed,
    }));
    return this.getConfig();
  }

  // ── metrics ───────────────────────────────────────────────────────────

  /** Counters and latencies, in total and per binding. */
  getMetrics(): SyncEngineMetrics {
    const { total, perSource } = this.#metrics.snapshot();
    const counts = this.#scheduler.counts();
    return {
      ...total,
      activeJobs: counts.running,
      queueLength: counts.pending,
      uptime: this.#startedAt === undefined ? 0 : this.#clock.now() - this.#startedAt,
      perSource,
    };
  }

  /** {@link SyncEngine.getMetrics} in the Prometheus text exposition format. */
  toPrometheusText(): string {
    return toPrometheusText(this.getMetrics());
  }

  #scheduleMetrics(): void {
    if (this.#metricsTimer !== undefined) this.#clock.clearTimeout(this.#metricsTimer);
    this.#metricsTimer = undefined;
    const every = this.#config.metricsIntervalMs;
    if (every <= 0 || (this.#state !== 'running' && this.#state !== 'paused')) return;
    this.#metricsTimer = this.#clock.setTimeout(() => {
      this.#metricsTimer = undefined;
      this.#emit('metrics', () => ({ timestamp: this.#clock.now(), metrics: this.getMetrics() }));
      this.#scheduleMetrics();
    }, every);
  }

  /** The store the engine persists to. */
  get store(): SyncStore {
    return this.#userStore;
  }
}
