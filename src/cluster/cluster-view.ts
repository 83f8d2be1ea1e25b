/**
 * The whole deployment seen from one node: every worker publishes its
 * engine's events, with its worker id, to one Redis stream, and its metrics
 * to one hash; every node reads them back. A {@link ClusterView} has the
 * engine's `on`/`off`, `getMetrics()` and `toPrometheusText()` over the
 * whole cluster, and passes everything else to its local engine, so
 * `createSyncHandler(view)` serves cluster-wide `/events` and `/metrics`.
 *
 *     <prefix>:events    stream: one entry per event { w: worker id, e: event name, d: JSON payload }, trimmed to about `maxLength`
 *     <prefix>:metrics   hash: one field per worker id, its engine's metrics as JSON with `updatedAt`
 *
 * Why a stream rather than pub/sub: an entry stays until trimmed, so a node
 * whose connection dropped for a moment reads on from the last id it saw
 * instead of losing what was published meanwhile, and several nodes read
 * one stream independently (no consumer group: every node sees every
 * event). Writes are batched: a worker sends the events of each `flushMs`
 * in one pipeline, so its cost does not grow with the events per sync.
 *
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { ConflictDecision } from '../conflict/index.js';
import { syncEngineEventNames, type SyncEngine, type SyncEngineEventName, type SyncEngineEvents } from '../engine/index.js';
import { ConfigError } from '../errors.js';
import { toPrometheusText, type SyncCounters, type SyncEngineMetrics } from '../metrics/index.js';
import { checkOptions, optionKeys } from '../options.js';
import { redisFailure, resolveRedis, type RedisConnection, type ResolvedRedis } from './connection.js';
import { assertPrefix } from './keys.js';

/** Options of {@link ClusterView.connect}. */
export interface ClusterViewOptions {
  /** The Redis server: a `redis://` / `rediss://` URL, ioredis options, or a client you made (used as is, never closed). */
  redis: RedisConnection;
  /** The deployment's key prefix (the scheduler's and the store's). Default `"api-live-sync"`. */
  prefix?: string;
  /** This node's worker id in the events and metrics it publishes; use the scheduler's. */
  workerId: string;
  /** How often this node sends its buffered events and its metrics, and reads everyone's metrics, in milliseconds. Default 250. */
  flushMs?: number;
  /** About how many events the stream keeps (`XADD MAXLEN ~`). Default 10000. */
  maxLength?: number;
  /** Publish this node's events and metrics (a worker); `false` for a node that only watches. Default true. */
  publish?: boolean;
}

const OPTION_KEYS = optionKeys<ClusterViewOptions>()(['redis', 'prefix', 'workerId', 'flushMs', 'maxLength', 'publish']);

/** An event as a {@link ClusterView} delivers it: the engine's payload and the id of the worker whose engine emitted it. */
export type ClusterEvent<E extends SyncEngineEventName> = SyncEngineEvents[E] & { workerId: string };

/** A listener of {@link ClusterView.on}. */
export type ClusterListener<E extends SyncEngineEventName> = (payload: ClusterEvent<E>) => void;

/** One worker's part of {@link ClusterMetrics}. */
export interface WorkerMetrics extends SyncCounters {
  /** Jobs running on that worker when it last published. */
  activeJobs: number;
  /** Jobs it had added and not yet started. */
  queueLength: number;
  /** When it last published, epoch milliseconds (its clock). */
  updatedAt: number;
}

/**
 * The metrics of every worker of the deployment together: counters summed,
 * the mean weighted by attempts, each percentile the largest of the
 * workers' (an upper bound: percentiles do not add up), `lastSyncTime` the
 * latest. `uptime` is this node's engine's.
 */
export interface ClusterMetrics extends SyncEngineMetrics {
  /** Each worker's own figures, by worker id, as it last published them. */
  workers: Record<string, WorkerMetrics>;
}

/** What a worker writes to the metrics hash: its engine's metrics and when. */
type PublishedMetrics = SyncEngineMetrics & { updatedAt: number };

