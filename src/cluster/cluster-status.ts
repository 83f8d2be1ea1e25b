/**
 * The state of a scale-out deployment read from Redis alone, for
 * `api-live-sync status --redis` and for programs: every binding's last
 * sync, its lease holder and its waiting jobs, and the queue's depth.
 *
 * @module
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConfigError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { QUEUE_NAME, schedulerId } from './bullmq-scheduler.js';
import { clusterKeys } from './cluster-view.js';
import { redisFailure, resolveRedis } from './connection.js';
import { assertPrefix } from './keys.js';
import { readLease } from './lease.js';

/** Options of {@link readClusterStatus}. */
export interface ClusterStatusOptions {
  /** The Redis server as a `redis://` or `rediss://` URL. */
  url: string;
  /** The deployment's key prefix. Default `"api-live-sync"`. */
  prefix?: string;
  /** How many of the newest events are searched for each binding's last sync. Default 5000. */
  scanEvents?: number;
}

const OPTION_KEYS = optionKeys<ClusterStatusOptions>()(['url', 'prefix', 'scanEvents']);

/** One binding in a {@link ClusterStatus}. */
export interface ClusterBindingStatus {
  /** The binding id. */
  id: string;
  /**
   * Its last sync that ended: when (the worker's clock), how (`applied`,
   * `unchanged`, `held` or `failed`; `null` when only the worker's metrics
   * remember it, its event having left the stream) and on which worker; `null` when none is known.
   */
  lastSync: { at: number; outcome: string | null; workerId: string } | null;
  /** Who holds its lease now, with the fencing token and the time it has left; `null` when nobody does. */
  lease: { owner: string; token: number; remainingMs: number } | null;
  /** Its jobs waiting to run now (waiting or prioritized). */
  queued: number;
  /** Its delayed jobs: the next tick of its schedule, retries waiting for their backoff, jobs put back while its lease was held. */
  delayed: number;
}

/** What {@link readClusterStatus} returns. */
export interface ClusterStatus {
  /** The key prefix read. */
  prefix: string;
  /** The queue's jobs by state. */
  queue: { waiting: number; prioritized: number; delayed: number; active: number };
  /** The workers that published metrics under the prefix, sorted. */
  workers: string[];
  /** Every binding with a schedule, a recent event or metrics, sorted by id. */
  bindings: ClusterBindingStatus[];
}

/**
 * Read the state of the deployment under `prefix`: the bindings' job
 * schedulers, leases and waiting jobs, and, from what the workers'
 * `ClusterView`s publish, each binding's last sync. Rejects with
 * `STORE_READ_FAILED` (the hint naming the URL without its password) when
 * Redis cannot be reached, `CONFIG_INVALID` for bad options.
 */
export async function readClusterStatus(options: ClusterStatusOptions): Promise<ClusterStatus> {
  checkOptions('readClusterStatus options', options, OPTION_KEYS);
  const prefix = options.prefix ?? 'api-live-sync';
  assertPrefix(prefix);
  const scan = options.scanEvents ?? 5000;
  if (!(Number.isSafeInteger(scan) && scan >= 0)) {
    throw new ConfigError(`Expected \`scanEvents\` to be a whole number from 0 up, got ${JSON.stringify(scan)}.`, {
      hint: 'Leave it out for 5000.',
    });
  }
  const redis = resolveRedis(options.url, '`url`');
  const client = redis.client as Redis;
  let queue: Queue | undefined;
  let queueClient: Redis | undefined;
  try {
    try {
      await client.ping();
    } catch (error) {
      throw redisFailure('STORE_READ_FAILED', 'read the deployment', error, redis, {});
    }
    // BullMQ's blocking commands need a client that never gives up on a command; it is closed below (BullMQ does not close a client it was given).
    queueClient = client.duplicate({ maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAME, { connection: queueClient as ConnectionOptions, prefix });
    queue.on('error', () => undefined);
    const keys = clusterKeys(prefix);
    const [counts, schedulers, waiting, metrics, events] = await Promise.all([
      queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
      queue.getJobSchedulers(0, -1),
      queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, 9999),
      client.hgetall(keys.metrics),
      scan > 0 ? (client.xrevrange(keys.events, '+', '-', 'COUNT', scan) as Promise<Array<[string, string[]]>>) : Promise.resolve([]),
    ]);
    const ids = new Set<string>();
    for (const scheduler of schedulers) {
      const id = scheduler.key ?? scheduler.id;
      if (typeof id === 'string' && id.startsWith(schedulerId(''))) ids.add(id.slice(schedulerId('').length));
    }
    const queued = new Map<string, number>();
    const delayed = new Map<string, number>();
    await Promise.all(
      waiting.map(async (job) => {
        const id = (job?.data as { bindingId?: unknown } | undefined)?.bindingId;
        if (typeof id !== 'string') return;
        ids.add(id);
        const counts = (await job.isDelayed()) ? delayed : queued;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }),
    );
    const last = new Map<string, ClusterBindingStatus['lastSync']>();
    for (const [, fields] of events) {
      const entry: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) entry[fields[i]!] = fields[i + 1]!;
      if ((entry.e !== 'job:completed' && entry.e !== 'job:failed') || entry.d === undefined || entry.w === undefined) continue;
      let payload: { timestamp?: number; job?: { sourceId?: string }; result?: { outcome?: string } };
      try {
        payload = JSON.parse(entry.d) as typeof payload;
      } catch {
        continue;
      }
      const id = payload.job?.sourceId;
      if (typeof id !== 'string' || last.has(id)) continue;
      ids.add(id);
      const outcome = entry.e === 'job:failed' ? 'failed' : (payload.result?.outcome ?? null);
      last.set(id, { at: payload.timestamp ?? 0, outcome, workerId: entry.w });
    }
    // Syncs older than the events kept: the workers' metrics still know when.
    for (const [workerId, text] of Object.entries(metrics)) {
      let perSource: Record<string, { lastSyncTime?: number }> = {};
      try {
        perSource = (JSON.parse(text) as { perSource?: typeof perSource }).perSource ?? {};
      } catch {
        continue;
      }
      for (const [id, counters] of Object.entries(perSource)) {
        ids.add(id);
        const at = counters.lastSyncTime;
        const known = last.get(id);
        if (at !== undefined && (known === undefined || known === null || (known.outcome === null && known.at < at)))
          last.set(id, { at, outcome: null, workerId });
      }
    }
    const sorted = [...ids].sort();
    const leases = await Promise.all(sorted.map((id) => readLease(client, id, { prefix })));
    return {
      prefix,
      queue: {
        waiting: counts.waiting ?? 0,
        prioritized: counts.prioritized ?? 0,
        delayed: counts.delayed ?? 0,
        active: counts.active ?? 0,
      },
      workers: Object.keys(metrics).sort(),
      bindings: sorted.map((id, i) => {
        const lease = leases[i]!.lease;
        return {
          id,
          lastSync: last.get(id) ?? null,
          lease: lease === undefined ? null : { owner: lease.owner, token: lease.token, remainingMs: lease.remainingMs },
          queued: queued.get(id) ?? 0,
          delayed: delayed.get(id) ?? 0,
        };
      }),
    };
  } finally {
    await queue?.close().catch(() => undefined);
    queueClient?.disconnect();
    client.disconnect();
  }
}
