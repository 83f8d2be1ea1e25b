/** Leases with fencing tokens, against a real redis-server. */
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, acquireLease, confirmLease, readLease, releaseLease, renewLease, type Lease } from '../../src/cluster/index.js';
import { isSyncError, type SyncError, type SyncStore } from '../../src/index.js';
import { useRedisServer } from '../support/redis.js';

const server = useRedisServer();
const cluster = useRedisServer({ cluster: true });
let redis: Redis;
let count = 0;
const fresh = () => `lease-test-${++count}`;

beforeAll(() => {
  redis = new Redis(server.current.url);
});
afterAll(() => {
  redis.disconnect();
});

async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

/** Wait until the lease key of `bindingId` is gone (expired): Redis's clock, not ours, decides. */
async function untilExpired(prefix: string, bindingId: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await redis.exists(`${prefix}:{${bindingId}}:lease`)) === 1) {
    if (Date.now() > deadline) throw new Error('the lease did not expire within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Everything under a prefix, values included, to show that nothing changed. */
async function snapshot(prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await redis.keys(`${prefix}:*`)).sort()) {
    const type = await redis.type(key);
    out[key] = type === 'hash' ? await redis.hgetall(key) : await redis.get(key);
  }
  return out;
}

describe('acquireLease', () => {
  it('lets exactly one of many competing owners win, from separate connections', async () => {
    const prefix = fresh();
    const clients = Array.from({ length: 8 }, () => new Redis(server.current.url));
    try {
      const results = await Promise.all(
        clients.map((client, i) => acquireLease(client, 'api', { prefix, owner: `worker-${i}`, ttlMs: 10_000 })),
      );
      const winners = results.filter((lease): lease is Lease => lease !== undefined);
      expect(winners).toHaveLength(1);
      const state = await readLease(redis, 'api', { prefix });
      expect(state.lease).toMatchObject({ owner: winners[0]!.owner, token: winners[0]!.token });
      expect(state.epoch).toBe(winners[0]!.token);
      expect(state.lease!.remainingMs).toBeGreaterThan(9000);
    } finally {
      for (const client of clients) client.disconnect();
    }
  });

  it('hands out a higher epoch once the lease expired, and the epochs of a binding only grow', async () => {
    const prefix = fresh();
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const lease = await acquireLease(redis, 'api', { prefix, owner: `w${i}`, ttlMs: 50 });
      expect(lease, `round ${i}`).toBeDefined();
      expect(await acquireLease(redis, 'api', { prefix, owner: 'latecomer', ttlMs: 50 })).toBeUndefined();
      tokens.push(lease!.token);
      await untilExpired(prefix, 'api');
    }
    expect(tokens[1]).toBeGreaterThan(tokens[0]!);
    expect(tokens[2]).toBeGreaterThan(tokens[1]!);
    expect((await readLease(redis, 'api', { prefix })).lease).toBeUndefined();
  });

  it('keeps epochs growing even when Redis lost them (a restart without persistence): they never fall below the server clock', async () => {
    const prefix = fresh();
    const first = await acquireLease(redis, 'api', { prefix, owner: 'old', ttlMs: 60_000 });
    const [seconds] = await redis.time();
    expect(first!.token).toBeGreaterThanOrEqual(Number(seconds) * 1000 - 1000);
    await redis.del(`${prefix}:{api}:lease`, `${prefix}:{api}:epoch`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await acquireLease(redis, 'api', { prefix, owner: 'new', ttlMs: 60_000 });
    expect(second!.token).toBeGreaterThan(first!.token);
    // Many acquisitions within one millisecond still get distinct, growing tokens.
    const quick: number[] = [];
    for (let i = 0; i < 20; i++) {
      const lease = await acquireLease(redis, 'quick', { prefix, owner: 'q', ttlMs: 60_000 });
      quick.push(lease!.token);
      await releaseLease(redis, lease!);
    }
    expect(quick.every((token, i) => i === 0 || token > quick[i - 1]!)).toBe(true);
  });

  it('keeps bindings apart (each has its own lease and epoch) and validates its arguments', async () => {
    const prefix = fresh();
    expect(await acquireLease(redis, 'a', { prefix, owner: 'w', ttlMs: 10_000 })).toBeDefined();
    expect(await acquireLease(redis, 'a b', { prefix, owner: 'w', ttlMs: 10_000 })).toBeDefined();
    expect(await acquireLease(redis, 'a', { prefix: fresh(), owner: 'w', ttlMs: 10_000 })).toBeDefined();
    const bad: Array<[unknown, unknown, unknown]> = [
      [{}, 'a', { prefix, owner: 'w', ttlMs: 1 }],
      [redis, 'a/b', { prefix, owner: 'w', ttlMs: 1 }],
      [redis, 'a', undefined],
      [redis, 'a', { prefix: '', owner: 'w', ttlMs: 1 }],
      [redis, 'a', { prefix, owner: '', ttlMs: 1 }],
      [redis, 'a', { prefix, owner: 'line\nbreak', ttlMs: 1 }],
      [redis, 'a', { prefix, owner: 'w', ttlMs: 0 }],
      [redis, 'a', { prefix, owner: 'w', ttlMs: 1.5 }],
      [redis, 'a', { prefix, owner: 'w', ttlMs: '100' }],
    ];
    for (const [client, id, options] of bad) {
      const error = await rejection(acquireLease(client as Redis, id as string, options as never));
      expect(['CONFIG_INVALID', 'BINDING_ID_INVALID']).toContain(error.code);
    }
  });
});

