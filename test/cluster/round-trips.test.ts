/**
 * What an unchanged sync costs in Redis round trips under the BullMQ
 * scheduler, counted with MONITOR on a real redis-server: the commands a
 * client sent about the binding's own keys (lease, epoch, store), per sync.
 * BullMQ's own commands (its scripts, the events stream) are counted by
 * bench/cluster.ts; see docs/scale-out.md, "Measured".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, bullmqScheduler, releaseLease } from '../../src/cluster/index.js';
import { acquireLeaseReading } from '../../src/cluster/lease.js';
import { withLease } from '../../src/cluster/lease-scope.js';
import { ACQUIRE, FENCED_WRITE, RELEASE, REMAINING, RENEW } from '../../src/cluster/scripts.js';
import { SyncEngine, httpSource } from '../../src/index.js';
import { MemoryTarget } from '../../src/testing/index.js';
import { useRedisServer } from '../support/redis.js';
import { monitorRedis } from '../support/redis-monitor.js';

const redis = useRedisServer();
const SCRIPTS = new Map(Object.entries({ ACQUIRE, FENCED_WRITE, RELEASE, REMAINING, RENEW }).map(([name, script]) => [script.sha, name]));
let http: Server;
let origin: string;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const body = JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1' },
    paths: { '/pets': { get: { summary: 'List pets', responses: { '200': { description: 'ok' } } } } },
  });
  http = createServer((request, response) => {
    if (request.headers['if-none-match'] === '"v1"') return void response.writeHead(304, { etag: '"v1"' }).end();
    response.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(body);
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => http.close(done));
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('round trips of an unchanged sync under bullmqScheduler', () => {
  it('an unchanged sync (304) takes the lease reading the journal and the validators in the same script, then releases it: no write, no read of its own', async () => {
    const url = redis.current.url;
    const store = new RedisStore({ redis: url, prefix: 'trips' });
    const engine = new SyncEngine({ store, scheduler: bullmqScheduler({ url, prefix: 'trips' }) });
    closers.push(
      () => store.close(),
      () => engine.stopSync(),
    );
    await engine.addSource({ id: 'b1', source: httpSource({ url: `${origin}/b1` }), target: new MemoryTarget(), intervalMs: 0 });
    await engine.startSync();
    expect((await engine.syncNow('b1')).outcome).toBe('applied');

    const sent: string[] = [];
    const monitor = await monitorRedis(redis.current.port, ({ args, source }) => {
      if (source === 'lua' || !args.some((arg) => arg.includes(':{b1}:'))) return;
      const command = args[0]!.toLowerCase();
      // A script of another part (the shared circuit) is named by the key it works on.
      const key = args.find((arg) => arg.includes(':{b1}:')) ?? '';
      sent.push(
        command === 'evalsha' ? (SCRIPTS.get(args[1]!) ?? `script on ${key.slice(key.lastIndexOf(':') + 1)}`) : `${command} ${args.at(-1)}`,
      );
    });
    closers.push(async () => monitor.stop());
    const SYNCS = 3;
    for (let i = 0; i < SYNCS; i++) expect((await engine.syncNow('b1')).outcome).toBe('unchanged');
    // The lease is released after the run's result is handed over: wait for the last release.
    await expect.poll(() => sent.filter((c) => c === 'RELEASE').length).toBe(SYNCS);
    // syncNow reads the shared circuit as it queues the job; then the lease, whose script also reads the journal's
    // pending entry and the validators and says whether the circuit has a record (a closed, clean one has none,
    // so the job does not read it again); then the release.
    expect(sent).toEqual(Array.from({ length: SYNCS }, () => ['script on circuit', 'ACQUIRE', 'RELEASE']).flat());
  });

  it('what the lease read is taken once, and a write of the field in the sync makes the next read ask Redis', async () => {
    const store = new RedisStore({ redis: redis.current.url, prefix: 'trips-read' });
    closers.push(() => store.close());
    await store.saveValidators('b2', { etag: '"a"' });
    const options = { prefix: 'trips-read', owner: 'w1', ttlMs: 5000 };
    const taken = await acquireLeaseReading(store.client, 'b2', options, ['journal.pending', 'validators']);
    expect(taken?.read.get('validators')).toBeInstanceOf(Buffer);
    expect(taken?.read.get('journal.pending')).toBeNull();
    await withLease(
      taken!.lease,
      async () => {
        await store.saveValidators('b2', { etag: '"c"' });
        expect(await store.getValidators('b2')).toEqual({ etag: '"c"' });
      },
      taken!.read,
    );
    await releaseLease(store.client, taken!.lease);

    // An absent field is read as absent, without asking Redis again.
    const none = await acquireLeaseReading(store.client, 'b3', options, ['validators']);
    expect(none?.read.get('validators')).toBeNull();
    const sent: string[] = [];
    const monitor = await monitorRedis(redis.current.port, ({ args, source }) => void (source === 'lua' ? undefined : sent.push(args[0]!)));
    closers.push(async () => monitor.stop());
    expect(await withLease(none!.lease, () => store.getValidators('b3'), none!.read)).toEqual({});
    expect(await withLease(none!.lease, () => store.getValidators('b3'), none!.read)).toEqual({});
    await store.client.ping();
    await expect.poll(() => sent.includes('ping')).toBe(true);
    expect(sent.filter((c) => c.toLowerCase() === 'hget')).toEqual([]);
  });
});

describe('the queue events under bullmqScheduler', () => {
  it('a worker that only runs its schedules reads no events once nothing it queued waits elsewhere; a job it queues starts the reader again', async () => {
    const url = redis.current.url;
    const store = new RedisStore({ redis: url, prefix: 'trips-poll' });
    const engine = new SyncEngine({ store, scheduler: bullmqScheduler({ url, prefix: 'trips-poll', leaseTtlMs: 1000 }) });
    closers.push(
      () => store.close(),
      () => engine.stopSync(),
    );
    let completed = 0;
    engine.on('job:completed', () => void (completed += 1));
    await engine.addSource({ id: 'p1', source: httpSource({ url: `${origin}/p1` }), target: new MemoryTarget(), intervalMs: 250 });
    // The start queues a job from here: the reader runs while it waits, then stops after a lease period with nothing waiting.
    await engine.startSync();
    await expect.poll(() => completed, { timeout: 5000 }).toBeGreaterThan(0);
    await new Promise((wait) => setTimeout(wait, 2500));

    const sent: string[] = [];
    const monitor = await monitorRedis(
      redis.current.port,
      ({ args, source }) => void (source === 'lua' ? undefined : sent.push(args[0]!.toLowerCase())),
    );
    closers.push(async () => monitor.stop());
    const before = completed;
    await new Promise((wait) => setTimeout(wait, 1500));
    expect(completed - before).toBeGreaterThanOrEqual(3);
    expect(sent.filter((command) => command === 'xread')).toEqual([]);

    // A manual job reads the stream again (from where it stood before the job was queued).
    expect((await engine.syncNow('p1')).outcome).toBe('unchanged');
    await expect.poll(() => sent.includes('xread')).toBe(true);
  });
});
