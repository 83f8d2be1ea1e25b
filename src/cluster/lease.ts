/**
 * Per-binding leases with fencing tokens: at most one worker syncs a binding
 * at a time, and a worker that lost its lease (it expired while the worker
 * was paused or slow) cannot overwrite the work of the next holder.
 *
 * - `acquireLease` takes `<prefix>:{b}:lease` (only when nobody holds it)
 *   and raises `<prefix>:{b}:epoch` in the same Lua script; the new epoch is
 *   the lease's fencing token. Epochs of a binding only grow (never below
 *   the server's clock in milliseconds, so not even after Redis lost them).
 * - `renewLease` and `releaseLease` act only while the lease still holds
 *   this holder's epoch and owner (compare-and-PEXPIRE, compare-and-DEL).
 * - Every write through `RedisStore.fenced(lease)` carries the token and is
 *   refused (`STALE_LEASE`) once a newer epoch exists; files written through
 *   `fencedFileWrite` record the epoch beside them and refuse older ones.
 *
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import { ConfigError, StoreError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { isRedisClient, describeClient, redisFailure, type ResolvedRedis } from './connection.js';
import { assertPrefix, bindingKeys } from './keys.js';
import { ACQUIRE, RELEASE, REMAINING, RENEW, runScript } from './scripts.js';

/** What a fenced write needs of a lease: whose it is, its token, and the key prefix it lives under. */
export interface LeaseToken {
  /** The binding the lease is for. */
  readonly bindingId: string;
  /** The fencing token: the binding's epoch when the lease was taken. */
  readonly token: number;
  /** The key prefix of the deployment. */
  readonly prefix: string;
}

/** A lease held by this process, as {@link acquireLease} returns it. */
export interface Lease extends LeaseToken {
  /** Who holds it (a worker id). */
  readonly owner: string;
  /** How long it lasts after it was taken or last renewed, in milliseconds. */
  readonly ttlMs: number;
}

/** Options of {@link acquireLease}. */
export interface AcquireLeaseOptions {
  /** The key prefix of the deployment (the same as the store's). */
  prefix: string;
  /** Who takes it: a worker id, unique per process (say `${hostname}:${pid}`). 1 to 200 characters. */
  owner: string;
  /** How long the lease lasts unless renewed, in milliseconds: a whole number from 1 up. */
  ttlMs: number;
}

/** What {@link readLease} finds. */
export interface LeaseState {
  /** Who holds the lease. */
  readonly owner: string;
  /** The holder's fencing token. */
  readonly token: number;
  /** Milliseconds until it expires unless renewed. */
  readonly remainingMs: number;
}

function assertClient(redis: unknown): asserts redis is Redis | Cluster {
  if (isRedisClient(redis)) return;
  throw new ConfigError(`Expected \`redis\` to be an ioredis client, got ${redis === null ? 'null' : typeof redis}.`, {
    hint: 'Pass the client of your RedisStore (store.client) or one you made with new Redis(...).',
  });
}

function assertTtl(ttlMs: unknown): asserts ttlMs is number {
  if (Number.isSafeInteger(ttlMs) && (ttlMs as number) >= 1) return;
  throw new ConfigError(
    `Expected \`ttlMs\` to be a whole number of milliseconds from 1 up, got ${JSON.stringify(ttlMs) ?? String(ttlMs)}.`,
    {
      hint: 'Pick a TTL well above the longest sync (30000 is a start), and renew the lease while the sync runs.',
    },
  );
}

function assertOwner(owner: unknown): asserts owner is string {
  if (typeof owner === 'string' && owner.length >= 1 && owner.length <= 200 && !/\p{Cc}/u.test(owner)) return;
  throw new ConfigError(
    `Expected \`owner\` to be 1 to 200 characters without control characters, got ${typeof owner === 'string' ? JSON.stringify(owner.slice(0, 201)) : String(owner)}.`,
    {
      hint: 'Use a worker id unique per process, such as `${hostname()}:${process.pid}`.',
    },
  );
}

