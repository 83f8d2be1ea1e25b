/**
 * The distributed scheduler: the engine's scheduler seam over a BullMQ
 * queue on Redis, so that any number of engines (processes, machines) share
 * their bindings. Every engine is a producer (its triggers add jobs) and a
 * consumer (its BullMQ worker runs jobs of any binding it knows).
 *
 * - Intervals are BullMQ job schedulers, one per binding, upserted with the
 *   binding's id: N engines registering the same binding make one schedule.
 * - Triggers add a job deduplicated by binding (`keepLastIfActive`): at most
 *   one waiting job per binding from triggers, and a trigger while a job
 *   runs makes one follow-up that waits for it.
 * - Before running, the worker takes the binding's lease (`acquireLease`),
 *   renews it while the sync runs and releases it after; when the lease is
 *   held elsewhere the job is delayed, never run beside the holder. A sync
 *   whose lease cannot be renewed is aborted with `STALE_LEASE`, and every
 *   `RedisStore` write of the sync carries the lease's fencing token (see
 *   lease-scope.ts), refused with `STALE_LEASE` once a newer lease exists.
 * - Retries keep the engine's semantics: the delay is ours (full jitter,
 *   cap, `retryAfterMs`), applied as a BullMQ delay on the same job.
 *
 * See docs/scale-out.md for what is guaranteed and what is not.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Queue, WaitingError, Worker, type Job, type ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import {
  BindingError,
  ConfigError,
  JobError,
  StoreError,
  describeThrown,
  isSyncError,
  syncErrorOf,
  toSyncError,
  type SerializedSyncError,
  type SyncError,
} from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import {
  backoffDelay,
  bindingExists,
  bindingNotFound,
  checkDependencies,
  jobNotFound,
  neededBy,
  restartDelay,
  type CircuitTransition,
  jobTransitionEvent,
  type JobState,
  type BindingScheduleView,
  type EnqueueOptions,
  type JobPriority,
  type JobTrigger,
  type RunOptions,
  type RunResult,
  type ScheduledBinding,
  type Scheduler,
  type SchedulerConfig,
  type SchedulerContext,
  type SchedulerEvents,
  type SchedulerFactory,
  type SyncJob,
} from '../scheduler/index.js';
import { assertPrefix } from './keys.js';
import { withLease } from './lease-scope.js';
import { acquireLease, acquireLeaseReading, readLease, releaseLease, renewLease, type Lease } from './lease.js';
import { leaseFence } from './fence.js';
import { BindingConfigs } from './binding-config.js';
import { RemoteEvents } from './remote-events.js';
import { SharedCircuit, type CircuitReading } from './shared-circuit.js';

/** Options of {@link bullmqScheduler}. */
export interface BullmqSchedulerOptions {
  /** The Redis server as a `redis://` / `rediss://` URL. Give this or `connection`. */
  url?: string;
  /** The Redis server as ioredis options (`{ host, port, password, … }`). Give this or `url`. */
  connection?: RedisOptions;
  /**
   * The key prefix of the deployment: the BullMQ queue's prefix and the
   * prefix of the leases (use the same as the `RedisStore`'s). Default
   * `"api-live-sync"`.
   */
  prefix?: string;
  /** This worker's id in leases and job records; unique per process. Default `${hostname()}:${pid}:<random>`. */
  workerId?: string;
  /**
   * How long a lease and a BullMQ job lock last unless renewed, in
   * milliseconds (both are renewed at a third of it while a sync runs). A
   * worker that dies holds its bindings this long. Default 30000; from 1000 up.
   */
  leaseTtlMs?: number;
}

const OPTION_KEYS = optionKeys<BullmqSchedulerOptions>()(['url', 'connection', 'prefix', 'workerId', 'leaseTtlMs']);

/** The job name every sync job has in the queue. */
const JOB_NAME = 'sync';

/** The queue's name under the prefix (cluster-status.ts reads it too). */
export const QUEUE_NAME = 'sync';

/** BullMQ priorities: 1 is the highest. */
const BULLMQ_PRIORITY: Record<JobPriority, number> = { high: 1, medium: 2, low: 3 };

/** The store records every sync reads first (`RedisStore` fields): read with the lease, in its script. */
const FIRST_READS = ['journal.pending', 'validators'];

/** How long a job waits when its binding's lease is held, at most, in milliseconds. */
const LEASE_WAIT_MAX_MS = 1000;

/** How long a dependent's job is put back while a dependency is busy, in milliseconds. */
const DEPENDENCY_WAIT_MS = 100;

/** How many times a job for a binding this worker does not know is put back before it fails. */
const UNKNOWN_BINDING_TRIES = 20;

/** What a job carries in the queue. */
interface JobData {
  bindingId: string;
  trigger: JobTrigger;
  priority: JobPriority;
  /** Retries already spent (set by the worker that scheduled the retry). */
  retryCount?: number;
  /** Times a worker that did not know the binding put it back. */
  misses?: number;
  /** Retries spent waiting out a restart: counted in `retryCount`, never against `maxRetries`. */
  restartRetries?: number;
  /** The error the job failed with, for the callers on other workers. */
  error?: SerializedSyncError;
  /** When the failed run started (its worker's clock): it serves the callers that asked before. */
  failedRunStartedAt?: number;
}

/** What a job returns in the queue: the run's result and when the run started (worker clock), or that it was skipped because its binding's circuit is open. */
type JobReturn<Result> =
  | { result: Result; startedAt: number; workerId: string; skipped?: undefined }
  | { skipped: 'circuit-open'; bindingId: string; at: number; workerId: string };

/** A `run()` caller: resolved by the first run of the binding that started after `since`. */
interface Waiter<Result> {
  since: number;
  resolve: (result: Result) => void;
  reject: (error: SyncError) => void;
}

interface BindingState<Result> {
  spec: ScheduledBinding;
  /** The shared circuit as this process last read or changed it. */
  circuit: CircuitReading;
  lastResult: Result | undefined;
  lastError: SyncError | undefined;
  dueWhilePaused: boolean;
  waiters: Array<Waiter<Result>>;
}