/** The engine methods a {@link ClusterView} passes through (what `createSyncHandler` needs besides events and metrics). */
type LocalEngine = Pick<SyncEngine, 'on' | 'off' | 'getSyncStatus' | 'getMetrics' | 'syncNow' | 'resolveConflicts'> &
  Partial<Pick<SyncEngine, 'approve' | 'dismiss' | 'rollback' | 'getHeldSyncs' | 'getPendingDecisions'>>;

const SUMMED = [
  'totalSyncs',
  'successfulSyncs',
  'failedSyncs',
  'appliedSyncs',
  'unchangedSkips',
  'heldSyncs',
  'conflicts',
  'retries',
  'attempts',
] as const satisfies ReadonlyArray<keyof SyncCounters>;

/** Counters of several workers as one. */
function combine(parts: readonly SyncCounters[]): SyncCounters {
  const out: SyncCounters = {
    totalSyncs: 0,
    successfulSyncs: 0,
    failedSyncs: 0,
    appliedSyncs: 0,
    unchangedSkips: 0,
    heldSyncs: 0,
    conflicts: 0,
    retries: 0,
    attempts: 0,
    averageSyncTime: 0,
    p50SyncTime: 0,
    p95SyncTime: 0,
    p99SyncTime: 0,
    lastSyncTime: undefined,
  };
  let weighted = 0;
  for (const part of parts) {
    for (const key of SUMMED) out[key] += part[key];
    weighted += part.averageSyncTime * part.attempts;
    out.p50SyncTime = Math.max(out.p50SyncTime, part.p50SyncTime);
    out.p95SyncTime = Math.max(out.p95SyncTime, part.p95SyncTime);
    out.p99SyncTime = Math.max(out.p99SyncTime, part.p99SyncTime);
    if (part.lastSyncTime !== undefined) out.lastSyncTime = Math.max(out.lastSyncTime ?? 0, part.lastSyncTime);
  }
  out.averageSyncTime = out.attempts === 0 ? 0 : weighted / out.attempts;
  return out;
}

/** The stream and hash of a deployment. */
export function clusterKeys(prefix: string): { events: string; metrics: string } {
  return { events: `${prefix}:events`, metrics: `${prefix}:metrics` };
}

/**
 * The deployment seen from this node (see the module comment and
 * docs/scale-out.md): cluster-wide events with the worker id, cluster-wide
 * metrics, and the local engine for everything else. Make one with
 * {@link ClusterView.connect}; `close()` it before the engine stops for good.
 *
 * @example
 * ```ts
 * const view = await ClusterView.connect(engine, { redis: 'redis://127.0.0.1:6379', prefix: 'als', workerId });
 * http.createServer(createSyncHandler(view)).listen(8080, '127.0.0.1');
 * ```
 */
export class ClusterView {
  readonly #engine: LocalEngine;
  readonly #redis: ResolvedRedis;
  readonly #reader: Redis | Cluster;
  readonly #keys: { events: string; metrics: string };
  readonly #workerId: string;
  readonly #flushMs: number;
  readonly #maxLength: number;
  readonly #publish: boolean;
  readonly #listeners = new Map<SyncEngineEventName, Set<(payload: unknown) => void>>();
  readonly #ownListeners = new Map<SyncEngineEventName, (payload: unknown) => void>();
  #buffer: Array<[string, string]> = [];
  #workers: Record<string, PublishedMetrics> = {};
  #lastId: string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #reading: Promise<void> | undefined;
  #closed = false;

  private constructor(engine: LocalEngine, options: Required<Omit<ClusterViewOptions, 'redis'>>, redis: ResolvedRedis, lastId: string) {
    this.#engine = engine;
    this.#redis = redis;
    // XREAD BLOCK holds its connection: the reader has one of its own.
    this.#reader = (redis.client as Redis).duplicate();
    this.#reader.on('error', () => undefined);
    this.#keys = clusterKeys(options.prefix);
    this.#workerId = options.workerId;
    this.#flushMs = options.flushMs;
    this.#maxLength = options.maxLength;
    this.#publish = options.publish;
    this.#lastId = lastId;
  }