function assertLease(lease: unknown): asserts lease is Lease {
  const candidate = lease as Partial<Lease> | null;
  if (
    typeof lease === 'object' &&
    lease !== null &&
    Number.isSafeInteger(candidate!.token) &&
    typeof candidate!.owner === 'string' &&
    typeof candidate!.bindingId === 'string' &&
    typeof candidate!.prefix === 'string'
  )
    return;
  throw new ConfigError(`Expected a lease from acquireLease(), got ${lease === null ? 'null' : typeof lease}.`, {
    hint: 'Pass the lease acquireLease() returned.',
  });
}

/** The lease key's value: the epoch, a space, the owner. */
function leaseValue(lease: Lease): string {
  return `${lease.token} ${lease.owner}`;
}

function connectionOf(redis: Redis | Cluster): ResolvedRedis {
  return { client: redis, owned: false, where: describeClient(redis), lastError: () => undefined };
}

async function call<T>(
  redis: Redis | Cluster,
  doing: string,
  details: Record<string, unknown>,
  run: () => Promise<T>,
  code: 'STORE_READ_FAILED' | 'STORE_WRITE_FAILED' = 'STORE_WRITE_FAILED',
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw redisFailure(code, doing, error, connectionOf(redis), details);
  }
}

const ACQUIRE_KEYS = optionKeys<AcquireLeaseOptions>()(['prefix', 'owner', 'ttlMs']);

/**
 * Take the lease of a binding for `ttlMs` milliseconds. Returns the lease,
 * whose `token` is the new epoch of the binding (greater than every epoch
 * handed out before), or `undefined` when someone holds it. One Lua script:
 * of any number of processes racing, exactly one wins.
 *
 * @example
 * ```ts
 * const lease = await acquireLease(store.client, 'petstore', { prefix: store.prefix, owner: workerId, ttlMs: 30_000 });
 * if (lease) {
 *   try { await syncWith(store.fenced(lease)); }
 *   finally { await releaseLease(store.client, lease); }
 * }
 * ```
 */
export async function acquireLease(redis: Redis | Cluster, bindingId: string, options: AcquireLeaseOptions): Promise<Lease | undefined> {
  return (await acquireLeaseReading(redis, bindingId, options))?.lease;
}

/**
 * {@link acquireLease}, reading `fields` of the binding's `RedisStore` hash
 * in the same script (HMGET): no round trip of their own.
 * Returns the lease, each field's bytes (`null` when absent), for
 * `withLease`, so the sync's first reads come from there, and whether the
 * binding's shared circuit has a record (`circuitRecorded`: a closed circuit
 * with no failure has none, so the job need not read it). Internal to the
 * scheduler.
 */
export async function acquireLeaseReading(
  redis: Redis | Cluster,
  bindingId: string,
  options: AcquireLeaseOptions,
  fields: readonly string[] = [],
): Promise<{ lease: Lease; read: Map<string, Buffer | null>; circuitRecorded: boolean } | undefined> {
  assertClient(redis);
  checkOptions('acquireLease options', options, ACQUIRE_KEYS);
  assertPrefix(options.prefix);
  assertOwner(options.owner);
  assertTtl(options.ttlMs);
  const keys = bindingKeys(options.prefix, bindingId);
  const reply = await call(redis, `take the lease of "${bindingId}"`, { bindingId }, () =>
    fields.length === 0
      ? runScript(redis, ACQUIRE, [keys.lease, keys.epoch], [options.owner, options.ttlMs])
      : runScript(redis, ACQUIRE, [keys.lease, keys.epoch, keys.store, keys.circuit], [options.owner, options.ttlMs, ...fields], true),
  );
  if (reply === null || reply === undefined) return undefined;
  const [token, circuit, ...values] = fields.length === 0 ? [reply as string, 1] : (reply as [Buffer, number, ...Array<Buffer | null>]);
  const lease = Object.freeze({
    bindingId,
    prefix: options.prefix,
    owner: options.owner,
    ttlMs: options.ttlMs,
    token: Number(String(token)),
  });
  return { lease, read: new Map(fields.map((field, i) => [field, values[i] ?? null])), circuitRecorded: circuit !== 0 };
}

/**
 * Extend a lease by `ttlMs` (default: its own TTL) from now. Returns `false`,
 * changing nothing, when the lease is no longer this holder's (it expired,
 * perhaps taken by another worker): stop the sync then.
 */