describe('renewLease, releaseLease and confirmLease', () => {
  it('renew only by the owner: a non-owner, or an older holder with the same name, changes nothing', async () => {
    const prefix = fresh();
    const lease = (await acquireLease(redis, 'api', { prefix, owner: 'me', ttlMs: 1000 }))!;
    const impostor: Lease = { ...lease, owner: 'someone else' };
    const olderSelf: Lease = { ...lease, token: lease.token - 1 };
    await redis.pexpire(`${prefix}:{api}:lease`, 500);
    expect(await renewLease(redis, impostor, 60_000)).toBe(false);
    expect(await renewLease(redis, olderSelf, 60_000)).toBe(false);
    expect(await redis.pttl(`${prefix}:{api}:lease`)).toBeLessThanOrEqual(500);
    expect(await renewLease(redis, lease, 60_000)).toBe(true);
    expect(await redis.pttl(`${prefix}:{api}:lease`)).toBeGreaterThan(59_000);
    expect(await renewLease(redis, lease)).toBe(true);
    expect(await redis.pttl(`${prefix}:{api}:lease`)).toBeLessThanOrEqual(1000);
  });

  it('release only by the owner; then the next holder gets a higher epoch', async () => {
    const prefix = fresh();
    const lease = (await acquireLease(redis, 'api', { prefix, owner: 'me', ttlMs: 60_000 }))!;
    expect(await releaseLease(redis, { ...lease, owner: 'someone else' })).toBe(false);
    expect((await readLease(redis, 'api', { prefix })).lease?.owner).toBe('me');
    expect(await releaseLease(redis, lease)).toBe(true);
    expect(await releaseLease(redis, lease)).toBe(false);
    expect((await readLease(redis, 'api', { prefix })).lease).toBeUndefined();
    const next = (await acquireLease(redis, 'api', { prefix, owner: 'other', ttlMs: 60_000 }))!;
    expect(next.token).toBeGreaterThan(lease.token);
    // The old holder can neither renew nor release the new lease.
    expect(await renewLease(redis, lease)).toBe(false);
    expect(await releaseLease(redis, lease)).toBe(false);
    expect((await readLease(redis, 'api', { prefix })).lease).toMatchObject({ owner: 'other', token: next.token });
  });

  it('a renewal after expiry fails: the lease is gone, and stays gone', async () => {
    const prefix = fresh();
    const lease = (await acquireLease(redis, 'api', { prefix, owner: 'me', ttlMs: 30 }))!;
    await untilExpired(prefix, 'api');
    expect(await renewLease(redis, lease, 60_000)).toBe(false);
    expect(await redis.exists(`${prefix}:{api}:lease`)).toBe(0);
  });

  it('confirmLease resolves while held with the margin left, and throws STALE_LEASE otherwise', async () => {
    const prefix = fresh();
    const lease = (await acquireLease(redis, 'api', { prefix, owner: 'me', ttlMs: 60_000 }))!;
    await confirmLease(redis, lease);
    await confirmLease(redis, lease, { marginMs: 30_000 });
    const short = await rejection(confirmLease(redis, lease, { marginMs: 120_000 }));
    expect(short.code).toBe('STALE_LEASE');
    expect(short.retryable).toBe(false);
    expect((await rejection(confirmLease(redis, { ...lease, owner: 'impostor' }))).code).toBe('STALE_LEASE');
    await releaseLease(redis, lease);
    expect((await rejection(confirmLease(redis, lease))).code).toBe('STALE_LEASE');
    expect((await rejection(confirmLease(redis, lease, { marginMs: -1 }))).code).toBe('CONFIG_INVALID');
  });
});