/** A job this process knows: added here, or running here. */
interface LocalJob {
  job: SyncJob;
  state: JobState;
  controller: AbortController | undefined;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** Resolve the options at the edge: exactly one of `url` and `connection`, a usable prefix, worker id and TTL. */
function resolveOptions(options: BullmqSchedulerOptions): {
  redis: (kind?: 'bullmq' | 'lease') => Redis;
  prefix: string;
  workerId: string;
  leaseTtlMs: number;
  where: string;
} {
  checkOptions('bullmqScheduler options', options, OPTION_KEYS);
  const { url, connection } = options;
  if ((url === undefined) === (connection === undefined)) {
    throw new ConfigError(`Expected exactly one of \`url\` and \`connection\`, got ${url === undefined ? 'neither' : 'both'}.`, {
      hint: 'Pass url: "redis://127.0.0.1:6379", or connection: { host: "127.0.0.1", port: 6379 }.',
    });
  }
  if (url !== undefined && !(typeof url === 'string' && /^rediss?:\/\//.test(url))) {
    throw new ConfigError(`Expected \`url\` to be a redis:// or rediss:// URL, got ${describe(url)}.`, {
      hint: 'For example "redis://127.0.0.1:6379".',
    });
  }
  if (connection !== undefined && (typeof connection !== 'object' || connection === null || Array.isArray(connection))) {
    throw new ConfigError(`Expected \`connection\` to be ioredis options, got ${describe(connection)}.`, {
      hint: 'For example { host: "127.0.0.1", port: 6379 }.',
    });
  }
  const prefix = options.prefix ?? 'api-live-sync';
  assertPrefix(prefix);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (!(typeof workerId === 'string' && workerId.length >= 1 && workerId.length <= 200 && !/[\s\p{Cc}]/u.test(workerId))) {
    throw new ConfigError(`Expected \`workerId\` to be 1 to 200 characters without white space, got ${describe(workerId)}.`, {
      hint: 'Leave it out for `${hostname}:${pid}:<random>`.',
    });
  }
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  if (!(Number.isSafeInteger(leaseTtlMs) && leaseTtlMs >= 1000)) {
    throw new ConfigError(`Expected \`leaseTtlMs\` to be a whole number of milliseconds from 1000 up, got ${describe(leaseTtlMs)}.`, {
      hint: 'Leave it out for 30000.',
    });
  }
  // BullMQ needs clients that retry commands forever (maxRetriesPerRequest: null) for its blocking reads.
  const settings = { maxRetriesPerRequest: null, connectionName: `api-live-sync:${workerId}`, replyMapping: 'legacy' } as const;
  // The lease client fails a command after one reconnection attempt and within 15 s instead: a lease
  // that cannot be taken or renewed must fail the sync, not hang it.
  const leaseSettings = {
    maxRetriesPerRequest: 1,
    commandTimeout: 15_000,
    connectionName: `api-live-sync:${workerId}:lease`,
    replyMapping: 'legacy',
  } as const;
  const redis = (kind: 'bullmq' | 'lease' = 'bullmq'): Redis => {
    const own = kind === 'lease' ? leaseSettings : settings;
    const client = url !== undefined ? new Redis(url, own) : new Redis({ ...(connection as Omit<RedisOptions, 'replyMapping'>), ...own });
    client.on('error', () => undefined); // reported through the commands that fail
    return client;
  };
  const where =
    url !== undefined ? url.replace(/\/\/[^@/]*@/, '//') : `redis://${connection!.host ?? 'localhost'}:${connection!.port ?? 6379}`;
  return { redis, prefix, workerId, leaseTtlMs, where };
}

/**
 * A scheduler factory for the engine's `scheduler` option: the engine's jobs
 * run through a BullMQ queue on Redis, shared by every engine built with
 * the same server and `prefix` (see docs/scale-out.md). Give every engine
 * the same bindings (same ids, same configuration) and a `RedisStore` with
 * the same prefix.
 *
 * Compared with the in-process scheduler: `jobs()` and `counts()` show this
 * process's jobs (added or running here); the circuit breaker and the
 * restart grace period are shared by every worker through Redis;
 * a dependent waits while a dependency is busy on any worker.
 *
 * @example
 * ```ts
 * import { SyncEngine } from 'api-live-sync';
 * import { RedisStore, bullmqScheduler } from 'api-live-sync/redis';
 *
 * const engine = new SyncEngine({
 *   store: new RedisStore({ redis: 'redis://127.0.0.1:6379', prefix: 'als' }),
 *   scheduler: bullmqScheduler({ url: 'redis://127.0.0.1:6379', prefix: 'als' }),
 * });
 * ```
 */
export function bullmqScheduler<Result extends RunResult = RunResult>(options: BullmqSchedulerOptions): SchedulerFactory<Result> {
  const resolved = resolveOptions(options);
  return (context) => new BullmqScheduler<Result>(context, resolved);
}

/** The connections of a started scheduler; closed by `stop`. */
interface Open {
  queue: Queue;
  /** The queue's events, read while this process waits on another (a job it queued, a caller of `run()`). */
  events: RemoteEvents;
  worker: Worker | undefined;
  lease: Redis;
  circuits: SharedCircuit;
  clients: Redis[];
  /** This worker's configuration records of its bindings (one configuration per binding id across workers). */
  configs: BindingConfigs;
}

class BullmqScheduler<Result extends RunResult> implements Scheduler<Result> {
  readonly #context: SchedulerContext<Result>;
  readonly #options: ReturnType<typeof resolveOptions>;
  readonly #bindings = new Map<string, BindingState<Result>>();
  /** Jobs this process added (pending) or runs (running), by BullMQ job id. */
  readonly #local = new Map<string, LocalJob>();
  #config: SchedulerConfig;
  #open: Open | undefined;
  #opening: Promise<Open> | undefined;
  #started = false;
  #paused = false;
  #stopping = false;
  /** Jobs on their way to the queue from here (`onIdle` waits for them). */
  #adding = 0;

  constructor(context: SchedulerContext<Result>, options: ReturnType<typeof resolveOptions>) {
    this.#context = context;
    this.#options = options;
    this.#config = context.config;
  }

  // ── connections ───────────────────────────────────────────────────────

  /** The queue, its events and the lease client, made on first use. */
  #connect(): Promise<Open> {
    if (this.#open) return Promise.resolve(this.#open);
    this.#opening ??= (async () => {
      const { prefix } = this.#options;
      const clients = [this.#options.redis(), this.#options.redis('lease')];
      const [queueClient, lease] = clients as [Redis, Redis];
      const queue = new Queue(QUEUE_NAME, { connection: queueClient as ConnectionOptions, prefix });
      queue.on('error', () => undefined);
      try {
        // The lease client answers (or fails) first when Redis is down; BullMQ's clients would wait for it.
        await lease.ping();
        await queue.waitUntilReady();
      } catch (error) {
        // Not awaited: BullMQ's close waits for a connection that is not coming.
        void queue.close().catch(() => undefined);
        for (const client of clients) client.disconnect();
        this.#opening = undefined;
        throw new StoreError(
          'STORE_READ_FAILED',
          `Could not reach Redis at ${this.#options.where}: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
            retryable: true,
            hint: `Check that Redis runs and answers at ${this.#options.where}.`,
            details: { redis: this.#options.where },
          },
        );
      }
      const { workerId, leaseTtlMs: ttlMs, where } = this.#options;
      const configs = new BindingConfigs(lease, { prefix, workerId, ttlMs, where });
      const events = new RemoteEvents({
        queue: QUEUE_NAME,
        prefix,
        client: () => this.#options.redis(),
        handlers: {
          completed: (jobId, returnvalue) => this.#remoteCompleted(jobId, returnvalue),
          failed: (jobId, failedReason) => void this.#remoteFailed(jobId, failedReason),
        },
        waiting: () => this.#waitsOnOthers(),
        idleMs: ttlMs,
      });
      this.#open = { queue, events, worker: undefined, lease, circuits: new SharedCircuit(lease, prefix), clients, configs };
      // Registered before a stop and a new start: recorded again.
      for (const state of this.#bindings.values()) configs.adopt(state.spec.id, state.spec.configHash);
      return this.#open;
    })();
    return this.#opening;
  }

  /** Start this process's BullMQ worker (once). */
  #startWorker(open: Open): void {
    if (open.worker) return;
    const client = this.#options.redis();
    open.clients.push(client);
    const ttl = this.#options.leaseTtlMs;
    open.worker = new Worker(QUEUE_NAME, (job, token) => this.#process(job, token), {
      connection: client as ConnectionOptions,
      prefix: this.#options.prefix,
      concurrency: this.#config.concurrency,
      lockDuration: ttl,
      stalledInterval: ttl,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
      autorun: !this.#paused,
      name: this.#options.workerId,
    });
    open.worker.on('error', () => undefined);
  }

  // ── bindings ──────────────────────────────────────────────────────────

  configure(config: SchedulerConfig): void {
    const intervalChanged = config.defaultIntervalMs !== this.#config.defaultIntervalMs;
    this.#config = config;
    if (this.#open?.worker) this.#open.worker.concurrency = config.concurrency;
    if (intervalChanged && this.#started) {
      for (const state of this.#bindings.values())
        if (state.spec.intervalMs === undefined) void this.#schedule(state).catch(() => undefined);
    }
  }

  async register(spec: ScheduledBinding): Promise<void> {
    if (this.#bindings.has(spec.id)) {
      throw bindingExists(spec.id);
    }
    checkDependencies(spec, (id) => this.#bindings.get(id)?.spec.dependsOn);
    const state: BindingState<Result> = {
      spec: { ...spec, dependsOn: [...spec.dependsOn] },
      circuit: CLOSED,
      lastResult: undefined,
      lastError: undefined,
      dueWhilePaused: false,
      waiters: [],
    };
    // Taken before the first await, so a second registration of the id meanwhile is refused.
    this.#bindings.set(spec.id, state);
    try {
      // Jobs run before `start` too (syncNow): the worker starts with the first binding.
      const open = await this.#connect();
      await open.configs.claim(spec.id, spec.configHash);
      this.#startWorker(open);
    } catch (error) {
      if (this.#bindings.get(spec.id) === state) this.#bindings.delete(spec.id);
      throw error;
    }
  }

  /**
   * Remove a binding from this process: its local jobs are removed or
   * aborted, its job scheduler is removed from the deployment (the
   * deployment no longer polls it; jobs of it other engines still know run there).
   */
  async unregister(id: string): Promise<void> {
    const state = this.#require(id);
    const dependents = this.#dependentsOf(id);
    if (dependents.length > 0) throw neededBy(id, dependents);
    this.#bindings.delete(id);
    const open = this.#open;
    const running: Array<Promise<unknown>> = [];
    for (const [jobId, local] of this.#local) {
      if (local.job.sourceId !== id) continue;
      const reason = new JobError('JOB_CANCELLED', `Binding "${id}" was removed.`);
      if (local.state === 'pending') {
        await open?.queue.remove(jobId).catch(() => 0);
        this.#settle(jobId, local, 'removed', { reason: 'source-removed' });
      } else if (local.state === 'running') {
        local.controller?.abort(reason);
        running.push(this.#whenGone(jobId));
      }
    }
    for (const waiter of state.waiters) waiter.reject(new JobError('JOB_CANCELLED', `Binding "${id}" was removed.`));
    state.waiters = [];
    await open?.queue.removeJobScheduler(schedulerId(id)).catch(() => false);
    await Promise.all(running);
    await open?.configs.release(id);
  }

  has(id: string): boolean {
    return this.#bindings.has(id);
  }

  /** Ids of the bindings registered here that depend on `id`. */
  #dependentsOf(id: string): string[] {
    return [...this.#bindings.values()].filter((state) => state.spec.dependsOn.includes(id)).map((state) => state.spec.id);
  }

  /**
   * Whether a dependency is busy anywhere in the deployment, as a pending or
   * running job makes it busy in one process: a worker holds its lease (a
   * sync runs), or its triggered job waits in the queue (waiting, or delayed
   * for a retry). One round trip per dependency; a tick of its schedule that
   * has not started is not seen.
   */
  async #dependencyBusy(open: Open, id: string): Promise<boolean> {
    const [held, jobId] = await Promise.all([
      readLease(open.lease, id, { prefix: this.#options.prefix }),
      open.queue.getDeduplicationJobId(dedupId(id)),
    ]);
    if (held.lease !== undefined) return true;
    if (jobId === null) return false;
    const state = await open.queue.getJobState(jobId);
    return state === 'waiting' || state === 'prioritized' || state === 'delayed' || state === 'active' || state === 'waiting-children';
  }

  #require(id: string): BindingState<Result> {
    const state = this.#bindings.get(id);
    if (!state) throw bindingNotFound(id, this.#bindings.keys());
    return state;
  }

  // ── triggers ──────────────────────────────────────────────────────────

  async enqueue(id: string, trigger: JobTrigger, options: EnqueueOptions = {}): Promise<SyncJob | undefined> {
    return this.#add(id, trigger, options);
  }

  async run(id: string, trigger: JobTrigger, options: EnqueueOptions = {}): Promise<Result> {
    const state = this.#require(id);
    const since = Date.now();
    const job = await this.#add(id, trigger, options);
    if (!job) throw new JobError('CIRCUIT_OPEN', `The circuit of "${id}" is open.`);
    return new Promise<Result>((resolve, reject) => {
      const waiter: Waiter<Result> = { since, resolve, reject };
      state.waiters.push(waiter);
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void => {
          state.waiters = state.waiters.filter((w) => w !== waiter);
          reject(abortReason(signal.reason, id));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const settle =
          <T>(fn: (value: T) => void) =>
          (value: T): void => {
            signal.removeEventListener('abort', onAbort);
            fn(value);
          };
        waiter.resolve = settle(resolve);
        waiter.reject = settle(reject);
      }
    });
  }

  notify(id: string, trigger: JobTrigger): void {
    const state = this.#bindings.get(id);
    if (!state || this.#stopping) return;
    if (this.#paused) {
      state.dueWhilePaused = true;
      return;
    }
    void this.#add(id, trigger, {}).catch((error: unknown) => this.#unqueued(id, trigger, error));
  }

  /**
   * An automatic trigger that could not reach the queue (Redis down): no job
   * exists, so no job event; it becomes the binding's last error (what
   * `getSyncStatus()` shows) until a run of the binding ends.
   */
  #unqueued(id: string, trigger: JobTrigger, error: unknown): void {
    const state = this.#bindings.get(id);
    if (state) state.lastError = toSyncError(error, { code: 'JOB_FAILED', message: `Could not queue a ${trigger} job of "${id}"` });
  }

  async #add(id: string, trigger: JobTrigger, options: EnqueueOptions): Promise<SyncJob | undefined> {
    this.#adding += 1;
    try {
      return await this.#addNow(id, trigger, options);
    } finally {
      this.#adding -= 1;
    }
  }

  async #addNow(id: string, trigger: JobTrigger, options: EnqueueOptions): Promise<SyncJob | undefined> {
    const state = this.#require(id);
    if (options.signal?.aborted) throw abortReason(options.signal.reason, id);
    if (this.#stopping) {
      throw new JobError('ENGINE_STOPPED', 'The engine is stopping; no new jobs start.', {
        hint: 'Wait for `stopSync()` to settle, then start again.',
      });
    }
    const open = await this.#connect();
    // Jobs run before a start, and after a stop (as the in-process scheduler runs them): this process works too.
    this.#startWorker(open);
    // The circuit every worker shares: an open one skips automatic triggers and refuses manual ones.
    const circuit = await this.#readCircuit(open, state);
    if (circuit.state === 'open') {
      if (trigger !== 'manual') return undefined;
      throw circuitOpen(id, circuit);
    }
    const priority = options.priority ?? state.spec.priority;
    const data: JobData = { bindingId: id, trigger, priority };
    const ownId = randomUUID();
    // Known before it is in the queue: this process's worker may take it before `add` returns (it then reports `job:queued` first).
    const local: LocalJob = {
      job: syncJob(ownId, data, this.#maxRetries(state), this.#context.clock.now(), 'pending'),
      state: 'new',
      controller: undefined,
    };
    let added: Job;
    try {
      // Another worker may run it: what it returns comes back through the queue's events.
      await open.events.ensure();
      this.#local.set(ownId, local);
      added = await open.queue.add(JOB_NAME, data, {
        jobId: ownId,
        priority: BULLMQ_PRIORITY[priority],
        deduplication: { id: dedupId(id), keepLastIfActive: true },
      });
    } catch (error) {
      this.#local.delete(ownId);
      throw error;
    }
    const jobId = String(added.id);
    const now = this.#context.clock.now();
    // A deduplicated add returns the id of the job it joined (waiting, or running with this request kept for the follow-up).
    if (jobId !== ownId) {
      this.#local.delete(ownId);
      if (options.priority !== undefined) await this.#raisePriority(open, jobId, options.priority);
      const joined = this.#local.get(jobId)?.job ?? syncJob(jobId, data, this.#maxRetries(state), now, 'pending');
      this.#context.hooks.emit('job:coalesced', () => ({ timestamp: now, job: { ...joined }, trigger }));
      return { ...joined };
    }
    if (local.state === 'new') this.#transition(local, 'pending', {}, now);
    return { ...local.job };
  }

  /** Raise a waiting job's priority to `priority` (a smaller BullMQ number) when it is lower; a job that started meanwhile is left alone. */
  async #raisePriority(open: Open, jobId: string, wanted: JobPriority): Promise<void> {
    const priority = BULLMQ_PRIORITY[wanted];
    const job = await open.queue.getJob(jobId);
    if (!job || (job.priority > 0 && job.priority <= priority)) return;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return;
    try {
      await job.changePriority({ priority });
      await job.updateData({ ...(job.data as JobData), priority: wanted });
    } catch {
      return; // it started meanwhile
    }
    const local = this.#local.get(jobId);
    if (local?.state === 'pending') local.job.priority = wanted;
  }

  #maxRetries(state: BindingState<Result>): number {
    return state.spec.maxRetries ?? this.#config.retry.maxRetries;
  }

  async cancel(jobId: string): Promise<SyncJob> {
    const open = await this.#connect();
    const job = await open.queue.getJob(jobId);
    if (!job) throw jobNotFound(jobId);
    let status = await job.getState();
    // A job the engine has not started may be active for a moment: a worker's fetch that was under way
    // when this one paused took it, and puts it back. Wait for that (up to a second) before refusing.
    for (let tries = 0; status === 'active' && this.#local.get(jobId)?.state === 'pending' && tries < 20; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await job.getState();
    }
    if (status === 'active') {
      throw new JobError('JOB_NOT_PENDING', `Job ${jobId} is already running and cannot be removed.`, {
        hint: 'Wait for it, or stop the engine to abort it.',
      });
    }
    if (status === 'completed' || status === 'failed') throw jobNotFound(jobId, true);
    await job.remove();
    const data = job.data as JobData;
    const local = this.#local.get(jobId) ?? {
      job: syncJob(jobId, data, 0, job.timestamp, 'pending'),
      state: 'pending' as JobState,
      controller: undefined,
    };
    this.#settle(jobId, local, 'removed', { reason: 'cancelled' });
    const state = this.#bindings.get(data.bindingId);
    if (state) {
      for (const waiter of state.waiters) waiter.reject(new JobError('JOB_CANCELLED', `Job ${jobId} was removed.`));
      state.waiters = [];
    }
    return { ...local.job };
  }

  // ── lifecycle ─────────────────────────────────────────────────────────

  start(): void {
    this.#started = true;
    void this.#connect()
      .then((open) => {
        if (!this.#started) return;
        this.#startWorker(open);
        for (const state of this.#bindings.values()) this.#startOne(state);
      })
      .catch((error: unknown) => {
        for (const id of this.#bindings.keys()) this.#unqueued(id, 'start', error);
      });
  }

  startBinding(id: string): void {
    if (!this.#started) return;
    const state = this.#require(id);
    void this.#connect().then(
      (open) => {
        this.#startWorker(open);
        this.#startOne(state);
      },
      () => undefined,
    );
  }

  #startOne(state: BindingState<Result>): void {
    void this.#schedule(state).catch((error: unknown) => this.#unqueued(state.spec.id, 'interval', error));
    if (this.#config.syncOnStart) this.notify(state.spec.id, 'start');
  }

  /** Upsert the binding's job scheduler (idempotent: the same id and interval from N engines is one schedule), or remove it for interval 0. */
  async #schedule(state: BindingState<Result>): Promise<void> {
    const open = await this.#connect();
    const every = state.spec.intervalMs ?? this.#config.defaultIntervalMs;
    const id = schedulerId(state.spec.id);
    if (every <= 0) {
      await open.queue.removeJobScheduler(id);
      return;
    }
    // An engine joining a deployment keeps the schedule it finds (same interval): one schedule per binding, not reset by each start.
    const existing = await open.queue.getJobScheduler(id);
    if (existing !== undefined && existing.every === every) return;
    const data: JobData = { bindingId: state.spec.id, trigger: 'interval', priority: state.spec.priority };
    // The first tick one interval from now, as in one process (BullMQ's `every` would run one at once; the start sync is `syncOnStart`'s).
    await open.queue.upsertJobScheduler(
      id,
      { every, startDate: Date.now() + every },
      { name: JOB_NAME, data, opts: { priority: BULLMQ_PRIORITY[state.spec.priority] } },
    );
  }

  async stop(graceMs: number): Promise<number> {
    this.#stopping = true;
    this.#started = false;
    const open = this.#open ?? (this.#opening ? await this.#opening.catch(() => undefined) : undefined);
    for (const [jobId, local] of this.#local) {
      if (local.state === 'pending') {
        await open?.queue.remove(jobId).catch(() => 0);
        this.#settle(jobId, local, 'removed', { reason: 'engine-stopped' });
      }
    }
    for (const state of this.#bindings.values()) {
      state.dueWhilePaused = false;
      for (const waiter of state.waiters) waiter.reject(new JobError('ENGINE_STOPPED', 'The engine stopped before this job ran.'));
      state.waiters = [];
    }
    const reason = new JobError('ENGINE_STOPPED', 'The engine is stopping.');
    const running = [...this.#local].filter(([, local]) => local.state === 'running');
    for (const [, local] of running) local.controller?.abort(reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running.map(([jobId]) => this.#whenGone(jobId))), grace]);
    clearTimeout(timer);
    const unfinished = [...this.#local.values()].filter((local) => local.state === 'running').length;
    if (open) {
      // A worker closing with jobs still running would wait for them: force it past the grace period.
      await Promise.allSettled([open.worker?.close(unfinished > 0), open.events.close(), open.queue.close(), open.configs.close()]);
      for (const client of open.clients) client.disconnect();
    }
    this.#open = undefined;
    this.#opening = undefined;
    this.#stopping = false;
    this.#paused = false;
    return unfinished;
  }

  pause(): void {
    this.#paused = true;
    void this.#open?.worker?.pause(true).catch(() => undefined);
  }

  resume(): string[] {
    this.#paused = false;
    const due: string[] = [];
    for (const state of this.#bindings.values()) {
      if (!state.dueWhilePaused) continue;
      state.dueWhilePaused = false;
      due.push(state.spec.id);
      this.notify(state.spec.id, 'resume');
    }
    void this.#open?.worker?.resume().catch(() => undefined);
    return due;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Resolves when no job of this deployment runs or waits to run, and none is on its way to the queue from here (delayed jobs, such as retries and schedules, do not count), checked every 50 ms. */
  async onIdle(): Promise<void> {
    const open = this.#open ?? (this.#opening ? await this.#opening.catch(() => undefined) : undefined);
    if (!open) return;
    for (;;) {
      const running = this.#adding > 0 || [...this.#local.values()].some((local) => local.state === 'running');
      if (!running) {
        const counts = await open.queue.getJobCounts('active', 'wait', 'prioritized');
        if (Object.values(counts).every((n) => n === 0)) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (this.#open !== open) return;
    }
  }

  jobs(): SyncJob[] {
    const list = [...this.#local.values()]
      .filter((local) => local.state === 'pending' || local.state === 'running')
      .map((local) => ({ ...local.job }));
    const rank = (j: SyncJob): number => (j.status === 'running' ? 10 : 0) + (3 - BULLMQ_PRIORITY[j.priority]);
    return list.sort((a, b) => rank(b) - rank(a) || a.createdAt - b.createdAt);
  }

  counts(): { running: number; pending: number } {
    let running = 0;
    let pending = 0;
    for (const local of this.#local.values()) {
      if (local.state === 'running') running += 1;
      else if (local.state === 'pending') pending += 1;
    }
    return { running, pending };
  }

  status(id: string): BindingScheduleView<Result> {
    const state = this.#require(id);
    const restart = state.circuit.restart;
    const graceEndsAt = restart === undefined ? 0 : restart.since + this.#graceOf(state);
    return {
      circuit: state.circuit.state,
      consecutiveFailures: state.circuit.failures,
      intervalMs: state.spec.intervalMs ?? this.#config.defaultIntervalMs,
      nextPoll: undefined,
      lastResult: state.lastResult,
      lastError: this.#open?.configs.conflict(id) ?? state.lastError,
      // Times of the Redis server's clock, compared with this machine's.
      restarting: restart !== undefined && Date.now() < graceEndsAt ? { since: restart.since, graceEndsAt } : undefined,
    };
  }

  // ── events ────────────────────────────────────────────────────────────

  /** Change a local job's status through the transition table and emit its event. */
  #transition(local: LocalJob, to: Exclude<JobState, 'new'>, extra: Record<string, unknown>, at: number = this.#context.clock.now()): void {
    const event = jobTransitionEvent(local.state, to, local.job.id);
    local.state = to;
    if (to !== 'removed') local.job.status = to;
    const hooks = this.#context.hooks;
    if (hooks.listening())
      hooks.emit(event, () => ({ timestamp: at, job: { ...local.job }, ...extra }) as SchedulerEvents<Result>[typeof event]);
  }

  /** A local job ended (or left this process): its last transition, then it is forgotten. */
  #settle(jobId: string, local: LocalJob, to: 'completed' | 'failed' | 'removed', extra: Record<string, unknown>): void {
    this.#transition(local, to, extra);
    this.#local.delete(jobId);
    const waiters = this.#gone.get(jobId);
    this.#gone.delete(jobId);
    if (waiters) for (const resolve of waiters) resolve();
  }

  readonly #gone = new Map<string, Array<() => void>>();

  #whenGone(jobId: string): Promise<void> {
    if (!this.#local.has(jobId)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.#gone.get(jobId) ?? [];
      list.push(resolve);
      this.#gone.set(jobId, list);
    });
  }

  /** Resolve the `run()` callers of a binding that a run started at `startedAt` serves. */
  #resolveWaiters(bindingId: string, startedAt: number, result: Result): void {
    const state = this.#bindings.get(bindingId);
    if (!state || state.waiters.length === 0) return;
    const served = state.waiters.filter((w) => w.since <= startedAt);
    state.waiters = state.waiters.filter((w) => w.since > startedAt);
    for (const waiter of served) waiter.resolve(result);
  }

  /** Reject the `run()` callers of a binding that a failed run started at `startedAt` served (every caller when the start is not known). */
  #rejectWaiters(bindingId: string, error: SyncError, startedAt = Number.POSITIVE_INFINITY): void {
    const state = this.#bindings.get(bindingId);
    if (!state || state.waiters.length === 0) return;
    const served = state.waiters.filter((w) => w.since <= startedAt);
    state.waiters = state.waiters.filter((w) => w.since > startedAt);
    for (const waiter of served) waiter.reject(error);
  }

  async exclusive<T>(id: string, work: (options: RunOptions) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    this.#require(id);
    const open = await this.#connect();
    const ttl = this.#options.leaseTtlMs;
    const lease = await acquireLease(open.lease, id, { prefix: this.#options.prefix, owner: this.#options.workerId, ttlMs: ttl });
    if (!lease) return { ran: false };
    // Renewed while the work runs; a lost lease makes its fenced writes fail with STALE_LEASE.
    const renew = setInterval(() => void renewLease(open.lease, lease).catch(() => false), Math.max(100, Math.floor(ttl / 3)));
    try {
      return { ran: true, value: await withLease(lease, () => work({ fence: leaseFence(open.lease, lease) })) };
    } finally {
      clearInterval(renew);
      await releaseLease(open.lease, lease).catch(() => false);
    }
  }

  /** Whether this process waits on another: a job it queued that has not started here, or a caller of `run()`. */
  #waitsOnOthers(): boolean {
    for (const local of this.#local.values()) if (local.state === 'new' || local.state === 'pending') return true;
    for (const state of this.#bindings.values()) if (state.waiters.length > 0) return true;
    return false;
  }

  /** A job finished on another process: a pending job added here leaves, and `run()` callers it serves resolve. */
  #remoteCompleted(jobId: string, value: unknown): void {
    const returned = (typeof value === 'string' ? safeParse(value) : value) as JobReturn<Result> | undefined;
    if (!returned || typeof returned !== 'object' || returned.workerId === this.#options.workerId) return;
    const local = this.#local.get(jobId);
    if (returned.skipped !== undefined) {
      // Skipped on another worker because the binding's circuit is open.
      if (local?.state === 'pending') this.#settle(jobId, local, 'removed', { reason: 'circuit-open' });
      const state = this.#bindings.get(returned.bindingId);
      if (state) this.#rejectWaiters(returned.bindingId, circuitOpen(returned.bindingId, state.circuit), returned.at);
      return;
    }
    if (local?.state === 'pending') {
      // It ran elsewhere: this process saw it queued, another ran it.
      this.#local.delete(jobId);
      const waiters = this.#gone.get(jobId);
      this.#gone.delete(jobId);
      if (waiters) for (const resolve of waiters) resolve();
    }
    const bindingId = (returned.result as unknown as { sourceId?: string }).sourceId ?? local?.job.sourceId;
    if (bindingId !== undefined) this.#resolveWaiters(bindingId, returned.startedAt, returned.result);
  }

  async #remoteFailed(jobId: string, failedReason: string): Promise<void> {
    const local = this.#local.get(jobId);
    if (local?.state === 'running') return; // ours: settled by #process
    const job = await this.#open?.queue.getJob(jobId).catch(() => undefined);
    const data = job?.data as JobData | undefined;
    const bindingId = local?.job.sourceId ?? data?.bindingId;
    if (local?.state === 'pending') {
      this.#local.delete(jobId);
    }
    if (bindingId !== undefined) {
      // The worker that ran it left the error in the job's data: its callers here get the same code.
      const error =
        data?.error !== undefined
          ? syncErrorOf(data.error.code, data.error.message, {
              ...(data.error.hint === undefined ? {} : { hint: data.error.hint }),
              retryable: data.error.retryable,
              details: { ...data.error.details, jobId },
            })
          : new JobError('JOB_FAILED', `Job ${jobId} of "${bindingId}" failed on another worker: ${failedReason}`, {
              details: { sourceId: bindingId, jobId },
            });
      this.#rejectWaiters(bindingId, error, data?.failedRunStartedAt);
    }
  }

  // ── the worker ────────────────────────────────────────────────────────

  /** Run one BullMQ job: take the lease, run the engine's sync while renewing it, release it; retry with our backoff. */
  async #process(bull: Job, token: string | undefined): Promise<JobReturn<Result>> {
    const data = bull.data as JobData;
    const jobId = String(bull.id);
    if (this.#paused) {
      // Taken by a fetch that was under way when the worker paused: back to the queue, for another worker or for resume.
      await bull.moveToWait(token);
      throw new WaitingError();
    }
    const state = this.#bindings.get(data.bindingId);
    const open = this.#open;
    if (!state || !open) {
      const misses = (data.misses ?? 0) + 1;
      if (misses > UNKNOWN_BINDING_TRIES) {
        throw new BindingError('BINDING_NOT_FOUND', `No worker that took job ${jobId} knows binding "${data.bindingId}".`, {
          hint: 'Register the binding on the workers (same id and configuration on every one), or remove its job scheduler.',
          details: { sourceId: data.bindingId, jobId },
        });
      }
      await bull.updateData({ ...data, misses });
      await bull.moveToDelayed(Date.now() + LEASE_WAIT_MAX_MS, token);
      throw new DelayedError();
    }
    const conflict = open.configs.conflict(data.bindingId);
    if (conflict) {
      // Another configuration of the binding is recorded: left to the workers that have it, never run here beside it.
      state.lastError = conflict;
      const misses = (data.misses ?? 0) + 1;
      if (misses > UNKNOWN_BINDING_TRIES) throw conflict;
      await bull.updateData({ ...data, misses });
      await bull.moveToDelayed(Date.now() + LEASE_WAIT_MAX_MS, token);
      throw new DelayedError();
    }
    // A dependent waits while a binding it depends on is busy on any worker (put back, as for a held lease).
    const deps = state.spec.dependsOn;
    if (deps.length > 0 && (await Promise.all(deps.map((dep) => this.#dependencyBusy(open, dep)))).some(Boolean)) {
      await bull.moveToDelayed(Date.now() + DEPENDENCY_WAIT_MS, token);
      throw new DelayedError();
    }
    const ttl = this.#options.leaseTtlMs;
    // What every sync reads first (the journal's pending entry, the validators) comes with the lease, in its script.
    const taken = await acquireLeaseReading(
      open.lease,
      data.bindingId,
      { prefix: this.#options.prefix, owner: this.#options.workerId, ttlMs: ttl },
      FIRST_READS,
    );
    if (!taken) {
      const held = await readLease(open.lease, data.bindingId, { prefix: this.#options.prefix });
      const wait = Math.max(50, Math.min(LEASE_WAIT_MAX_MS, held.lease?.remainingMs ?? 50));
      await bull.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
    const { lease, read } = taken;
    // A job of an open circuit (a schedule's tick, a trigger queued before it opened) does not run anywhere. The lease's
    // script says whether the circuit has a record at all: a closed circuit with no failure has none and is not read.
    if (taken.circuitRecorded) {
      let circuit: CircuitReading;
      try {
        circuit = await this.#readCircuit(open, state);
      } catch (error) {
        await releaseLease(open.lease, lease).catch(() => false);
        throw error;
      }
      if (circuit.state === 'open') {
        await releaseLease(open.lease, lease).catch(() => false);
        return this.#skip(jobId, data, circuit);
      }
    }
    const startedAt = Date.now();
    const now = this.#context.clock.now();
    // This process may have added the job (then it is known here, `new` while its `add` has not returned); else it comes from the queue, where it was pending.
    const local: LocalJob = this.#local.get(jobId) ?? {
      job: syncJob(jobId, data, this.#maxRetries(state), bull.timestamp, 'pending'),
      state: 'pending',
      controller: undefined,
    };
    this.#local.set(jobId, local);
    if (local.state === 'new') this.#transition(local, 'pending', {}, now);
    const job = local.job;
    job.retryCount = data.retryCount ?? 0;
    job.priority = data.priority;
    job.lastAttempt = now;
    job.nextAttempt = undefined;
    const controller = new AbortController();
    local.controller = controller;
    this.#transition(local, 'running', {}, now);
    const renew = setInterval(
      () => {
        renewLease(open.lease, lease).then(
          (held) => {
            if (!held) controller.abort(staleLease(lease));
          },
          (error: unknown) =>
            controller.abort(toSyncError(error, { code: 'STALE_LEASE', message: `Could not renew the lease of "${lease.bindingId}"` })),
        );
      },
      Math.max(100, Math.floor(ttl / 3)),
    );
    const started = performance.now();
    try {
      const result = await withLease(
        lease,
        () => this.#context.hooks.run(job, controller.signal, { fence: leaseFence(open.lease, lease) }),
        read,
      );
      this.#context.hooks.onAttempt(job.sourceId, performance.now() - started);
      if (controller.signal.aborted) throw controller.signal.reason;
      // The circuit as read before this run: nothing to reset when it was closed with no failures (the lease kept other runs of the binding out meanwhile).
      const before = state.circuit;
      if (before.state !== 'closed' || before.failures > 0 || before.restart !== undefined) {
        const closed = await open.circuits.success(job.sourceId, this.#config.circuitBreaker).catch(() => undefined);
        if (closed) this.#circuitChanged(state, closed);
      }
      state.lastResult = result;
      state.lastError = undefined;
      delete job.error;
      const at = this.#context.clock.now();
      this.#context.hooks.onSettled(job.sourceId, result.outcome, at, result);
      this.#settle(jobId, local, 'completed', { result });
      this.#resolveWaiters(job.sourceId, startedAt, result);
      // The worker that applied a change triggers the dependents (every worker knows the same bindings).
      if (result.outcome === 'applied' && !this.#stopping)
        for (const dependent of this.#dependentsOf(job.sourceId)) this.notify(dependent, 'dependency');
      return { result, startedAt, workerId: this.#options.workerId };
    } catch (thrown) {
      if (thrown instanceof DelayedError || thrown instanceof WaitingError) throw thrown;
      this.#context.hooks.onAttempt(job.sourceId, performance.now() - started);
      const aborted = controller.signal.aborted;
      const error = aborted
        ? toSyncError(controller.signal.reason, { code: 'ENGINE_STOPPED', message: 'The job was aborted' })
        : toSyncError(thrown, {
            code: 'JOB_FAILED',
            message: `Job ${jobId} of "${job.sourceId}" failed`,
            retryable: false,
            hint: 'The run threw something that is not a SyncError; see the cause.',
          });
      job.error = error.toJSON();
      // The shared circuit counts the failure, or a restart within its grace period is waited out (a quick retry, not counted).
      const counted = aborted ? undefined : await this.#recordFailure(open, state, jobId, error);
      const waitOut = counted?.waitOut ? restartDelay(counted.restart?.retries ?? 1) : undefined;
      const at = this.#context.clock.now();
      const restartRetries = data.restartRetries ?? 0;
      const canRetry =
        !aborted &&
        !this.#stopping &&
        (waitOut !== undefined ||
          (error.retryable && state.circuit.state !== 'open' && job.retryCount - restartRetries < job.maxRetries)) &&
        this.#bindings.get(job.sourceId) === state;
      if (canRetry) {
        job.retryCount += 1;
        const spent = restartRetries + (waitOut === undefined ? 0 : 1);
        const delay = waitOut ?? error.retryAfterMs ?? backoffDelay(this.#config.retry, job.retryCount - spent, this.#context.random);
        job.nextAttempt = at + delay;
        this.#context.hooks.onRetry(job.sourceId);
        this.#transition(local, 'pending', { error: job.error, delayMs: delay, nextAttempt: at + delay }, at);
        await bull.updateData({ ...data, retryCount: job.retryCount, restartRetries: spent });
        await bull.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError();
      }
      state.lastError = error;
      this.#context.hooks.onSettled(job.sourceId, 'failed', at);
      this.#settle(jobId, local, 'failed', { error: job.error });
      this.#rejectWaiters(job.sourceId, error, startedAt);
      await bull.updateData({ ...data, error: job.error, failedRunStartedAt: startedAt }).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(renew);
      local.controller = undefined;
      // A job moved to delayed for a retry stays known here as pending; forget it: whoever takes it next reports it.
      if (local.state === 'pending') {
        this.#local.delete(jobId);
        const waiters = this.#gone.get(jobId);
        this.#gone.delete(jobId);
        if (waiters) for (const resolve of waiters) resolve();
      }
      await releaseLease(open.lease, lease).catch(() => false);
    }
  }

  // ── the shared circuit ────────────────────────────────────────────────

  /** Read the binding's shared circuit (half-opening it when its cool-down passed) and report what changed. */
  async #readCircuit(open: Open, state: BindingState<Result>): Promise<CircuitReading> {
    let reading: CircuitReading;
    try {
      reading = await open.circuits.read(state.spec.id, this.#config.circuitBreaker);
    } catch (error) {
      const where = this.#options.where;
      throw new StoreError('STORE_READ_FAILED', `Could not read the circuit of "${state.spec.id}" at ${where}: ${describeThrown(error)}`, {
        retryable: true,
        hint: `Check that Redis runs and answers at ${where}.`,
        details: { sourceId: state.spec.id, redis: where },
      });
    }
    this.#circuitChanged(state, reading);
    return reading;
  }

  /** Count a failed attempt in the shared circuit; `undefined` when Redis could not be asked (the failure then counts nowhere). */
  async #recordFailure(open: Open, state: BindingState<Result>, jobId: string, error: SyncError): Promise<CircuitReading | undefined> {
    const reading = await open.circuits
      .failure(state.spec.id, this.#config.circuitBreaker, {
        restarting: error.restarting && error.retryable,
        graceMs: this.#graceOf(state),
      })
      .catch(() => undefined);
    if (!reading) return undefined;
    if (reading.restartStarted && reading.restart) {
      const since = reading.restart.since;
      const graceEndsAt = since + this.#graceOf(state);
      this.#context.hooks.emit('source:restarting', () => ({
        timestamp: this.#context.clock.now(),
        sourceId: state.spec.id,
        jobId,
        since,
        graceEndsAt,
        error: error.toJSON(),
      }));
    }
    this.#circuitChanged(state, reading);
    return reading;
  }

  #graceOf(state: BindingState<Result>): number {
    return state.spec.restartGraceMs ?? this.#config.retry.restartGraceMs;
  }

  /** Keep what a circuit script found, and emit the change it made (this worker made it: each change is reported once across workers). */
  #circuitChanged(state: BindingState<Result>, reading: CircuitReading): void {
    state.circuit = reading;
    const sourceId = state.spec.id;
    const now = this.#context.clock.now();
    const transition: CircuitTransition = reading.transition;
    if (transition === 'opened') {
      const wait = Math.max(0, (reading.halfOpenAt ?? reading.now) - reading.now);
      this.#armProbe(state, wait);
      this.#context.hooks.emit('circuit:opened', () => ({ timestamp: now, sourceId, failures: reading.failures, halfOpenAt: now + wait }));
    } else if (transition === 'half-opened') {
      this.#context.hooks.emit('circuit:half-opened', () => ({ timestamp: now, sourceId }));
    } else if (transition === 'closed') {
      this.#context.hooks.emit('circuit:closed', () => ({ timestamp: now, sourceId }));
    }
  }

  /**
   * The worker that opened a circuit asks again when its cool-down ends: the
   * first worker to find it over half-opens it (a script, so once) and the
   * one that did queues a probe. When that worker is gone, the next tick of
   * the binding's schedule, on any worker, half-opens it instead.
   */
  #armProbe(state: BindingState<Result>, waitMs: number): void {
    const timer = setTimeout(() => {
      const open = this.#open;
      if (!open || this.#stopping || this.#bindings.get(state.spec.id) !== state) return;
      this.#readCircuit(open, state).then(
        (reading) => {
          if (reading.transition === 'half-opened') this.notify(state.spec.id, 'probe');
          else if (reading.state === 'open' && reading.halfOpenAt !== undefined)
            this.#armProbe(state, Math.max(10, reading.halfOpenAt - reading.now));
        },
        () => undefined,
      );
    }, waitMs);
    timer.unref();
  }

  /** A job whose binding's circuit is open: not run; a job known here is removed, and the callers it would serve are refused. */
  #skip(jobId: string, data: JobData, circuit: CircuitReading): JobReturn<Result> {
    const local = this.#local.get(jobId);
    if (local) {
      if (local.state === 'new') this.#transition(local, 'pending', {});
      this.#settle(jobId, local, 'removed', { reason: 'circuit-open' });
    }
    const at = Date.now();
    this.#rejectWaiters(data.bindingId, circuitOpen(data.bindingId, circuit), at);
    return { skipped: 'circuit-open', bindingId: data.bindingId, at, workerId: this.#options.workerId };
  }
}

/** A binding's circuit before any script has been run for it here. */
const CLOSED: CircuitReading = Object.freeze({
  state: 'closed',
  failures: 0,
  halfOpenAt: undefined,
  now: 0,
  restart: undefined,
  transition: undefined,
  restartStarted: false,
  waitOut: false,
});

/** The id of a binding's job scheduler (cluster-status.ts reads them too). */
export function schedulerId(bindingId: string): string {
  return `binding:${bindingId}`;
}

/** The deduplication id of a binding's triggered jobs. */
function dedupId(bindingId: string): string {
  return `binding:${bindingId}`;
}

function syncJob(id: string, data: JobData, maxRetries: number, createdAt: number, status: SyncJob['status']): SyncJob {
  return {
    id,
    sourceId: data.bindingId,
    priority: data.priority,
    retryCount: data.retryCount ?? 0,
    maxRetries,
    lastAttempt: undefined,
    nextAttempt: createdAt,
    status,
    trigger: data.trigger,
    createdAt,
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error of a manual trigger on an open circuit. */
function circuitOpen(bindingId: string, circuit: CircuitReading): SyncError {
  const wait = Math.max(0, (circuit.halfOpenAt ?? circuit.now) - circuit.now);
  return new JobError('CIRCUIT_OPEN', `The circuit of "${bindingId}" is open after ${circuit.failures} consecutive failures.`, {
    hint: `The circuit is shared by every worker; it half-opens in ${wait} ms. Fix the cause (see the binding's last error) meanwhile.`,
    retryAfterMs: wait,
    details: { sourceId: bindingId },
  });
}

function staleLease(lease: Lease): SyncError {
  return new StoreError('STALE_LEASE', `The lease of "${lease.bindingId}" with fencing token ${lease.token} was lost while its sync ran.`, {
    retryable: false,
    hint: 'The sync ran longer than its lease, or the process was paused. The next holder redoes it; raise leaseTtlMs if syncs are slow.',
    details: { bindingId: lease.bindingId, token: lease.token, owner: lease.owner },
  });
}

function abortReason(reason: unknown, sourceId: string): SyncError {
  if (isSyncError(reason)) return reason;
  return new JobError('JOB_CANCELLED', `The run of "${sourceId}" was cancelled by its caller's abort signal.`, {
    cause: reason,
    hint: 'Nothing to do, unless the signal was not meant to abort.',
    details: { sourceId, aborted: true },
  });
}