export async function renewLease(redis: Redis | Cluster, lease: Lease, ttlMs: number = lease?.ttlMs): Promise<boolean> {
  assertClient(redis);
  assertLease(lease);
  assertTtl(ttlMs);
  const keys = bindingKeys(lease.prefix, lease.bindingId);
  const renewed = await call(redis, `renew the lease of "${lease.bindingId}"`, { bindingId: lease.bindingId }, () =>
    runScript(redis, RENEW, [keys.lease], [leaseValue(lease), ttlMs]),
  );
  return renewed === 1;
}

/** Give a lease up. Returns `false`, changing nothing, when it was no longer this holder's. */
export async function releaseLease(redis: Redis | Cluster, lease: Lease): Promise<boolean> {
  assertClient(redis);
  assertLease(lease);
  const keys = bindingKeys(lease.prefix, lease.bindingId);
  const released = await call(redis, `release the lease of "${lease.bindingId}"`, { bindingId: lease.bindingId }, () =>
    runScript(redis, RELEASE, [keys.lease], [leaseValue(lease)]),
  );
  return released === 1;
}

/**
 * Check that this holder still has the lease, with at least `marginMs`
 * milliseconds left (default 0): resolves when it does, and throws
 * `STALE_LEASE` when it does not (expired, released or taken by another).
 * Call it right before a write that cannot be fenced by Redis itself, such
 * as a file (`fencedFileWrite`'s `confirm`).
 */
export async function confirmLease(redis: Redis | Cluster, lease: Lease, options: { marginMs?: number } = {}): Promise<void> {
  assertClient(redis);
  assertLease(lease);
  const marginMs = checkOptions<{ marginMs?: number }>('confirmLease options', options, ['marginMs']).marginMs ?? 0;
  if (!Number.isSafeInteger(marginMs) || marginMs < 0) {
    throw new ConfigError(
      `Expected \`marginMs\` to be a whole number of milliseconds from 0 up, got ${JSON.stringify(options.marginMs)}.`,
      { hint: 'Leave it out for 0.' },
    );
  }
  const keys = bindingKeys(lease.prefix, lease.bindingId);
  const remaining = Number(
    await call(
      redis,
      `check the lease of "${lease.bindingId}"`,
      { bindingId: lease.bindingId },
      () => runScript(redis, REMAINING, [keys.lease], [leaseValue(lease)]),
      'STORE_READ_FAILED',
    ),
  );
  if (remaining >= 0 && remaining >= marginMs) return;
  throw new StoreError(
    'STALE_LEASE',
    `The lease of "${lease.bindingId}" with fencing token ${lease.token} ${remaining < 0 ? 'is no longer held by ' + JSON.stringify(lease.owner) : `has ${remaining} ms left, less than the ${marginMs} ms asked for`}.`,
    {
      retryable: false,
      hint: 'The sync ran longer than its lease (renew it more often, or raise ttlMs), or the process was paused. Stop this sync: the next holder redoes it.',
      details: { bindingId: lease.bindingId, token: lease.token, owner: lease.owner, remainingMs: remaining },
    },
  );
}

/**
 * Who holds the lease of a binding now, with its token and time left; and
 * the binding's last epoch (`0` before its first lease). For status pages.
 */
export async function readLease(
  redis: Redis | Cluster,
  bindingId: string,
  options: { prefix: string },
): Promise<{ lease: LeaseState | undefined; epoch: number }> {
  assertClient(redis);
  assertPrefix(options?.prefix);
  const keys = bindingKeys(options.prefix, bindingId);
  const [value, remainingMs, epoch] = await call(
    redis,
    `read the lease of "${bindingId}"`,
    { bindingId },
    async () => {
      // One round trip; the keys share a hash tag, so this works on Redis Cluster too.
      const results = (await redis.multi().get(keys.lease).pttl(keys.lease).get(keys.epoch).exec()) ?? [];
      return results.map(([error, result]) => {
        if (error) throw error;
        return result;
      }) as [string | null, number, string | null];
    },
    'STORE_READ_FAILED',
  );
  const space = value?.indexOf(' ') ?? -1;
  const lease =
    value && space > 0 && remainingMs >= 0
      ? { token: Number(value.slice(0, space)), owner: value.slice(space + 1), remainingMs }
      : undefined;
  return { lease, epoch: Number(epoch ?? 0) };
}