describe('RedisStore.fenced', () => {
  let store: RedisStore;
  let prefix: string;
  beforeAll(() => {
    prefix = fresh();
    store = new RedisStore({ redis: server.current.url, prefix });
  });
  afterAll(async () => {
    await store.close();
  });

  async function write(fenced: SyncStore, bindingId: string, label: string): Promise<void> {
    await fenced.saveBase(bindingId, { document: { label, big: 'x'.repeat(5000) }, hash: label, savedAt: 1 });
    await fenced.saveValidators(bindingId, { etag: label });
    await fenced.setRecord(bindingId, 'journal.j-1', { label });
    await fenced.setRecord(bindingId, 'journal.pending', { label });
  }

  it('refuses every write of a stale holder with STALE_LEASE, and the refused writes change nothing', async () => {
    const stale = (await acquireLease(store.client, 'api', { prefix, owner: 'paused-worker', ttlMs: 30 }))!;
    await write(store.fenced(stale), 'api', 'stale, before it lost the lease');
    await untilExpired(prefix, 'api');
    const current = (await acquireLease(store.client, 'api', { prefix, owner: 'new-worker', ttlMs: 60_000 }))!;
    expect(current.token).toBeGreaterThan(stale.token);
    await write(store.fenced(current), 'api', 'current');
    const before = await snapshot(prefix);

    const fenced = store.fenced(stale);
    const attempts: Array<[string, () => Promise<void>]> = [
      ['saveBase', () => fenced.saveBase('api', { document: { label: 'stale' }, hash: 'stale', savedAt: 2 })],
      ['saveValidators', () => fenced.saveValidators('api', { etag: 'stale' })],
      ['setRecord', () => fenced.setRecord('api', 'journal.j-1', { label: 'stale' })],
      ['setRecord (new key)', () => fenced.setRecord('api', 'journal.j-2', { label: 'stale' })],
      ['deleteRecord', () => fenced.deleteRecord!('api', 'journal.pending')],
      ['deleteBinding', () => fenced.deleteBinding('api')],
    ];
    for (const [name, attempt] of attempts) {
      const error = await rejection(attempt());
      expect(error.code, name).toBe('STALE_LEASE');
      expect(error.retryable, name).toBe(false);
      expect(error.details, name).toMatchObject({ bindingId: 'api', token: stale.token, epoch: current.token });
    }
    expect(await snapshot(prefix)).toEqual(before);
    expect((await store.getBase('api'))?.hash).toBe('current');
    // Reads through a stale view still work: only writes are fenced.
    expect(await fenced.getValidators('api')).toEqual({ etag: 'current' });
  });

  it('lets the current holder write, delete records and delete the binding; the epoch survives deleteBinding', async () => {
    const lease = (await acquireLease(store.client, 'other', { prefix, owner: 'w', ttlMs: 60_000 }))!;
    const fenced = store.fenced(lease);
    await write(fenced, 'other', 'mine');
    await fenced.deleteRecord!('other', 'journal.pending');
    expect(await store.getRecord('other', 'journal.pending')).toBeUndefined();
    await fenced.deleteBinding('other');
    expect(await store.getBase('other')).toBeUndefined();
    expect((await readLease(store.client, 'other', { prefix })).epoch).toBe(lease.token);
    // A write with the current token still passes after the lease expired, while nobody took a newer one.
    await releaseLease(store.client, lease);
    await fenced.setRecord('other', 'k', 1);
    expect(await store.getRecord('other', 'k')).toBe(1);
  });

  it('refuses writes to another binding, and a lease from another prefix, with CONFIG_INVALID', async () => {
    const lease = (await acquireLease(store.client, 'third', { prefix, owner: 'w', ttlMs: 60_000 }))!;
    const fenced = store.fenced(lease);
    expect((await rejection(fenced.setRecord('api', 'k', 1))).code).toBe('CONFIG_INVALID');
    const foreign = (await acquireLease(store.client, 'third', { prefix: fresh(), owner: 'w', ttlMs: 60_000 }))!;
    expect(() => store.fenced(foreign)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => store.fenced({ bindingId: 'third', prefix, token: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('checks the token and writes in one script: racing holders of old and new tokens never leave an old write after a new one', async () => {
    const first = (await acquireLease(store.client, 'race', { prefix, owner: 'a', ttlMs: 1 }))!;
    await untilExpired(prefix, 'race');
    const second = (await acquireLease(store.client, 'race', { prefix, owner: 'b', ttlMs: 60_000 }))!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? store.fenced(first) : store.fenced(second)).setRecord('race', 'value', { by: i % 2 === 0 ? 'old' : 'new', i }),
      ),
    );
    outcomes.forEach((outcome, i) => {
      expect(outcome.status, `write ${i}`).toBe(i % 2 === 0 ? 'rejected' : 'fulfilled');
    });
    expect(await store.getRecord('race', 'value')).toMatchObject({ by: 'new' });
  });
});

describe('on Redis Cluster', () => {
  it('takes, checks, fences and releases: the lease, epoch and store keys of a binding share one slot', async () => {
    const client = new Cluster([{ host: cluster.current.host, port: cluster.current.port }]);
    const prefix = fresh();
    const store = new RedisStore({ redis: client, prefix });
    try {
      const stale = (await acquireLease(client, 'billing api', { prefix, owner: 'a', ttlMs: 30 }))!;
      await store.fenced(stale).setRecord('billing api', 'k', 'stale');
      const deadline = Date.now() + 5000;
      while ((await readLease(client, 'billing api', { prefix })).lease) {
        if (Date.now() > deadline) throw new Error('the lease did not expire within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const lease = (await acquireLease(client, 'billing api', { prefix, owner: 'b', ttlMs: 60_000 }))!;
      await confirmLease(client, lease);
      expect(await renewLease(client, lease)).toBe(true);
      await store.fenced(lease).setRecord('billing api', 'k', 'current');
      expect((await rejection(store.fenced(stale).setRecord('billing api', 'k', 'late'))).code).toBe('STALE_LEASE');
      expect(await store.getRecord('billing api', 'k')).toBe('current');
      expect(await readLease(client, 'billing api', { prefix })).toMatchObject({
        lease: { owner: 'b', token: lease.token },
        epoch: lease.token,
      });
      expect(await releaseLease(client, lease)).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});