  /**
   * Connect a view of the deployment around `engine`. Rejects with
   * `STORE_READ_FAILED` naming the server (without its password) when Redis
   * cannot be reached, and `CONFIG_INVALID` for bad options.
   */
  static async connect(engine: LocalEngine, options: ClusterViewOptions): Promise<ClusterView> {
    checkOptions('ClusterView options', options, OPTION_KEYS);
    const prefix = options.prefix ?? 'api-live-sync';
    assertPrefix(prefix);
    if (typeof options.workerId !== 'string' || options.workerId.length === 0 || options.workerId.length > 200) {
      throw new ConfigError(`Expected \`workerId\` to be 1 to 200 characters, got ${JSON.stringify(options.workerId) ?? 'undefined'}.`, {
        hint: 'Use the worker id you gave bullmqScheduler (or `${hostname()}:${process.pid}`).',
      });
    }
    const flushMs = options.flushMs ?? 250;
    if (!(Number.isSafeInteger(flushMs) && flushMs >= 10)) {
      throw new ConfigError(`Expected \`flushMs\` to be a whole number of milliseconds from 10 up, got ${JSON.stringify(flushMs)}.`, {
        hint: 'Leave it out for 250.',
      });
    }
    const maxLength = options.maxLength ?? 10_000;
    if (!(Number.isSafeInteger(maxLength) && maxLength >= 1)) {
      throw new ConfigError(`Expected \`maxLength\` to be a whole number from 1 up, got ${JSON.stringify(maxLength)}.`, {
        hint: 'Leave it out for 10000.',
      });
    }
    const publish = options.publish ?? true;
    if (typeof publish !== 'boolean') {
      throw new ConfigError(`Expected \`publish\` to be a boolean, got ${typeof publish}.`, { hint: 'Leave it out for true.' });
    }
    const redis = resolveRedis(options.redis);
    let lastId: string;
    try {
      const last = (await redis.client.xrevrange(clusterKeys(prefix).events, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      lastId = last[0]?.[0] ?? '0-0';
    } catch (error) {
      if (redis.owned) redis.client.disconnect();
      throw redisFailure('STORE_READ_FAILED', 'read the cluster events', error, redis, {});
    }
    const view = new ClusterView(engine, { prefix, workerId: options.workerId, flushMs, maxLength, publish }, redis, lastId);
    view.#start();
    await view.#flush();
    return view;
  }

  #start(): void {
    if (this.#publish) {
      for (const name of syncEngineEventNames) {
        // The metrics event is this view's business (the hash), not the stream's.
        if (name === 'metrics') continue;
        const listener = (payload: unknown): void => {
          let data: string;
          try {
            data = JSON.stringify(payload) ?? 'null';
          } catch {
            data = JSON.stringify({ unserialisable: true });
          }
          this.#buffer.push([name, data]);
        };
        this.#ownListeners.set(name, listener);
        this.#engine.on(name, listener as never);
      }
    }
    this.#timer = setInterval(() => void this.#flush(), this.#flushMs);
    this.#timer.unref();
    this.#reading = this.#read();
  }

  /** Send the buffered events and this worker's metrics; read every worker's metrics. */
  async #flush(): Promise<void> {
    const batch = this.#buffer;
    this.#buffer = [];
    const pipeline = this.#redis.client.pipeline();
    for (const [name, data] of batch) {
      pipeline.xadd(this.#keys.events, 'MAXLEN', '~', this.#maxLength, '*', 'w', this.#workerId, 'e', name, 'd', data);
    }
    if (this.#publish) {
      const metrics = this.#engine.getMetrics();
      pipeline.hset(this.#keys.metrics, this.#workerId, JSON.stringify({ ...metrics, updatedAt: Date.now() }));
    }
    pipeline.hgetall(this.#keys.metrics);
    const replies = await pipeline.exec().catch(() => null);
    const all = replies?.at(-1);
    if (!all || all[0]) return; // Redis away: the next flush tries again (the events of this one are dropped)
    const workers: Record<string, PublishedMetrics> = {};
    for (const [id, text] of Object.entries(all[1] as Record<string, string>)) {
      try {
        workers[id] = JSON.parse(text) as PublishedMetrics;
      } catch {
        // not ours: skip it
      }
    }
    this.#workers = workers;
  }

  /** Read the stream from the last id seen, and deliver each event to this view's listeners. */
  async #read(): Promise<void> {
    while (!this.#closed) {
      let reply: Array<[string, Array<[string, string[]]>]> | null;
      try {
        reply = (await this.#reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.#keys.events, this.#lastId)) as typeof reply;
      } catch {
        if (this.#closed) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          this.#lastId = id;
          const entry: Record<string, string> = {};
          for (let i = 0; i + 1 < fields.length; i += 2) entry[fields[i]!] = fields[i + 1]!;
          this.#deliver(entry);
        }
      }
    }
  }

  #deliver(entry: Record<string, string>): void {
    const name = entry.e as SyncEngineEventName;
    const listeners = this.#listeners.get(name);
    if (!listeners || listeners.size === 0 || entry.d === undefined || entry.w === undefined) return;
    let payload: unknown;
    try {
      payload = JSON.parse(entry.d);
    } catch {
      return;
    }
    const event = { ...(payload as object), workerId: entry.w };
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's error is its own; the others still hear the event.
      }
    }
  }

  /** Listen to an event of any worker of the deployment (this node's own included, after its round trip through Redis). */
  on<E extends SyncEngineEventName>(event: E, listener: ClusterListener<E>): this {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.#listeners.set(event, set);
    return this;
  }

  /** Stop listening. */
  off<E extends SyncEngineEventName>(event: E, listener: ClusterListener<E>): this {
    this.#listeners.get(event)?.delete(listener as (payload: unknown) => void);
    return this;
  }

  /** The metrics of every worker together, as they last published them (every `flushMs`). */
  getMetrics(): ClusterMetrics {
    const own = this.#engine.getMetrics();
    const parts = Object.values(this.#workers);
    const total = combine(parts);
    const ids = new Set(parts.flatMap((part) => Object.keys(part.perSource ?? {})));
    const perSource: Record<string, SyncCounters> = {};
    for (const id of ids) perSource[id] = combine(parts.flatMap((part) => (part.perSource?.[id] ? [part.perSource[id]] : [])));
    const workers: Record<string, WorkerMetrics> = {};
    for (const [id, part] of Object.entries(this.#workers)) {
      const { perSource: _perSource, uptime: _uptime, ...rest } = part;
      workers[id] = rest;
    }
    return {
      ...total,
      activeJobs: parts.reduce((sum, part) => sum + part.activeJobs, 0),
      queueLength: parts.reduce((sum, part) => sum + part.queueLength, 0),
      uptime: own.uptime,
      perSource,
      workers,
    };
  }

  /** {@link ClusterView.getMetrics} in the Prometheus text exposition format. */
  toPrometheusText(): string {
    return toPrometheusText(this.getMetrics());
  }

  /** The local engine's status (its bindings and the jobs it knows). */
  getSyncStatus(): ReturnType<SyncEngine['getSyncStatus']> {
    return this.#engine.getSyncStatus();
  }

  /** Run a binding now through the local engine (its job runs on whichever worker takes it). */
  syncNow(sourceId: string): ReturnType<SyncEngine['syncNow']> {
    return this.#engine.syncNow(sourceId);
  }

  /** Answer a job's conflicts through the local engine. */
  resolveConflicts(jobId: string, decisions: readonly ConflictDecision[]): ReturnType<SyncEngine['resolveConflicts']> {
    return this.#engine.resolveConflicts(jobId, decisions);
  }

  /** Send what is buffered, stop publishing and reading, and close the clients this view made. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const [name, listener] of this.#ownListeners) this.#engine.off(name, listener as never);
    this.#ownListeners.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#flush();
    this.#closed = true;
    this.#reader.disconnect();
    await this.#reading;
    if (this.#redis.owned) await this.#redis.client.quit().catch(() => undefined);
  }
}
